"""What a scanner reports: the payload bytes exactly as encoded, and text when the bytes
are text. Appointment and receipt codes are UTF-8; some handheld scanners send GB18030."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ScannedCode:
    data: bytes  # the payload, byte for byte
    symbology: str = "QRCode"  # e.g. "QRCode", "Code128", "unknown" for wedge/serial input
    source: str = ""  # backend name: "camera", "hid", "serial", "sim"
    corners: tuple[tuple[int, int], ...] = field(default=(), compare=False)  # camera only

    @property
    def text(self) -> str | None:
        """The payload as text, or None for binary payloads."""
        return payload_text(self.data)

    def __repr__(self) -> str:  # payloads may be personal (a receipt token): show a digest only
        return f"ScannedCode({self.symbology}, {len(self.data)} bytes, source={self.source!r})"


def payload_text(data: bytes) -> str | None:
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if all(ch.isprintable() or ch in "\r\n\t" for ch in text):
            return text
    return None
