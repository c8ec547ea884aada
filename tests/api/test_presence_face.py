"""The citizen's face as evidence for a presence grant (人证核验), over HTTP against the real
back office on SQLite and PostgreSQL, through the real face model.

The kiosk films the head turn the back office asked for; the back office decides. A
resident ID card's reference is the photo behind the real-person service (its emulator
holds, as 王建国's photo on record, Eileen Collins' from scikit-image and, as 李秀英's,
Grace Hopper's from matplotlib: tests/face/faces.py); a passport's is the DG2 face that
passive authentication proved in the same session. The live frames are SYNTHETIC (a
real face warped so its nose moves against its eyes, tests/face/faces.py live_turn): no
package ships a real head turning. Every refusal below buys no grant."""
from __future__ import annotations

import base64
import itertools
import uuid

import cv2
import numpy as np
import pytest
import requests

from backoffice.face import detect
from backoffice.face.model import model
from demo.embedded_backoffice import EmbeddedBackoffice
from devices.face.filming import in_infrared
from devices.idcard.emulators.epassport import EPassportChip
from tests.api.conftest import TERMINAL, Api
from tests.api.database import execute_sql, query, stored_bytes
from tests.api.test_presence_passport import HOLDER, audit_entries, present
from tests.face import faces

WANG, LI = "469023195801041234", "469023198501010026"
CONSENT = "face-consent-2026.1"
SEEDS = itertools.count(1)  # every set of frames a camera's own: none repeats another


@pytest.fixture(scope="module", autouse=True)
def photos_on_record(server):
    """The real-person service's records: a passport-sized photo of each."""
    record = faces.astronaut()[0:380, 60:380]
    (server.real_person_photos / f"{WANG}.jpg").write_bytes(faces.jpeg(cv2.resize(record, (240, 285)), 70))
    (server.real_person_photos / f"{LI}.jpg").write_bytes(faces.jpeg(faces.grace_hopper(), 70))


@pytest.fixture(scope="module")
def glass():
    picture = faces.astronaut_at_the_glass()
    return picture, detect.one_face(model(), picture).landmarks


def b64(frames: list[np.ndarray]) -> list[str]:
    return [base64.b64encode(faces.jpeg(f)).decode() for f in frames]


def ask(terminal, session_ref: str, number: str = WANG, kind: str = "resident_id", **extra):
    return terminal.post("/v1/presence/face-challenges", {"session": session_ref, "document_kind": kind,
                                                          "document_number": number, "consent_version": CONSENT,
                                                          **extra}, key=None)


def challenge(terminal, session_ref: str, number: str = WANG, kind: str = "resident_id") -> dict:
    answer = ask(terminal, session_ref, number, kind)
    assert answer.status_code == 201, answer.text
    return answer.json()


def turning(glass, issued: dict, as_asked: bool = True) -> list[np.ndarray]:
    left = (issued["actions"] == ["turn_left"]) == as_asked
    return faces.live_turn(*glass, left=left, seed=next(SEEDS))


def send(terminal, session_ref: str, issued: dict, frames: list[str], **extra):
    return terminal.post("/v1/presence/face-grants", {"session": session_ref, "challenge": issued["challenge"],
                                                      "frames": frames, **extra}, key=None)


def test_a_live_face_matching_the_photo_on_record_gets_a_grant_that_opens_the_citizens_cases(terminal, staff,
                                                                                            glass):
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    assert issued["actions"] in (["turn_left"], ["turn_right"])
    assert issued["frames_wanted"] == 5 and issued["tries"] == 3 and issued["expires_in_s"] == 120
    answer = send(terminal, ref, issued, b64(turning(glass, issued)))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["outcome"] == "match" and body["evidence"] == "face_realperson"
    assert set(body["scopes"]) >= {"read", "submit", "collect", "rate", "withdraw"}
    assert 0 <= body["score"] <= 0.45 and body["model"].startswith("realperson-emulator/dlib-20.0.1/")
    grant = {"X-Presence-Grant": body["grant"]}
    mine = terminal.post("/v1/cases/search", {"applicant": WANG}, key=None, headers=grant)
    assert mine.status_code == 200 and mine.json()["cases"]
    other = terminal.post("/v1/cases/search", {"applicant": LI}, key=None, headers=grant)
    assert other.status_code == 403
    # The audit keeps the outcome, the score, the model and the consent: never a frame or a template.
    checked = [e for e in audit_entries(staff) if e["action"] == "presence.face_checked"][-1]
    assert checked["detail"]["outcome"] == "match" and checked["detail"]["consent_version"] == CONSENT
    assert set(checked["detail"]) == {"outcome", "score", "model", "consent_version", "document_kind", "evidence"}


def test_the_challenge_grants_once_and_its_frames_never_again(terminal, glass):
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    frames = b64(turning(glass, issued))
    assert send(terminal, ref, issued, frames).status_code == 201
    again = send(terminal, ref, issued, frames)
    assert again.status_code == 410 and again.json()["code"] == "used"
    # The same frames for a new challenge (of the same action or not) are a replay.
    fresh = challenge(terminal, ref)
    replayed = send(terminal, ref, fresh, frames)
    assert replayed.status_code == 403 and replayed.json()["code"] == "frames_replayed", replayed.text
    # One of them among new ones, too.
    mixed = b64(turning(glass, fresh))[:4] + frames[:1]
    assert send(terminal, ref, fresh, mixed).json()["code"] == "frames_replayed"


def test_a_grant_without_frames_is_refused(terminal, glass):
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    for frames in ([], b64(faces.live_turn(*glass, left=True, seed=next(SEEDS))[:2])):  # none, too few to turn
        answer = send(terminal, ref, issued, frames)
        assert answer.status_code == 422 and "grant" not in answer.json()
    bare = terminal.post("/v1/presence/face-grants", {"session": ref, "challenge": issued["challenge"]}, key=None)
    assert bare.status_code == 422
    not_jpeg = send(terminal, ref, issued, [base64.b64encode(b"%PDF-1.4 " + bytes([n]) * 200).decode()
                                            for n in range(3)])
    assert not_jpeg.status_code == 422 and not_jpeg.json()["code"] == "frame_invalid"


def test_a_flat_photo_held_up_and_tilted_is_refused_as_not_live(terminal, glass):
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    answer = send(terminal, ref, issued, b64(faces.flat_print_moved(glass[0])))
    assert answer.status_code == 403 and answer.json()["code"] == "face_not_live", answer.text
    assert answer.json()["tries_left"] == 2 and "grant" not in answer.json()


def test_a_turn_the_other_way_is_refused_as_not_live(terminal, glass):
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    answer = send(terminal, ref, issued, b64(turning(glass, issued, as_asked=False)))
    assert answer.status_code == 403 and answer.json()["code"] == "face_not_live"


def test_a_kiosk_that_can_ask_a_blink_may_be_asked_one_and_a_blink_seen_gets_a_grant(terminal, glass):
    ref = uuid.uuid4().hex
    issued = ask(terminal, ref, actions=["blink"]).json()
    assert issued["actions"] == ["blink"] and issued["frames_wanted"] == 8
    answer = send(terminal, ref, issued, b64(faces.live_blink(*glass, seed=next(SEEDS))))
    assert answer.status_code == 201, answer.text
    assert answer.json()["evidence"] == "face_realperson"


def test_a_blink_asked_is_not_answered_by_a_turn_or_a_photo(terminal, glass):
    ref = uuid.uuid4().hex
    issued = ask(terminal, ref, actions=["blink"]).json()
    print_in_other_light = faces.brightness(glass[0], 1.0, 1 + next(SEEDS) % 9)  # frames no earlier set had
    for frames in (faces.live_turn(*glass, left=True, seed=next(SEEDS)), faces.flat_print_moved(print_in_other_light)):
        answer = send(terminal, ref, issued, b64(frames))
        assert answer.status_code == 403 and answer.json()["code"] == "face_not_live", answer.text
        assert "grant" not in answer.json()


def test_an_action_the_back_office_does_not_check_cannot_be_offered(terminal):
    for offered in (["smile"], []):
        answer = ask(terminal, uuid.uuid4().hex, actions=offered)
        assert answer.status_code == 422 and "challenge" not in answer.json()


def test_infrared_frames_showing_the_face_pass_and_a_screens_dark_pane_does_not(terminal, glass):
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    frames = turning(glass, issued)
    noise = np.random.default_rng(next(SEEDS))
    screen = [noise.integers(8, 20, frames[0].shape, dtype=np.uint8) for _ in "ab"]  # a tablet playing a video
    answer = send(terminal, ref, issued, b64(frames), infrared=b64(screen))
    assert answer.status_code == 403 and answer.json()["code"] == "face_not_live", answer.text
    assert answer.json()["detail"] == "no face in infrared frame 1: a screen shows none"
    frames = turning(glass, issued)
    answer = send(terminal, ref, issued, b64(frames), infrared=b64([in_infrared(frames[0]), in_infrared(frames[-1])]))
    assert answer.status_code == 201, answer.text


def test_infrared_frames_sent_before_are_a_replay(terminal, glass):
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    frames = turning(glass, issued)
    seen = b64([in_infrared(frames[0])])
    assert send(terminal, ref, issued, b64(frames), infrared=seen).status_code == 201
    again = challenge(terminal, ref)
    answer = send(terminal, ref, again, b64(turning(glass, again)), infrared=seen)
    assert answer.status_code == 403 and answer.json()["code"] == "frames_replayed"


def test_someone_else_than_the_photo_on_record_is_refused_as_no_match(terminal, glass):
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref, LI)  # her record is Grace Hopper's photo; Eileen Collins turns
    answer = send(terminal, ref, issued, b64(turning(glass, issued)))
    assert answer.status_code == 403 and answer.json()["code"] == "face_no_match", answer.text
    assert answer.json()["score"] > 0.45


def test_nobody_and_two_people_are_refused_with_their_reasons(terminal, glass):
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    rng = np.random.default_rng(next(SEEDS))
    nobody = [rng.integers(80, 100, (480, 640, 3), dtype=np.uint8) for _ in range(5)]
    answer = send(terminal, ref, issued, b64(nobody))
    assert answer.status_code == 403 and answer.json()["code"] == "face_none"
    frames = turning(glass, issued)
    frames[2] = np.hstack([frames[2], faces.frame(faces.grace_hopper(), 400, 480)])
    answer = send(terminal, ref, issued, b64(frames))
    assert answer.status_code == 403 and answer.json()["code"] == "face_many"


def test_a_challenge_is_spent_after_its_tries_and_belongs_to_its_session(terminal, glass):
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    assert send(terminal, uuid.uuid4().hex, issued, b64(turning(glass, issued))).status_code == 404
    for tries_left in (2, 1, 0):
        answer = send(terminal, ref, issued, b64(faces.flat_print_moved(glass[0])[:5]))
        assert answer.json()["tries_left"] == tries_left
    spent = send(terminal, ref, issued, b64(turning(glass, issued)))
    assert spent.status_code == 410 and spent.json()["code"] == "tries_exhausted"


def test_a_session_asks_only_so_many_face_checks(terminal):
    ref = uuid.uuid4().hex
    for _ in range(4):
        challenge(terminal, ref)
    answer = ask(terminal, ref)
    assert answer.status_code == 429 and answer.json()["code"] == "session_limit"


def test_a_passport_face_needs_a_chip_proven_in_the_same_session(terminal, glass):
    answer = ask(terminal, uuid.uuid4().hex, HOLDER.document_number, "passport")
    assert answer.status_code == 403 and answer.json()["code"] == "face_reference_unproven"


@pytest.fixture(scope="module")
def pki(server):
    return server.passport_pki()


def holders_dg2_face() -> bytes:
    """Her passport's DG2 face: small, tight and JPEG-compressed as a chip holds it."""
    return faces.jpeg(cv2.resize(faces.astronaut()[40:330, 110:350], (180, 218)), 60)


def test_a_chip_without_active_authentication_stands_behind_its_holders_live_face(server, terminal, pki, glass):
    chip = EPassportChip(HOLDER, face=holders_dg2_face(), signer=pki.signer, active_authentication=False)
    ref = uuid.uuid4().hex
    proof = present(terminal, chip, with_face=True, session_ref=ref)
    assert proof.status_code == 403 and proof.json()["code"] == "aa_unavailable"  # no grant on the chip alone
    # ...but its DG2 passed passive authentication: the face step may compare with it.
    elsewhere = ask(terminal, uuid.uuid4().hex, HOLDER.document_number, "passport")
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "face_reference_unproven"
    if server.kind == "sqlite":  # held encrypted: the face image's bytes are nowhere in the database
        assert chip.face[len(chip.face) // 2:][:48] not in stored_bytes(server)
    issued = challenge(terminal, ref, HOLDER.document_number, "passport")
    answer = send(terminal, ref, issued, b64(turning(glass, issued)))
    assert answer.status_code == 201, answer.text
    assert query(server, "SELECT count(*) FROM face_references WHERE session_ref = :ref", ref=ref) == [(0,)]
    assert answer.json()["evidence"] == "face_passport_dg2" and answer.json()["model"].startswith("dlib-20.0.1/")
    grant = {"X-Presence-Grant": answer.json()["grant"]}
    mine = terminal.post("/v1/cases/search", {"applicant": HOLDER.document_number}, key=None, headers=grant)
    assert mine.status_code == 200
    # The proven face was for that one step: it is gone now.
    again = ask(terminal, ref, HOLDER.document_number, "passport")
    assert again.status_code == 403 and again.json()["code"] == "face_reference_unproven"


def test_a_dg2_that_passive_authentication_did_not_prove_is_no_reference(terminal, pki, glass):
    """A forger sends another face as DG2: its hash fails, and nothing is kept to compare with."""
    chip = EPassportChip(HOLDER, face=holders_dg2_face(), signer=pki.signer, active_authentication=False)
    ref = uuid.uuid4().hex
    issued = terminal.post("/v1/presence/passport-challenges", {"session": ref}, key=None).json()
    from devices.idcard.icao.reader import read_chip_evidence
    from tests.api.test_presence_passport import proof

    evidence = read_chip_evidence(chip.process, HOLDER.mrz_information, bytes.fromhex(issued["nonce"]))
    assert evidence.dg2 is not None
    someone_else = faces.jpeg(cv2.resize(faces.grace_hopper()[100:400, 120:420], (180, 218)), 60)
    forged_dg2 = evidence.dg2.replace(chip.face, someone_else[:len(chip.face)].ljust(len(chip.face), b"\0"))
    body = dict(proof(ref, issued["challenge"], evidence), dg2=base64.b64encode(forged_dg2).decode())
    refused = terminal.post("/v1/presence/passport-grants", body, key=None)
    assert refused.status_code == 403 and refused.json()["code"] == "pa_hash_mismatch"
    answer = ask(terminal, ref, HOLDER.document_number, "passport")
    assert answer.status_code == 403 and answer.json()["code"] == "face_reference_unproven"


def test_an_expired_challenge_is_gone(server, terminal, glass):
    ref = uuid.uuid4().hex
    issued = challenge(terminal, ref)
    execute_sql(server, "UPDATE face_challenges SET expires_at = created_at WHERE id = :id", id=issued["challenge"])
    answer = send(terminal, ref, issued, b64(turning(glass, issued)))
    assert answer.status_code == 410 and answer.json()["code"] == "expired"


def test_a_proven_dg2_that_expired_before_the_frames_came_is_no_reference(server, terminal, pki, glass):
    chip = EPassportChip(HOLDER, face=holders_dg2_face(), signer=pki.signer, active_authentication=False)
    ref = uuid.uuid4().hex
    present(terminal, chip, with_face=True, session_ref=ref)
    issued = challenge(terminal, ref, HOLDER.document_number, "passport")
    execute_sql(server, "UPDATE face_references SET expires_at = created_at WHERE session_ref = :ref", ref=ref)
    answer = send(terminal, ref, issued, b64(turning(glass, issued)))
    assert answer.status_code == 403 and answer.json()["code"] == "face_reference_unproven"


def test_without_a_real_person_service_a_resident_id_card_has_no_face_route(server, tmp_path):
    if server.kind != "sqlite":
        pytest.skip("a setting of the server's, the same on either database")
    with EmbeddedBackoffice(database=tmp_path / "backoffice.db", environ={"BACKOFFICE_REAL_PERSON": "none"}) as bo:
        from services.api import TerminalSignature

        http = requests.Session()
        http.auth = TerminalSignature(TERMINAL, bo.terminal_secret_file.read_text())
        answer = ask(Api(bo.url, http), uuid.uuid4().hex)
        assert answer.status_code == 503 and answer.json()["code"] == "realperson_unavailable"


def test_a_county_whose_cameras_all_see_infrared_refuses_a_check_without_it(server, tmp_path, glass):
    if server.kind != "sqlite":
        pytest.skip("a setting of the server's, the same on either database")
    required = {"BACKOFFICE_FACE_INFRARED": "required"}
    with EmbeddedBackoffice(database=tmp_path / "backoffice.db", environ=required) as bo:
        from services.api import TerminalSignature

        (bo.real_person_photos / f"{WANG}.jpg").write_bytes(faces.jpeg(faces.astronaut()[0:380, 60:380], 70))
        http = requests.Session()
        http.auth = TerminalSignature(TERMINAL, bo.terminal_secret_file.read_text())
        api, ref = Api(bo.url, http), uuid.uuid4().hex
        issued = challenge(api, ref)
        frames = turning(glass, issued)
        without = send(api, ref, issued, b64(frames))
        assert without.status_code == 403 and without.json()["code"] == "infrared_required"
        answer = send(api, ref, issued, b64(frames), infrared=b64([in_infrared(frames[0])]))
        assert answer.status_code == 201, answer.text  # the refusal took no try and kept no frame
