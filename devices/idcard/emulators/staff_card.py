"""A staff maintenance card for the PC/SC tests: a contactless badge that answers the
reader's GET DATA (FF CA) with its UID and refuses everything else, as a MIFARE-type
badge does behind a PC/SC reader. Runs on vpcd like the ePassport chip (VpcdCard)."""
from __future__ import annotations

SW_OK = b"\x90\x00"
SW_INS = b"\x6d\x00"


class StaffCard:
    def __init__(self, uid: bytes):
        self.uid = bytes(uid)
        self.apdus = 0

    def reset(self) -> None:
        """Nothing to forget between power-ups: the UID is fixed."""

    def process(self, apdu: bytes) -> bytes:
        self.apdus += 1
        if apdu[:4] == b"\xff\xca\x00\x00":
            return self.uid + SW_OK
        return SW_INS
