"""Key events to text for keyboard-wedge scanners: a USB scanner that types its payload
as key presses and ends it with Enter. US layout, as scanners ship configured; a payload
outside printable ASCII cannot be typed this way (use a serial or camera scanner)."""
from __future__ import annotations

from evdev import ecodes

EV_KEY = ecodes.EV_KEY
KEY_DOWN, KEY_HOLD = 1, 2

_PLAIN: dict[int, str] = {}
_SHIFTED: dict[int, str] = {}
for _ch in "abcdefghijklmnopqrstuvwxyz":
    _PLAIN[getattr(ecodes, f"KEY_{_ch.upper()}")] = _ch
    _SHIFTED[getattr(ecodes, f"KEY_{_ch.upper()}")] = _ch.upper()
for _digit, _shift in zip("1234567890", "!@#$%^&*()"):
    _PLAIN[getattr(ecodes, f"KEY_{_digit}")] = _digit
    _SHIFTED[getattr(ecodes, f"KEY_{_digit}")] = _shift
for _name, _plain, _shift in [
    ("MINUS", "-", "_"), ("EQUAL", "=", "+"), ("LEFTBRACE", "[", "{"), ("RIGHTBRACE", "]", "}"),
    ("SEMICOLON", ";", ":"), ("APOSTROPHE", "'", '"'), ("GRAVE", "`", "~"), ("BACKSLASH", "\\", "|"),
    ("COMMA", ",", "<"), ("DOT", ".", ">"), ("SLASH", "/", "?"), ("SPACE", " ", " "),
]:
    _PLAIN[getattr(ecodes, f"KEY_{_name}")] = _plain
    _SHIFTED[getattr(ecodes, f"KEY_{_name}")] = _shift
for _name, _ch in [("KP0", "0"), ("KP1", "1"), ("KP2", "2"), ("KP3", "3"), ("KP4", "4"), ("KP5", "5"),
                   ("KP6", "6"), ("KP7", "7"), ("KP8", "8"), ("KP9", "9"), ("KPMINUS", "-"),
                   ("KPPLUS", "+"), ("KPDOT", "."), ("KPSLASH", "/"), ("KPASTERISK", "*")]:
    _PLAIN[getattr(ecodes, f"KEY_{_name}")] = _SHIFTED[getattr(ecodes, f"KEY_{_name}")] = _ch

_SHIFT_KEYS = {ecodes.KEY_LEFTSHIFT, ecodes.KEY_RIGHTSHIFT}
_END_KEYS = {ecodes.KEY_ENTER, ecodes.KEY_KPENTER}
MAX_PAYLOAD = 4096  # a stuck key must not grow a buffer forever


class KeyDecoder:
    """Feed it (type, code, value) triples; it returns a payload when Enter ends one."""

    def __init__(self) -> None:
        self._shift = False
        self._caps = False
        self._chars: list[str] = []

    def feed(self, ev_type: int, code: int, value: int) -> bytes | None:
        if ev_type != EV_KEY:
            return None
        if code in _SHIFT_KEYS:
            self._shift = value != 0
            return None
        if value != KEY_DOWN:  # releases and auto-repeat
            return None
        if code == ecodes.KEY_CAPSLOCK:
            self._caps = not self._caps
            return None
        if code in _END_KEYS:
            payload, self._chars = "".join(self._chars), []
            return payload.encode("ascii") if payload else None
        ch = (_SHIFTED if self._shift else _PLAIN).get(code)
        if ch is None:
            return None
        if self._caps and ch.isalpha():
            ch = ch.swapcase()
        if len(self._chars) < MAX_PAYLOAD:
            self._chars.append(ch)
        return None
