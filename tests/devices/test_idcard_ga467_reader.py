"""The GA 467 backend end to end: pyserial on a pty, our emulator on the other side, the
real facade thread in between. Faults: garbage, torn, corrupt and oversized answers,
slow answers, a silent port, a card pulled mid-read, unplug and replug."""
import queue

from devices.health import DeviceState
from devices.idcard import CardInserted, CardReadError, CardRemoved
from devices.idcard.emulators.ga467_pty import fake_wlt
from devices.idcard.ga467 import Ga467Backend, Ga467Settings
from domain.identity import DocumentKind
from tests.devices.idcard_fixtures import FOREIGNER, RESIDENT, ga467_emulator, next_event, open_reader  # noqa: F401

FAST = dict(poll_interval_s=0.02, reconnect_interval_s=0.1, response_timeout_s=2.0)


def backend_on(emulator, **extra):
    return Ga467Backend(Ga467Settings(port=emulator.path, **{**FAST, **extra}))


def test_resident_card_read_end_to_end_with_photo_bytes(ga467_emulator):
    reader, events = open_reader(backend_on(ga467_emulator))
    try:
        assert reader.status().state is DeviceState.ONLINE
        ga467_emulator.insert(RESIDENT, photo=fake_wlt(7))
        event = next_event(events)
        assert isinstance(event, CardInserted)
        identity = event.identity
        assert identity.document_number == RESIDENT.document_number and identity.name == "王建国"
        assert identity.nation == "黎" and identity.valid_until is None
        assert identity.photo == fake_wlt(7)
        ga467_emulator.remove()
        assert isinstance(next_event(events), CardRemoved)
    finally:
        reader.close()


def test_foreigner_card_end_to_end(ga467_emulator):
    reader, events = open_reader(backend_on(ga467_emulator))
    try:
        ga467_emulator.insert(FOREIGNER)
        event = next_event(events)
        assert event.identity.kind is DocumentKind.FOREIGN_PERMANENT_RESIDENT
        assert event.identity.nationality == "USA"
    finally:
        reader.close()


def test_faulty_answers_are_survived_and_the_card_is_still_read(ga467_emulator):
    ga467_emulator.garbage_before = b"\x00\xffnoise\xaa\xaa\xaa"
    ga467_emulator.corrupt_next = 2
    ga467_emulator.torn_next = 2
    ga467_emulator.oversized_next = 2
    reader, events = open_reader(backend_on(ga467_emulator, response_timeout_s=0.3))
    try:
        ga467_emulator.insert(RESIDENT)
        event = next_event(events, CardInserted)
        assert event.identity.name == "王建国"
        assert reader.status().state is DeviceState.ONLINE
    finally:
        reader.close()


def test_slow_answers_within_the_timeout_are_fine(ga467_emulator):
    ga467_emulator.delay_s = 0.05
    reader, events = open_reader(backend_on(ga467_emulator))
    try:
        ga467_emulator.insert(RESIDENT)
        assert isinstance(next_event(events), CardInserted)
    finally:
        reader.close()


def test_card_pulled_mid_read_is_a_read_error_then_removal(ga467_emulator):
    ga467_emulator.pull_card_on_read = True
    reader, events = open_reader(backend_on(ga467_emulator))
    try:
        ga467_emulator.insert(RESIDENT)
        error = next_event(events)
        assert isinstance(error, CardReadError) and "again" in error.reason
        assert isinstance(next_event(events), CardRemoved)
        ga467_emulator.pull_card_on_read = False
        ga467_emulator.insert(RESIDENT)
        assert isinstance(next_event(events), CardInserted)
    finally:
        reader.close()


def test_an_unreadable_card_is_a_read_error_not_a_crash(ga467_emulator):
    broken = RESIDENT.__class__(**{**RESIDENT.__dict__, "nation": "火星"})  # no nation code
    reader, events = open_reader(backend_on(ga467_emulator))
    try:
        ga467_emulator.insert(broken)
        event = next_event(events)
        assert isinstance(event, CardReadError) and "recognised" in event.reason
    finally:
        reader.close()


def test_unplug_and_replug_without_restarting(ga467_emulator):
    backend = Ga467Backend(Ga467Settings(candidates=(str(ga467_emulator.link.parent / "ttyUSB*"),), **FAST))
    reader, events = open_reader(backend)
    try:
        assert reader.status().state is DeviceState.ONLINE  # found by auto-detection
        ga467_emulator.insert(RESIDENT)
        assert isinstance(next_event(events), CardInserted)
        ga467_emulator.unplug()
        assert isinstance(next_event(events), CardRemoved)
        assert reader.status().state is DeviceState.NO_DEVICE
        ga467_emulator.replug()
        event = next_event(events)  # the card is still on the replugged reader
        assert isinstance(event, CardInserted) and event.identity.name == "王建国"
        assert reader.status().state is DeviceState.ONLINE
    finally:
        reader.close()


def test_auto_detection_skips_a_port_that_is_not_a_reader(tmp_path, ga467_emulator):
    import os
    import tty

    master, slave = os.openpty()  # a serial device that never answers
    tty.setraw(slave)
    (tmp_path / "ttyACM0").symlink_to(os.ttyname(slave))
    try:
        settings = Ga467Settings(candidates=(str(tmp_path / "ttyACM*"), str(tmp_path / "ttyUSB*")), **FAST)
        backend = Ga467Backend(settings)
        backend.open()
        assert backend.status().state is DeviceState.ONLINE
        assert backend.status().detail.endswith("ttyUSB0")
        assert backend.self_test().passed
        backend.close()
    finally:
        os.close(master)
        os.close(slave)


def test_no_reader_anywhere_is_no_device_and_self_test_fails(tmp_path):
    backend = Ga467Backend(Ga467Settings(candidates=(str(tmp_path / "ttyUSB*"),), **FAST))
    backend.open()
    try:
        assert backend.status().state is DeviceState.NO_DEVICE
        result = backend.self_test()
        assert not result.passed and result.status.state is DeviceState.NO_DEVICE
        assert backend.poll(0.05) is None
    finally:
        backend.close()


def test_a_silent_reader_does_not_block_the_loop(ga467_emulator):
    reader, events = open_reader(backend_on(ga467_emulator, response_timeout_s=0.2))
    try:
        ga467_emulator.silent = True
        ga467_emulator.insert(RESIDENT)
        try:
            event = events.get(timeout=1.0)
        except queue.Empty:
            event = None
        assert event is None  # nothing answered: nothing happened, nothing crashed
        ga467_emulator.silent = False
        assert isinstance(next_event(events), CardInserted)
    finally:
        reader.close()
