"""An ePassport's chip as evidence for a presence grant, over HTTP against the real back
office (SQLite and PostgreSQL). The kiosk's reader reads the emulated chip with the back
office's challenge; the back office checks the SOD against the CSCA it trusts (the demo
PKI the embedded back office was started with), each data group against its hash, and
the chip's signature over its challenge. Each forgery is refused for its own reason and
buys nothing: before these checks existed each of them would have had a grant."""
from __future__ import annotations

import base64
import hashlib
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from devices.idcard.emulators.epassport import EPassportChip, PassportHolder, dg1_of
from devices.idcard.emulators.passport_pki import (
    expired_signer,
    make_pki,
    rogue_signer,
    signer_without_signing_usage,
)
from devices.idcard.icao import sod as sod_module
from devices.idcard.icao.reader import ChipEvidence, read_chip_evidence
from tests.api.submissions import application

HOLDER = PassportHolder(surname="MARTIN", given_names="CLAIRE", document_number="18FR12345",
                        issuing_state="FRA", nationality="FRA", birth_yymmdd="850214", sex="F",
                        expiry_yymmdd="300101")
# Another foreign applicant with a case: whose number a forger would write into DG1.
VICTIM = PassportHolder(surname="SILVA", given_names="JOAO", document_number="CA1234567",
                        issuing_state="PRT", nationality="PRT", birth_yymmdd="700101", sex="M",
                        expiry_yymmdd="310101")
WANG = "469023195801041234"


def b64(data: bytes | None) -> str:
    return base64.b64encode(data or b"").decode()


def challenge(terminal, session_ref: str) -> dict:
    answer = terminal.post("/v1/presence/passport-challenges", {"session": session_ref}, key=None)
    assert answer.status_code == 201, answer.text
    return answer.json()


def proof(session_ref: str, challenge_id: str, evidence: ChipEvidence) -> dict:
    assert evidence.sod is not None
    return {"session": session_ref, "challenge": challenge_id, "sod": b64(evidence.sod), "dg1": b64(evidence.dg1),
            "dg15": b64(evidence.dg15), "dg2": b64(evidence.dg2), "aa_signature": b64(evidence.aa_signature)}


def present(terminal, chip: EPassportChip, with_face: bool = False, session_ref: str | None = None):
    """What a kiosk does with a passport on its reader: a challenge, the chip read with it, the proof."""
    ref = session_ref or uuid.uuid4().hex
    issued = challenge(terminal, ref)
    evidence = read_chip_evidence(chip.process, chip.holder.mrz_information, bytes.fromhex(issued["nonce"]),
                                  with_face=with_face)
    return terminal.post("/v1/presence/passport-grants", proof(ref, issued["challenge"], evidence), key=None)


@pytest.fixture(scope="module")
def pki(server):
    return server.passport_pki()


@pytest.fixture(scope="module")
def cases_on_file(terminal):
    """A case each for the passport holder and the victim, made at a kiosk on a card read."""
    guide = terminal.get("/v1/catalogue/items/469023-XK-SCJG-0002").json()
    numbers = {}
    for holder in (HOLDER, VICTIM):
        applicant = {"kind": "person", "document_kind": "passport", "document_number": holder.document_number,
                     "name": f"{holder.given_names} {holder.surname}"}
        # The form's answers are a resident's (it asks a legal representative's ID number).
        made = terminal.post("/v1/cases", dict(application(guide), applicant=applicant))
        assert made.status_code == 201, made.text
        numbers[holder.document_number] = made.json()["case"]["number"]
    return numbers


def audit_entries(staff) -> list[dict]:
    entries, after = [], 0
    while page := staff("admin").get("/v1/audit", params={"after_id": after, "limit": 1000}).json()["entries"]:
        entries, after = entries + page, page[-1]["id"]
    return entries


def test_a_genuine_chip_gets_a_grant_that_opens_its_holders_cases_and_no_one_elses(terminal, pki, cases_on_file):
    answer = present(terminal, EPassportChip(HOLDER, signer=pki.signer), with_face=True)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["evidence"] == "epassport_pa_aa" and set(body["scopes"]) >= {"read", "submit", "collect"}
    grant = {"X-Presence-Grant": body["grant"]}
    mine = terminal.post("/v1/cases/search", {"applicant": HOLDER.document_number}, key=None, headers=grant)
    assert mine.status_code == 200
    assert [c["number"] for c in mine.json()["cases"]] == [cases_on_file[HOLDER.document_number]]
    assert terminal.get(f"/v1/cases/{cases_on_file[HOLDER.document_number]}", headers=grant).status_code == 200
    for someone_else in (VICTIM.document_number, WANG):
        other = terminal.post("/v1/cases/search", {"applicant": someone_else}, key=None, headers=grant)
        assert other.status_code == 403 and other.json()["code"] == "presence_other_citizen"
    assert terminal.get(f"/v1/cases/{cases_on_file[VICTIM.document_number]}", headers=grant).status_code == 404


def test_dg1_altered_after_signing_is_refused_naming_dg1(terminal, pki, cases_on_file):
    forged = EPassportChip(HOLDER, signer=pki.signer, dg1_after_signing=VICTIM)
    answer = present(terminal, forged)
    assert answer.status_code == 403, answer.text
    assert answer.json()["code"] == "pa_hash_mismatch" and answer.json()["data_group"] == "DG1"
    assert "grant" not in answer.json()


def test_an_sod_rehashed_for_an_altered_dg1_fails_its_signature(terminal, pki):
    """The forger writes the new DG1's hash into the SOD: the hashes agree, the signature not."""
    chip = EPassportChip(HOLDER, signer=pki.signer)
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    evidence = read_chip_evidence(chip.process, HOLDER.mrz_information, bytes.fromhex(issued["nonce"]))
    assert evidence.sod is not None
    altered = dg1_of(VICTIM)
    sod = evidence.sod.replace(hashlib.sha256(evidence.dg1).digest(), hashlib.sha256(altered).digest())
    body = dict(proof(ref, issued["challenge"], evidence), sod=b64(sod), dg1=b64(altered))
    answer = terminal.post("/v1/presence/passport-grants", body, key=None)
    assert answer.status_code == 403 and answer.json()["code"] == "pa_signature_invalid", answer.text
    # The signed attributes' message digest made to agree as well: only the signature is left.
    security_object = sod_module.unwrap(sod)["content"]["encap_content_info"]["content"].native
    before = sod_module.unwrap(evidence.sod)["content"]["encap_content_info"]["content"].native
    sod = sod.replace(hashlib.sha256(before).digest(), hashlib.sha256(security_object).digest())
    issued = challenge(terminal, ref)
    evidence = read_chip_evidence(chip.process, HOLDER.mrz_information, bytes.fromhex(issued["nonce"]))
    body = dict(proof(ref, issued["challenge"], evidence), sod=b64(sod), dg1=b64(altered))
    answer = terminal.post("/v1/presence/passport-grants", body, key=None)
    assert answer.status_code == 403 and answer.json()["code"] == "pa_signature_invalid", answer.text


def test_an_sod_signed_by_a_signer_not_issued_by_the_trusted_csca_is_refused(terminal, pki):
    """The rogue CSCA has the trusted one's name; only its signature gives it away."""
    answer = present(terminal, EPassportChip(HOLDER, signer=rogue_signer(pki)))
    assert answer.status_code == 403 and answer.json()["code"] == "pa_signer_untrusted", answer.text


def test_an_sod_signed_by_an_expired_document_signer_is_refused(terminal, pki):
    """Issued by the trusted CSCA, every signature in order, but its certificate's validity has ended."""
    answer = present(terminal, EPassportChip(HOLDER, signer=expired_signer(pki)))
    assert answer.status_code == 403 and answer.json()["code"] == "pa_signer_expired", answer.text


def test_an_sod_signed_by_a_key_not_certified_for_signatures_is_refused(terminal, pki):
    answer = present(terminal, EPassportChip(HOLDER, signer=signer_without_signing_usage(pki)))
    assert answer.status_code == 403 and answer.json()["code"] == "pa_signer_usage", answer.text


def test_a_genuine_passport_of_a_state_whose_csca_is_not_held_is_refused(terminal):
    answer = present(terminal, EPassportChip(HOLDER, signer=make_pki("FRA").signer))
    assert answer.status_code == 403 and answer.json()["code"] == "pa_signer_untrusted", answer.text


def test_a_chip_without_active_authentication_gets_no_grant(terminal, pki):
    """Passive authentication alone shows the data is genuine, not that the chip is here:
    a copy of a genuine chip's files would pass it."""
    answer = present(terminal, EPassportChip(HOLDER, signer=pki.signer, active_authentication=False))
    assert answer.status_code == 403 and answer.json()["code"] == "aa_unavailable", answer.text


def test_a_face_image_other_than_the_signed_one_is_refused_naming_dg2(terminal, pki):
    chip = EPassportChip(HOLDER, signer=pki.signer)
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    evidence = read_chip_evidence(chip.process, HOLDER.mrz_information, bytes.fromhex(issued["nonce"]))
    body = dict(proof(ref, issued["challenge"], evidence), dg2=b64((evidence.dg2 or b"")[:-1] + b"\x00"))
    answer = terminal.post("/v1/presence/passport-grants", body, key=None)
    assert answer.status_code == 403 and answer.json()["data_group"] == "DG2", answer.text


def test_a_signature_over_another_challenge_is_refused_and_a_challenge_works_once(terminal, pki):
    """A recorded answer of a genuine chip replayed: for a new challenge it does not verify;
    with its own, spent challenge it is gone."""
    chip = EPassportChip(HOLDER, signer=pki.signer)
    ref = uuid.uuid4().hex
    first = challenge(terminal, ref)
    recorded = proof(ref, first["challenge"], read_chip_evidence(chip.process, HOLDER.mrz_information,
                                                                 bytes.fromhex(first["nonce"])))
    assert terminal.post("/v1/presence/passport-grants", recorded, key=None).status_code == 201
    again = terminal.post("/v1/presence/passport-grants", recorded, key=None)
    assert again.status_code == 410 and again.json()["code"] == "used"
    replayed = terminal.post("/v1/presence/passport-grants", dict(recorded, challenge=challenge(terminal, ref)[
        "challenge"]), key=None)
    assert replayed.status_code == 403 and replayed.json()["code"] == "aa_signature_invalid", replayed.text


def test_a_challenge_belongs_to_its_kiosk_session(terminal, pki):
    chip = EPassportChip(HOLDER, signer=pki.signer)
    issued = challenge(terminal, uuid.uuid4().hex)
    evidence = read_chip_evidence(chip.process, HOLDER.mrz_information, bytes.fromhex(issued["nonce"]))
    elsewhere = terminal.post("/v1/presence/passport-grants", proof(uuid.uuid4().hex, issued["challenge"], evidence),
                              key=None)
    assert elsewhere.status_code == 404


def test_files_that_do_not_parse_are_refused_as_malformed(terminal, pki):
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    body = {"session": ref, "challenge": issued["challenge"], "sod": b64(b"\x77\x03abc"), "dg1": b64(b"\x61\x00")}
    answer = terminal.post("/v1/presence/passport-grants", body, key=None)
    assert answer.status_code == 422 and answer.json()["code"] == "sod_malformed", answer.text
    not_base64 = terminal.post("/v1/presence/passport-grants", dict(body, sod="not base64!"), key=None)
    assert not_base64.status_code == 422 and not_base64.json()["code"] == "not_base64"


def test_every_attempt_is_audited_by_keyed_hash_and_the_failed_check_without_the_number(terminal, staff, pki):
    forged = EPassportChip(HOLDER, signer=rogue_signer(pki))
    assert present(terminal, forged).status_code == 403
    assert present(terminal, EPassportChip(HOLDER, signer=pki.signer)).status_code == 201
    entries = audit_entries(staff)
    refused = [e for e in entries if e["action"] == "presence.passport_refused"]
    granted = [e for e in entries if e["action"] == "presence.granted" and e["detail"]["evidence"] == "epassport_pa_aa"]
    assert refused and refused[-1]["detail"] == {"check": "pa_signer_untrusted"}
    assert granted and granted[-1]["subject"] == refused[-1]["subject"]  # the same holder, by keyed hash
    assert len(granted[-1]["subject"]) == 16
    for entry in refused + granted:
        assert HOLDER.document_number not in str(entry) and HOLDER.surname not in str(entry)


def test_without_a_trust_list_a_passport_proves_nothing(tmp_path):
    import requests

    from demo.embedded_backoffice import EmbeddedBackoffice
    from services.api import TerminalSignature
    from tests.api.conftest import Api

    with EmbeddedBackoffice(database=tmp_path / "backoffice.db", environ={"BACKOFFICE_CSCA_TRUST_LIST": ""}) as server:
        http = requests.Session()
        http.auth = TerminalSignature("CM-KIOSK-0001", server.terminal_secret_file.read_text())
        terminal = Api(server.url, http)
        answer = present(terminal, EPassportChip(HOLDER, signer=server.passport_pki().signer))
        assert answer.status_code == 503 and answer.json()["code"] == "passport_unavailable"


def test_staff_see_a_chip_read_without_verification_as_unverified(terminal, staff, pki):
    """A kiosk that sends the passport holder's application on its own chip read (no
    grant) gets a case staff see as unverified; under a verified chip's grant, verified."""
    guide = terminal.get("/v1/catalogue/items/469023-XK-SCJG-0002").json()
    applicant = {"kind": "person", "document_kind": "passport", "document_number": HOLDER.document_number,
                 "name": "CLAIRE MARTIN"}
    by_read = terminal.post("/v1/cases", dict(application(guide), applicant=applicant))
    granted = present(terminal, EPassportChip(HOLDER, signer=pki.signer)).json()
    by_chip = terminal.post("/v1/cases", dict(application(guide), applicant=applicant),
                            headers={"X-Presence-Grant": granted["grant"]})
    assert by_read.status_code == 201 and by_chip.status_code == 201, by_chip.text
    seen = {name: staff("clerk01").get(f"/v1/cases/{answer.json()['case']['number']}").json()
            for name, answer in (("read", by_read), ("chip", by_chip))}
    assert (seen["read"]["presence_evidence"], seen["read"]["applicant_unverified"]) == ("card_read", True)
    assert (seen["chip"]["presence_evidence"], seen["chip"]["applicant_unverified"]) == ("epassport_pa_aa", False)


def test_a_key_of_the_forgers_own_spliced_onto_a_chip_without_active_authentication_is_refused(terminal, pki):
    """The SOD of a genuine chip without Active Authentication lists no DG15: a DG15 and a
    signature from a chip the forger made do not make it one."""
    genuine = EPassportChip(HOLDER, signer=pki.signer, active_authentication=False)
    forgers = EPassportChip(HOLDER, signer=rogue_signer(pki))
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    nonce = bytes.fromhex(issued["nonce"])
    copied = read_chip_evidence(genuine.process, HOLDER.mrz_information, nonce, with_face=False)
    own = read_chip_evidence(forgers.process, HOLDER.mrz_information, nonce, with_face=False)
    body = dict(proof(ref, issued["challenge"], copied), dg15=b64(own.dg15), aa_signature=b64(own.aa_signature))
    answer = terminal.post("/v1/presence/passport-grants", body, key=None)
    assert answer.status_code == 403, answer.text
    assert answer.json()["code"] == "pa_hash_missing" and answer.json()["data_group"] == "DG15"


@pytest.mark.parametrize("aa_key", ["rsa", "rsa-sha256", "rsa-2048"])
def test_a_genuine_chip_with_rsa_active_authentication_gets_a_grant(terminal, pki, cases_on_file, aa_key):
    """RSA Active Authentication (ISO/IEC 9796-2 scheme 1): SHA-1 with trailer BC as most
    RSA passports sign, SHA-256 with the trailer naming it, and a 2048-bit key (its answer
    read with an extended-length command)."""
    answer = present(terminal, EPassportChip(HOLDER, signer=pki.signer, aa_key=aa_key))
    assert answer.status_code == 201, answer.text
    grant = {"X-Presence-Grant": answer.json()["grant"]}
    assert answer.json()["evidence"] == "epassport_pa_aa"
    mine = terminal.post("/v1/cases/search", {"applicant": HOLDER.document_number}, key=None, headers=grant)
    assert cases_on_file[HOLDER.document_number] in [c["number"] for c in mine.json()["cases"]]
    victims = terminal.post("/v1/cases/search", {"applicant": VICTIM.document_number}, key=None, headers=grant)
    assert victims.status_code == 403 and victims.json()["code"] == "presence_other_citizen"


def test_an_rsa_chips_signature_over_another_challenge_is_refused(terminal, pki):
    """A genuine RSA chip's answer recorded for one challenge, sent for a fresh one."""
    chip = EPassportChip(HOLDER, signer=pki.signer, aa_key="rsa")
    ref = uuid.uuid4().hex
    first = challenge(terminal, ref)
    recorded = read_chip_evidence(chip.process, HOLDER.mrz_information, bytes.fromhex(first["nonce"]))
    fresh = challenge(terminal, ref)
    answer = terminal.post("/v1/presence/passport-grants", proof(ref, fresh["challenge"], recorded), key=None)
    assert answer.status_code == 403 and answer.json()["code"] == "aa_signature_invalid", answer.text
    assert "grant" not in answer.json()


@pytest.mark.parametrize("tamper", ["flip_a_bit", "n_minus_one", "one_byte_short", "all_zero"])
def test_a_tampered_rsa_signature_is_refused(terminal, pki, tamper):
    chip = EPassportChip(HOLDER, signer=pki.signer, aa_key="rsa")
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    evidence = read_chip_evidence(chip.process, HOLDER.mrz_information, bytes.fromhex(issued["nonce"]))
    signature = evidence.aa_signature or b""
    assert isinstance(chip.aa_key, rsa.RSAPrivateKey)
    modulus = chip.aa_key.private_numbers().public_numbers.n
    tampered = {"flip_a_bit": signature[:-1] + bytes([signature[-1] ^ 0x01]),
                "n_minus_one": (modulus - 1).to_bytes(len(signature), "big"),
                "one_byte_short": signature[1:], "all_zero": bytes(len(signature))}[tamper]
    body = dict(proof(ref, issued["challenge"], evidence), aa_signature=b64(tampered))
    answer = terminal.post("/v1/presence/passport-grants", body, key=None)
    assert answer.status_code == 403 and answer.json()["code"] == "aa_signature_invalid", answer.text


def test_an_active_authentication_key_neither_ec_nor_rsa_is_refused_as_unsupported(terminal, pki):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from devices.idcard.emulators.passport_pki import signed_sod
    from devices.idcard.icao.tlv import encode

    key = ed25519.Ed25519PrivateKey.generate()
    dg15 = encode(0x6F, key.public_key().public_bytes(serialization.Encoding.DER,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo))
    dg1 = dg1_of(HOLDER)
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    body = {"session": ref, "challenge": issued["challenge"], "sod": b64(signed_sod({1: dg1, 15: dg15}, pki.signer)),
            "dg1": b64(dg1), "dg15": b64(dg15), "aa_signature": b64(key.sign(bytes.fromhex(issued["nonce"])))}
    answer = terminal.post("/v1/presence/passport-grants", body, key=None)
    assert answer.status_code == 422 and answer.json()["code"] == "aa_unsupported", answer.text


def test_a_signer_certificate_that_does_not_parse_is_malformed_not_a_server_error(terminal, pki):
    chip = EPassportChip(HOLDER, signer=pki.signer)
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    evidence = read_chip_evidence(chip.process, HOLDER.mrz_information, bytes.fromhex(issued["nonce"]))
    assert evidence.sod is not None and evidence.sod.count(b"\xa0\x03\x02\x01\x02") == 1  # X.509 v3's version
    sod = evidence.sod.replace(b"\xa0\x03\x02\x01\x02", b"\xa0\x03\x02\x01\x33")
    answer = terminal.post("/v1/presence/passport-grants", dict(proof(ref, issued["challenge"], evidence),
                                                                sod=b64(sod)), key=None)
    assert answer.status_code == 422 and answer.json()["code"] == "sod_malformed", answer.text


def test_one_kiosk_session_gets_grants_for_a_few_passports_not_a_stack(terminal, pki):
    """A found stack of passports at the glass: after three citizens in one session the next
    chip, genuine as it is, is refused, and so is a seventh challenge."""
    ref = uuid.uuid4().hex
    holders = [PassportHolder(surname="STACK", given_names=f"HOLDER {n}", document_number=f"ST{n:07d}",
                              issuing_state="UTO", nationality="UTO", birth_yymmdd="800101", sex="F",
                              expiry_yymmdd="320101") for n in range(4)]
    for holder in holders[:3]:
        assert present(terminal, EPassportChip(holder, signer=pki.signer), session_ref=ref).status_code == 201
    fourth = present(terminal, EPassportChip(holders[3], signer=pki.signer), session_ref=ref)
    assert fourth.status_code == 429 and fourth.json()["code"] == "session_limit", fourth.text
    again = present(terminal, EPassportChip(holders[0], signer=pki.signer), session_ref=ref)
    assert again.status_code == 201  # one of the three, read again: still fine
    challenge(terminal, ref)  # the sixth
    refused = terminal.post("/v1/presence/passport-challenges", {"session": ref}, key=None)
    assert refused.status_code == 429 and refused.json()["code"] == "session_limit"
