"""An incremental ESC/POS parser: bytes in, whole commands out.

It knows the length of every command python-escpos and the kiosk send (and of the common
others), so real-time status requests (DLE EOT n) are answered only at command
boundaries, never found inside image data. Unknown commands are skipped by two bytes.
"""
from __future__ import annotations

from dataclasses import dataclass

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
CONTROL = {0x0A, 0x0D, 0x09, 0x0C, ESC, GS, FS, DLE, 0x00}


@dataclass(frozen=True)
class Op:
    name: str  # text, lf, status, init, align, bold, mode, size, kanji_mode, chinese, codepage,
    #            feed_lines, feed_dots, cut, raster, qr, ignored
    arg: object = None
    data: bytes = b""


# ESC x n: commands with one parameter byte, and what the renderer calls them.
ESC_ONE = {ord("!"): "mode", ord("E"): "bold", ord("a"): "align", ord("t"): "codepage",
           ord("d"): "feed_lines", ord("J"): "feed_dots", ord("3"): "line_spacing",
           ord("-"): "underline", ord("G"): "ignored", ord("M"): "font", ord("V"): "ignored",
           ord("{"): "ignored", ord("R"): "ignored", ord("r"): "ignored", ord("U"): "ignored",
           ord(" "): "ignored", ord("K"): "ignored", ord("e"): "ignored"}
ESC_NONE = {ord("@"): "init", ord("2"): "line_spacing", ord("i"): "cut", ord("m"): "cut"}
GS_ONE = {ord("!"): "size", ord("B"): "ignored", ord("b"): "ignored", ord("H"): "ignored",
          ord("h"): "ignored", ord("w"): "ignored", ord("f"): "ignored", ord("a"): "ignored",
          ord("I"): "ignored", ord("r"): "ignored", ord("/"): "ignored"}
FS_NONE = {ord("&"): ("chinese", True), ord("."): ("chinese", False)}
FS_ONE = {ord("!"): "kanji_mode", ord("-"): "ignored", ord("W"): "ignored", ord("C"): "ignored"}


class EscPosParser:
    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[Op]:
        self._buf += data
        ops: list[Op] = []
        i = 0
        while i < len(self._buf):
            found = _parse_one(self._buf, i)
            if found is None:  # incomplete command: wait for more bytes
                break
            op, i = found
            ops.append(op)
        del self._buf[:i]
        return ops


def _parse_one(b: bytearray, i: int) -> tuple[Op, int] | None:
    c = b[i]
    if c not in CONTROL:
        j = i
        while j < len(b) and b[j] not in CONTROL:
            j += 1
        return Op("text", data=bytes(b[i:j])), j
    if c == 0x0A:
        return Op("lf"), i + 1
    if c == 0x09:
        return Op("text", data=b"    "), i + 1
    if c in (0x0D, 0x00):
        return Op("ignored", data=bytes([c])), i + 1
    if c == 0x0C:
        return Op("lf"), i + 1
    if i + 1 >= len(b):
        return None
    k = b[i + 1]
    if c == DLE:
        return _need(b, i, 3, lambda: Op("status", b[i + 2]) if k == 0x04 else Op("ignored"))
    if c == ESC:
        return _esc(b, i, k)
    if c == FS:
        if k in FS_NONE:
            name, value = FS_NONE[k]
            return Op(name, value), i + 2
        if k in FS_ONE:
            return _need(b, i, 3, lambda: Op(FS_ONE[k], b[i + 2]))
        if k in (ord("S"), ord("p")):
            return _need(b, i, 4, lambda: Op("ignored"))
        return Op("ignored", data=bytes(b[i:i + 2])), i + 2
    return _gs(b, i, k)


def _esc(b: bytearray, i: int, k: int):
    if k in ESC_NONE:
        return Op(ESC_NONE[k]), i + 2
    if k in ESC_ONE:
        return _need(b, i, 3, lambda: Op(ESC_ONE[k], b[i + 2]))
    if k in (ord("p"), ord("B")):  # cash drawer pulse / buzzer
        return _need(b, i, 5 if k == ord("p") else 4, lambda: Op("ignored"))
    if k == ord("c"):  # ESC c 3 n / ESC c 4 n / ESC c 5 n
        return _need(b, i, 4, lambda: Op("ignored"))
    if k == ord("$"):
        return _need(b, i, 4, lambda: Op("ignored"))
    if k == ord("*"):  # bit image: ESC * m nL nH d1...dk
        if i + 4 >= len(b):
            return None
        dots = b[i + 3] + 256 * b[i + 4]
        size = dots * (3 if b[i + 2] in (32, 33) else 1)
        return _need(b, i, 5 + size, lambda: Op("ignored"))
    return Op("ignored", data=bytes(b[i:i + 2])), i + 2


def _gs(b: bytearray, i: int, k: int):
    if k in GS_ONE:
        return _need(b, i, 3, lambda: Op(GS_ONE[k], b[i + 2]))
    if k == ord("V"):  # cut: GS V m, or GS V m n for m in 65, 66, 97, 98, 103, 104
        if i + 2 >= len(b):
            return None
        return _need(b, i, 3 if b[i + 2] in (0, 1, 48, 49) else 4, lambda: Op("cut"))
    if k == ord("v"):  # raster image: GS v 0 m xL xH yL yH data
        if i + 7 >= len(b):
            return None
        xbytes, rows = b[i + 4] + 256 * b[i + 5], b[i + 6] + 256 * b[i + 7]
        end = i + 8 + xbytes * rows
        return _need(b, i, end - i, lambda: Op("raster", (b[i + 3], xbytes, rows), bytes(b[i + 8:end])))
    if k == ord("("):  # GS ( x pL pH ...: a length-prefixed function
        if i + 4 >= len(b):
            return None
        length = b[i + 3] + 256 * b[i + 4]
        end = i + 5 + length
        if end > len(b):
            return None
        body = bytes(b[i + 5:end])
        if b[i + 2] == ord("k") and len(body) >= 2:
            return Op("qr", (body[0], body[1]), body[2:]), end
        return Op("ignored"), end
    if k in (ord("L"), ord("W"), ord("P"), ord("\\")):
        return _need(b, i, 4, lambda: Op("ignored"))
    if k == ord("k"):  # barcode: m 0-6 NUL-terminated, m 65-73 length-prefixed
        if i + 3 >= len(b):
            return None
        m = b[i + 2]
        if m <= 6:
            end = b.find(b"\x00", i + 3)
            return None if end < 0 else (Op("ignored"), end + 1)
        return _need(b, i, 4 + b[i + 3], lambda: Op("ignored"))
    if k == ord("*"):
        if i + 3 >= len(b):
            return None
        return _need(b, i, 4 + b[i + 2] * b[i + 3] * 8, lambda: Op("ignored"))
    return Op("ignored", data=bytes(b[i:i + 2])), i + 2


def _need(b: bytearray, i: int, length: int, make):
    return (make(), i + length) if i + length <= len(b) else None
