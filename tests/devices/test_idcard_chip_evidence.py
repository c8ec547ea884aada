"""The chip's evidence for the back office: EF.SOD, DG15 and an Active Authentication
signature over a given challenge (ECDSA, or ISO/IEC 9796-2 with an RSA key), read from the
ePassport emulator directly and through pcscd and vpcd by the kiosk's PC/SC backend. The
kiosk only reads; the signatures are checked here to show the emulator signs what a
verifier expects."""
import hashlib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from backoffice import iso9796
from devices.idcard import CardInserted
from devices.idcard.emulators.epassport import EPassportChip, PassportHolder
from devices.idcard.emulators.passport_pki import make_pki
from devices.idcard.emulators.vpcd import VpcdCard
from devices.idcard.icao import sod
from devices.idcard.icao.reader import PassportSession, read_chip_evidence
from devices.idcard.icao.tlv import find
from devices.idcard.pcsc import MSG_CARD_MOVED, ChipNotRead, PcscPassportBackend, PcscSettings
from tests.devices.idcard_fixtures import next_event, open_reader, pcscd  # noqa: F401

HOLDER = PassportHolder(surname="MARTIN", given_names="CLAIRE", document_number="18FR12345",
                        issuing_state="FRA", nationality="FRA", birth_yymmdd="850214", sex="F",
                        expiry_yymmdd="300101")
PKI = make_pki("FRA")


def aa_verifies(dg15: bytes, challenge: bytes, signature: bytes) -> bool:
    key = serialization.load_der_public_key(find(dg15, 0x6F) or b"")
    assert isinstance(key, ec.EllipticCurvePublicKey)
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    try:
        key.verify(encode_dss_signature(r, s), challenge, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def rsa_aa_verifies(dg15: bytes, challenge: bytes, signature: bytes) -> bool:
    key = serialization.load_der_public_key(find(dg15, 0x6F) or b"")
    assert isinstance(key, rsa.RSAPublicKey)
    try:
        iso9796.verify(key.public_numbers().n, key.public_numbers().e, signature, challenge)
    except iso9796.SignatureInvalid:
        return False
    return True


def hashes_in(ef_sod: bytes) -> dict[int, bytes]:
    content = sod.unwrap(ef_sod)["content"]["encap_content_info"]["content"].native
    return {h["data_group_number"]: h["data_group_hash_value"]
            for h in sod.LdsSecurityObject.load(content).native["data_group_hash_values"]}


def test_a_genuine_chip_gives_its_sod_dg15_and_signs_the_challenge():
    chip = EPassportChip(HOLDER, signer=PKI.signer)
    challenge = bytes.fromhex("0102030405060708")
    evidence = read_chip_evidence(chip.process, HOLDER.mrz_information, challenge)
    assert evidence.sod and evidence.dg15 and evidence.dg2 and evidence.aa_signature
    assert hashes_in(evidence.sod) == {1: hashlib.sha256(evidence.dg1).digest(),
                                       2: hashlib.sha256(evidence.dg2).digest(),
                                       15: hashlib.sha256(evidence.dg15).digest()}
    assert len(evidence.aa_signature) == 64 and aa_verifies(evidence.dg15, challenge, evidence.aa_signature)
    assert not aa_verifies(evidence.dg15, bytes(8), evidence.aa_signature)  # bound to this challenge


def test_an_rsa_chip_gives_an_rsa_dg15_and_a_9796_2_signature_of_the_challenge():
    chip = EPassportChip(HOLDER, signer=PKI.signer, aa_key="rsa")
    challenge = bytes.fromhex("0102030405060708")
    evidence = read_chip_evidence(chip.process, HOLDER.mrz_information, challenge, with_face=False)
    assert evidence.dg15 and evidence.aa_signature and len(evidence.aa_signature) == 128
    assert evidence.sod and hashes_in(evidence.sod)[15] == hashlib.sha256(evidence.dg15).digest()
    assert rsa_aa_verifies(evidence.dg15, challenge, evidence.aa_signature)
    assert not rsa_aa_verifies(evidence.dg15, bytes(8), evidence.aa_signature)  # bound to this challenge


def test_a_2048_bit_rsa_chip_answers_an_extended_length_command_and_the_reader_asks_one():
    chip = EPassportChip(HOLDER, signer=PKI.signer, aa_key="rsa-2048")
    session = PassportSession(chip.process)
    session.authenticate(HOLDER.mrz_information)
    challenge = bytes.fromhex("1122334455667788")
    _, sw = session._exchange(bytes.fromhex("0088000008") + challenge + b"\x00")
    assert sw == b"\x67\x00"  # 256 bytes of signature do not fit a short answer under secure messaging
    signature = session.internal_authenticate(challenge)
    assert signature and len(signature) == 256
    assert rsa_aa_verifies(chip.files[b"\x01\x0F"], challenge, signature)


def test_a_chip_without_active_authentication_has_no_dg15_and_refuses_to_sign():
    chip = EPassportChip(HOLDER, signer=PKI.signer, active_authentication=False)
    session = PassportSession(chip.process)
    session.authenticate(HOLDER.mrz_information)
    assert session.read_file_if_present(b"\x01\x0F") is None
    assert session.internal_authenticate(bytes(8)) is None
    evidence = read_chip_evidence(chip.process, HOLDER.mrz_information, bytes(8))
    assert evidence.sod and evidence.dg15 is None and evidence.aa_signature is None
    assert set(hashes_in(evidence.sod)) == {1, 2}


def test_dg1_altered_after_signing_no_longer_matches_its_hash():
    victim = PassportHolder(document_number="E12345678")
    chip = EPassportChip(HOLDER, signer=PKI.signer, dg1_after_signing=victim)
    evidence = read_chip_evidence(chip.process, HOLDER.mrz_information, bytes(8))
    assert b"E12345678" in evidence.dg1 and evidence.sod
    assert hashes_in(evidence.sod)[1] != hashlib.sha256(evidence.dg1).digest()


def test_a_chip_made_before_signers_has_no_sod():
    evidence = read_chip_evidence(EPassportChip(HOLDER).process, HOLDER.mrz_information, bytes(8))
    assert evidence.sod is None and evidence.dg15 is None and evidence.aa_signature is None


def test_the_pcsc_backend_reads_the_evidence_through_pcscd(pcscd):
    chip = EPassportChip(HOLDER, signer=PKI.signer)
    card = VpcdCard(chip, port=pcscd.vpcd_port)
    backend = PcscPassportBackend(PcscSettings(mrz=HOLDER.mrz_information, read_face=False,
                                               reconnect_interval_s=0.2))
    reader, events = open_reader(backend)
    challenge = bytes.fromhex("A1B2C3D4E5F60718")
    try:
        card.insert()
        assert isinstance(next_event(events), CardInserted)  # the kiosk knows the passport, then asks
        evidence = backend.chip_evidence(challenge)
    finally:
        card.remove()
        reader.close()
    assert evidence.dg2 is None and evidence.sod == chip.files[b"\x01\x1D"]
    assert evidence.dg1 == chip.files[b"\x01\x01"] and evidence.dg15 == chip.files[b"\x01\x0F"]
    assert evidence.aa_signature and aa_verifies(evidence.dg15, challenge, evidence.aa_signature)


@pytest.mark.parametrize("aa_key", ["rsa", "rsa-2048"])
def test_the_pcsc_backend_reads_an_rsa_chips_signature_through_pcscd(pcscd, aa_key):
    """A 1024-bit key's signature in a short APDU's answer, a 2048-bit key's in an extended one."""
    chip = EPassportChip(HOLDER, signer=PKI.signer, aa_key=aa_key)
    card = VpcdCard(chip, port=pcscd.vpcd_port)
    backend = PcscPassportBackend(PcscSettings(mrz=HOLDER.mrz_information, read_face=False,
                                               reconnect_interval_s=0.2))
    reader, events = open_reader(backend)
    challenge = bytes.fromhex("0F1E2D3C4B5A6978")
    try:
        card.insert()
        assert isinstance(next_event(events), CardInserted)
        evidence = backend.chip_evidence(challenge)
    finally:
        card.remove()
        reader.close()
    assert evidence.dg15 == chip.files[b"\x01\x0F"] and evidence.aa_signature
    assert rsa_aa_verifies(evidence.dg15, challenge, evidence.aa_signature)


def test_the_pcsc_backend_says_so_when_no_passport_is_on_the_reader(pcscd):
    backend = PcscPassportBackend(PcscSettings(mrz=HOLDER.mrz_information))
    with pytest.raises(ChipNotRead) as refused:
        backend.chip_evidence(bytes(8))
    assert refused.value.reason == MSG_CARD_MOVED
