"""The PC/SC passport backend end to end: pyscard -> a pcscd this test run starts ->
Debian's vsmartcard-vpcd driver -> our ePassport emulator over TCP. Covers BAC with the
right and the wrong MRZ, DG1 and DG2, a passport pulled mid-read, a missing reader and a
pcscd restarted under the running monitor; with no passport details, a staff card known
by its UID alone."""
import datetime as dt

from devices.health import DeviceState
from devices.idcard import CardInserted, CardPresented, CardReadError, CardRemoved
from devices.idcard.emulators.epassport import EPassportChip, PassportHolder, face_jpeg
from devices.idcard.emulators.staff_card import StaffCard
from devices.idcard.emulators.vpcd import VpcdCard
from devices.idcard.icao.reader import read_passport
from devices.idcard.pcsc import MSG_CARD_MOVED, MSG_CHECK_DETAILS, MSG_NEED_DETAILS, PcscPassportBackend, PcscSettings
from domain.identity import DocumentKind
from tests.devices.idcard_fixtures import next_event, open_reader, pcscd  # noqa: F401

HOLDER = PassportHolder(surname="MARTIN", given_names="CLAIRE", document_number="18FR12345",
                        issuing_state="FRA", nationality="FRA", birth_yymmdd="850214", sex="F",
                        expiry_yymmdd="300101")


def backend(mrz: str) -> PcscPassportBackend:
    return PcscPassportBackend(PcscSettings(mrz=mrz, reconnect_interval_s=0.2))


def test_the_chip_emulator_alone_answers_a_full_read_without_do99():
    chip = EPassportChip(HOLDER, include_do99=False)
    data = read_passport(chip.process, HOLDER.mrz_information)
    assert data.identity.name == "CLAIRE MARTIN" and data.data_groups == ["DG1", "DG2"]
    assert data.identity.photo == chip.face and data.identity.photo.startswith(b"\xff\xd8")


def test_passport_read_through_pcscd_and_vpcd(pcscd):
    chip = EPassportChip(HOLDER)
    card = VpcdCard(chip, port=pcscd.vpcd_port)
    reader, events = open_reader(backend(HOLDER.mrz_information))
    try:
        assert reader.status().state is DeviceState.ONLINE
        assert "Virtual PCD" in reader.status().detail
        card.insert()
        event = next_event(events)
        assert isinstance(event, CardInserted), event
        identity = event.identity
        assert identity.kind is DocumentKind.PASSPORT
        assert (identity.name, identity.document_number, identity.nationality) == ("CLAIRE MARTIN", "18FR12345", "FRA")
        assert identity.birth_date == dt.date(1985, 2, 14) and identity.valid_until == dt.date(2030, 1, 1)
        assert identity.sex == "F" and identity.photo == face_jpeg()
        card.remove()
        assert isinstance(next_event(events), CardRemoved)
    finally:
        card.remove()
        reader.close()


def test_wrong_mrz_asks_to_check_the_passport_details(pcscd):
    card = VpcdCard(EPassportChip(HOLDER), port=pcscd.vpcd_port)
    wrong = PassportHolder(document_number="18FR12346", birth_yymmdd="850214", expiry_yymmdd="300101")
    reader, events = open_reader(backend(wrong.mrz_information))
    try:
        card.insert()
        event = next_event(events)
        assert isinstance(event, CardReadError) and event.reason == MSG_CHECK_DETAILS
    finally:
        card.remove()
        reader.close()


def test_passport_pulled_mid_read_is_an_error_value_then_removal(pcscd):
    chip = EPassportChip(HOLDER)
    card = VpcdCard(chip, port=pcscd.vpcd_port)
    card.pull_after_apdus = 8  # after BAC, while reading the data groups
    reader, events = open_reader(backend(HOLDER.mrz_information))
    try:
        card.insert()
        event = next_event(events)
        assert isinstance(event, CardReadError) and event.reason == MSG_CARD_MOVED
        assert isinstance(next_event(events), CardRemoved)
        card.insert()  # placed again: read normally
        assert isinstance(next_event(events), CardInserted)
    finally:
        card.remove()
        reader.close()


def test_monitor_recovers_after_pcscd_restarts(pcscd):
    card = VpcdCard(EPassportChip(HOLDER), port=pcscd.vpcd_port)
    reader, events = open_reader(backend(HOLDER.mrz_information))
    try:
        card.insert()
        assert isinstance(next_event(events), CardInserted)
        pcscd.stop()
        assert isinstance(next_event(events), CardRemoved)
        assert _wait_for(lambda: reader.status().state is DeviceState.NO_DEVICE)
        pcscd.start()
        event = next_event(events)  # the card reconnects to the new vpcd and is read again
        assert isinstance(event, CardInserted) and event.identity.name == "CLAIRE MARTIN"
        assert reader.status().state is DeviceState.ONLINE
    finally:
        card.remove()
        reader.close()


def test_reader_missing_then_plugged_in(pcscd):
    pcscd.stop()
    pcscd.with_reader = False  # pcscd runs, but no reader is attached
    pcscd.start()
    card = VpcdCard(EPassportChip(HOLDER), port=pcscd.vpcd_port)
    reader, events = open_reader(backend(HOLDER.mrz_information))
    try:
        assert reader.status().state is DeviceState.NO_DEVICE
        assert not reader.self_test().passed
        pcscd.stop()
        pcscd.with_reader = True  # the reader is plugged in (pcscd reloads its readers)
        pcscd.start()
        card.insert()
        assert isinstance(next_event(events), CardInserted)
        assert reader.self_test().passed
    finally:
        card.remove()
        reader.close()


def _wait_for(predicate, timeout: float = 20.0) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_without_passport_details_a_card_is_known_by_its_uid_only(pcscd):
    """A staff maintenance card: the reader asks only for its UID. A passport placed before
    its details were typed still tells the citizen to type them (its chip gives no UID)."""
    uid = bytes.fromhex("04a1b2c3d4e5f6")
    badge = VpcdCard(StaffCard(uid), port=pcscd.vpcd_port)
    reader, events = open_reader(PcscPassportBackend(PcscSettings(mrz="", reconnect_interval_s=0.2)))
    try:
        badge.insert()
        event = next_event(events)
        assert isinstance(event, CardPresented) and event.uid == uid
        assert event.reason == MSG_NEED_DETAILS and uid.hex() not in repr(event)  # never in a log line
        badge.remove()
        next_event(events, CardRemoved)
        passport = VpcdCard(EPassportChip(HOLDER), port=pcscd.vpcd_port)
        passport.insert()
        try:
            event = next_event(events)
            assert type(event) is CardReadError and event.reason == MSG_NEED_DETAILS
        finally:
            passport.remove()
    finally:
        badge.remove()
        reader.close()
