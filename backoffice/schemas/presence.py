"""Presence grants on the wire (routes/presence.py)."""
from __future__ import annotations

from typing import Literal

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
    evidence: str  # what proved the citizen's presence: sms_on_file, sms_carrier_checked, epassport_pa_aa
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
