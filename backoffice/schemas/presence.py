"""Presence grants on the wire (routes/presence.py)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .wire import RequestBody, Wire


class CodeRequestIn(RequestBody):
    """Send a one-time code for the citizen at the glass. `phone` only when the back office
    answered that none is on file (409 phone_needed); `name` for the carriers' check of it."""
    session: str = Field(min_length=8, max_length=64)  # the kiosk's session, which the grant is bound to
    id_number: str = Field(min_length=6, max_length=32)
    name: str = Field("", max_length=100)
    phone: str = Field("", max_length=20)
    language: Literal["zh_CN", "en"] = "zh_CN"


class CodeSentOut(Wire):
    challenge: str
    phone_masked: str  # where the code went, e.g. 138****1234
    phone_source: Literal["on_file", "typed"]
    expires_in_s: int
    resend_after_s: int
    tries: int


class CodeIn(RequestBody):
    session: str = Field(min_length=8, max_length=64)
    challenge: str = Field(min_length=8, max_length=32)
    code: str = Field(min_length=1, max_length=12)


class GrantOut(Wire):
    """Present `grant` as the X-Presence-Grant header on the citizen's requests."""
    grant: str
    scopes: list[str]
    # what proved the citizen's presence: sms_on_file, sms_carrier_checked, epassport_pa_aa,
    # face_realperson, face_passport_dg2
    evidence: str
    expires_in_s: int


class GrantEndIn(RequestBody):
    reason: Literal["finish", "card_removed", "timeout", "other"] = "finish"


class GrantEndedOut(Wire):
    ended: bool


class PassportChallengeIn(RequestBody):
    session: str = Field(min_length=8, max_length=64)  # the kiosk's session, which the challenge is bound to


class PassportChallengeOut(Wire):
    """`nonce` is what the chip signs with INTERNAL AUTHENTICATE; `challenge` names it back."""
    challenge: str
    nonce: str  # 8 bytes as 16 hex digits
    expires_in_s: int


# Base64 of the chip's files as read; the limits are well above what an ICAO 9303 chip holds
# (DG2's face image is the large one).
class PassportProofIn(RequestBody):
    """What the terminal read from the passport's chip, for the back office to verify."""
    session: str = Field(min_length=8, max_length=64)
    challenge: str = Field(min_length=8, max_length=32)
    sod: str = Field(min_length=4, max_length=32_000)
    dg1: str = Field(min_length=4, max_length=400)
    dg15: str = Field("", max_length=4_000)  # empty: the chip has none
    dg2: str = Field("", max_length=200_000)  # empty: not read; sent, it is checked too
    aa_signature: str = Field("", max_length=1_400)  # empty: the chip refused to sign


# --- face verification (presence_face.py) ---------------------------------------------------
FRAME_B64_MAX = 200_000  # one camera frame, JPEG, as base64: 640x480 at quality 85 is 40-80 KB
FRAMES_MAX = 8
INFRARED_MAX = 2  # a binocular camera's infrared frames: with the first frame and with the last


FaceAction = Literal["turn_left", "turn_right", "blink"]


class FaceChallengeIn(RequestBody):
    """Ask a head turn or a blink of the citizen at the glass, after they consented to the face check on
    its own page (`consent_version` names the text they agreed to; it is audited). For a
    passport, its chip must have been proven in this session (POST /v1/presence/passport-grants
    with DG2) first; for a resident ID card the provincial real-person service is asked."""
    session: str = Field(min_length=8, max_length=64)  # the kiosk's session, which the challenge is bound to
    document_kind: Literal["resident_id", "passport"]
    document_number: str = Field(min_length=6, max_length=32)
    name: str = Field("", max_length=100, description="The card's name, for the real-person service; optional")
    consent_version: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9._-]+$")
    actions: list[FaceAction] = Field(
        default_factory=lambda: ["turn_left", "turn_right"], min_length=1, max_length=3,
        description="What the kiosk can ask of the citizen (it has the words and the voice for them); one is "
                    "chosen at random. A kiosk that does not say can ask the head turns only")


class FaceChallengeOut(Wire):
    """What to ask of the citizen and how many frames to take while they do it."""
    challenge: str
    actions: list[FaceAction] = Field(
        description="In order; turn_left is the citizen's own left (the image's right: send frames as the "
                    "camera took them, never mirrored); blink: the eyes closed for about a second, then open")
    expires_in_s: int
    frames_wanted: int = Field(description="Frames to send, taken evenly while the citizen does the actions, "
                                           "the first one facing the camera")
    frames_min: int
    frames_max: int
    tries: int = Field(description="Frame sets this challenge takes before it is spent")


class FaceFramesIn(RequestBody):
    """The frames taken during the challenge's actions, in order, each a JPEG (640x480 is
    plenty; the face at least 100 pixels wide), base64. Each frame is taken once: a frame
    sent before, in any request, is refused as a replay."""
    session: str = Field(min_length=8, max_length=64)
    challenge: str = Field(min_length=8, max_length=32)
    frames: list[Annotated[str, Field(min_length=4, max_length=FRAME_B64_MAX)]] = Field(
        min_length=3, max_length=FRAMES_MAX)
    infrared: list[Annotated[str, Field(min_length=4, max_length=FRAME_B64_MAX)]] = Field(
        default_factory=list, max_length=INFRARED_MAX,
        description="A binocular camera's infrared frames, JPEG, base64: one taken with the first frame and one "
                    "with the last. Checked when sent (one face each, where the frame's face is: a screen shows "
                    "none); required where the county says every camera has an infrared eye")


class FaceGrantOut(GrantOut):
    """A grant like a code's, and what decided it."""
    outcome: Literal["match"]
    score: float | None = Field(description="The deciding comparison's measure, read by `model`: this back "
                                            "office's model's distance (lower is closer), or the real-person "
                                            "service's own (Alibaba Cloud's verifyScore: 0-100, higher is closer)")
    model: str = Field(description="What decided the match: the face model's version, or the real-person service's")
