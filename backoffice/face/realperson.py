"""实人认证: the provincial real-person authentication service compares a live face with
the photo on record for a resident ID number (the Ministry of Public Security's, which
the county never holds). The back office checks liveness itself first, then shows the
service one frontal frame: the least it can transfer.

`AliyunRealPerson` asks Alibaba Cloud's 金融级实人认证, one of the licensed providers the
service is reached through. `EmulatedRealPerson` stands in for it with a folder of
reference photos named by ID number (the demo's people and the tests), compared with this
back office's own model; `NoRealPerson` where no service is contracted: a resident ID card
then has no face route and the kiosk offers the SMS code. Chosen by
BACKOFFICE_REAL_PERSON=aliyun|emulator:PATH|none."""
from __future__ import annotations

import base64
import json
import logging
import time
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import requests

from ..aliyun_rpc import signed_form
from . import detect, images, sequence
from .compare import compare
from .embed import embedding
from .model import model

log = logging.getLogger(__name__)

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")


@dataclass(frozen=True)
class RealPersonVerdict:
    match: bool
    # The service's measure, for the audit: the emulator's is our model's distance (lower
    # is closer), Alibaba Cloud's its verifyScore (0-100, higher is closer); None without one.
    score: float | None
    model: str  # what decided, for the audit
    reason: str = ""
    refusal: str = "face_no_match"  # the problem code a refusal answers with


class RealPersonCheck(ABC):
    name = ""

    @abstractmethod
    def available(self) -> bool:
        """Whether a comparison can be asked for now (a challenge is refused before the citizen turns otherwise)."""

    @abstractmethod
    def compare(self, id_number: str, name: str, live_jpeg: bytes, threshold: float) -> RealPersonVerdict | None:
        """The service's verdict on the live face for the ID number, or None when it
        cannot be reached now."""


class EmulatedRealPerson(RealPersonCheck):
    """Reference photos in a folder, `<ID number>.jpg` (or .png), read when asked."""

    name = "emulator"

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def available(self) -> bool:
        return self.folder.is_dir()

    def compare(self, id_number: str, name: str, live_jpeg: bytes, threshold: float) -> RealPersonVerdict | None:
        if not self.available():
            return None
        face_model = model()
        decided_by = f"realperson-emulator/{face_model.version}"
        photo = next((p for p in (self.folder / f"{id_number.strip().upper()}{s}" for s in PHOTO_SUFFIXES)
                      if p.is_file()), None)
        if photo is None:
            return RealPersonVerdict(False, None, decided_by, "no photo on record for this ID number")
        try:
            reference = sequence.reference_embedding(face_model, photo.read_bytes())
        except (detect.NoFace, detect.ManyFaces, images.ImageRefused):
            return RealPersonVerdict(False, None, decided_by, "the photo on record holds no usable face")
        rgb = images.decode(live_jpeg)
        live = embedding(face_model, rgb, detect.one_face(face_model, rgb))
        result = compare(live, reference, threshold)
        return RealPersonVerdict(result.match, result.distance, decided_by)


class NoRealPerson(RealPersonCheck):
    name = "none"

    def available(self) -> bool:
        return False

    def compare(self, id_number: str, name: str, live_jpeg: bytes, threshold: float) -> RealPersonVerdict | None:
        return None


# ContrastFaceVerify's ResultObject.SubCode when Passed is "F": why, in words for the
# kiosk's log and the audit, and the problem code the refusal answers with.
_NOT_PASSED = {
    "201": ("the name and the ID number do not belong together", "face_no_match"),
    "202": ("the service holds no identity for this ID number", "face_no_match"),
    "203": ("the service holds no usable photo for this ID number", "face_no_match"),
    "204": ("the face is not the one on record", "face_no_match"),
    "205": ("the service saw a risk that the face is not live", "face_not_live"),
    "206": ("the service's own risk rules stopped the check", "face_no_match"),
}
# Answers about this citizen rather than the line: a verdict (no match), not "try later".
_REFUSED_FOR_THE_CITIZEN = {
    "401": "the service refused the name or the ID number as malformed",
    "417": "the service cannot compare this identity: the staffed window can",
    "418": "the service's face checks for this identity are used up for today",
}


class AliyunRealPerson(RealPersonCheck):
    """金融级实人认证's ContrastFaceVerify (version 2019-03-07, ProductCode ID_MIN): the
    name, the ID number and the one frontal frame go to the provider, which compares the
    face with the Ministry's photo and checks it is live again (`Model`: a fixed camera is
    REAR_CAMERA_LIVENESS, "photos taken in other settings"). ResultObject.Passed decides;
    the verifyScore in MaterialInfo is audited beside it. A fault of the line or the
    service is None (the citizen is offered the code), and for a minute afterwards the
    service counts as unavailable, so the next citizen is not asked to turn for nothing."""

    name = "aliyun"
    ACTION, VERSION = "ContrastFaceVerify", "2019-03-07"
    RESTING_S = 60.0

    def __init__(self, access_key_id: str, access_key_secret: str, scene_id: str,
                 endpoint: str = "https://cloudauth.aliyuncs.com/", liveness: str = "REAR_CAMERA_LIVENESS",
                 timeout_s: float = 10.0):
        self.access_key_id, self._secret, self.scene_id = access_key_id, access_key_secret, scene_id
        self.endpoint, self.liveness, self.timeout_s = endpoint, liveness, timeout_s
        self._http = requests.Session()
        self._down_until = 0.0

    @property
    def decided_by(self) -> str:
        return f"aliyun-cloudauth/{self.ACTION}/ID_MIN"

    def available(self) -> bool:
        return bool(self.access_key_id and self._secret and self.scene_id) and time.monotonic() >= self._down_until

    def compare(self, id_number: str, name: str, live_jpeg: bytes, threshold: float) -> RealPersonVerdict | None:
        if not self.available():
            return None
        if not name.strip():
            return RealPersonVerdict(False, None, self.decided_by, "the service needs the name on the card")
        form = signed_form(self.ACTION, self.VERSION, {
            "SceneId": self.scene_id, "OuterOrderNo": uuid.uuid4().hex, "ProductCode": "ID_MIN",
            "Model": self.liveness, "CertType": "IDENTITY_CARD", "CertName": name.strip(),
            "CertNo": id_number.strip().upper(), "FaceContrastPicture": base64.b64encode(live_jpeg).decode(),
        }, self.access_key_id, self._secret)
        try:
            answer = self._http.post(self.endpoint, data=form, timeout=self.timeout_s)
            body = answer.json()
        except (requests.RequestException, ValueError) as exc:
            return self._unreachable(cause="unreachable", error=type(exc).__name__)
        if not isinstance(body, dict):
            return self._unreachable(cause="not an object", status=answer.status_code)
        code = str(body.get("Code", ""))
        if code in _REFUSED_FOR_THE_CITIZEN:
            return RealPersonVerdict(False, None, self.decided_by, _REFUSED_FOR_THE_CITIZEN[code])
        result = body.get("ResultObject")
        if answer.status_code != 200 or code != "200" or not isinstance(result, dict):
            return self._unreachable(cause="refused", status=answer.status_code, code=code[:80])
        score = _verify_score(result.get("MaterialInfo"))
        if result.get("Passed") == "T":
            return RealPersonVerdict(True, score, self.decided_by)
        sub_code = str(result.get("SubCode", ""))
        reason, refusal = _NOT_PASSED.get(sub_code, (f"the service did not confirm the face ({sub_code[:8]})",
                                                     "face_no_match"))
        return RealPersonVerdict(False, score, self.decided_by, reason, refusal)

    def _unreachable(self, **extra) -> None:
        log.warning("real-person service gave no verdict", extra=extra)
        self._down_until = time.monotonic() + self.RESTING_S
        return None


def _verify_score(material_info) -> float | None:
    """MaterialInfo is a JSON string; its facialPictureFront.verifyScore may be missing."""
    try:
        front = json.loads(material_info).get("facialPictureFront") or {}
        return round(float(front["verifyScore"]), 2)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def real_person_from_settings(settings) -> RealPersonCheck:
    choice = settings.real_person
    if choice.startswith("emulator:"):
        return EmulatedRealPerson(Path(choice.split(":", 1)[1]))
    if choice == "none":
        return NoRealPerson()
    if choice == "aliyun":
        return AliyunRealPerson(settings.real_person_aliyun_key_id or settings.sms_aliyun_key_id,
                                settings.real_person_aliyun_key_secret or settings.sms_aliyun_key_secret,
                                settings.real_person_aliyun_scene_id, endpoint=settings.real_person_aliyun_endpoint)
    raise ValueError(f"unknown real-person service {choice!r}: aliyun, emulator:PATH or none")
