"""BER-TLV as used by the LDS (ICAO 9303 Part 10): one- and two-byte tags, definite lengths."""
from __future__ import annotations


class TlvError(ValueError):
    pass


def encode_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def encode(tag: int, value: bytes) -> bytes:
    return tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big") + encode_length(len(value)) + value


def read_header(data: bytes, pos: int = 0) -> tuple[int, int, int]:
    """(tag, length, offset of the value) of the TLV at `pos`."""
    try:
        tag = data[pos]
        pos += 1
        if tag & 0x1F == 0x1F:  # multi-byte tag
            while True:
                tag = (tag << 8) | data[pos]
                pos += 1
                if not data[pos - 1] & 0x80:
                    break
        first = data[pos]
        pos += 1
        if first < 0x80:
            length = first
        else:
            count = first & 0x7F
            if count == 0 or count > 3:
                raise TlvError("unsupported length form")
            length = int.from_bytes(data[pos : pos + count], "big")
            if len(data[pos : pos + count]) != count:
                raise TlvError("truncated length")
            pos += count
    except IndexError as exc:
        raise TlvError("truncated TLV header") from exc
    return tag, length, pos


def parse_all(data: bytes) -> list[tuple[int, bytes, bytes]]:
    """Every top-level TLV as (tag, value, raw bytes)."""
    out, pos = [], 0
    while pos < len(data):
        start = pos
        tag, length, pos = read_header(data, pos)
        if pos + length > len(data):
            raise TlvError("value runs past the end")
        out.append((tag, data[pos : pos + length], data[start : pos + length]))
        pos += length
    return out


# The LDS nests a few levels deep (DG2: 75 / 7F61 / 7F60 / 5F2E); a chip's file nested
# deeper than this is not searched further (and cannot exhaust Python's recursion).
MAX_DEPTH = 16


def find(data: bytes, wanted: int, depth: int = 0) -> bytes | None:
    """The first value tagged `wanted`, searching constructed objects depth-first."""
    for tag, value, _ in parse_all(data):
        if tag == wanted:
            return value
        if _constructed(tag) and depth < MAX_DEPTH:
            try:
                inner = find(value, wanted, depth + 1)
            except TlvError:
                inner = None
            if inner is not None:
                return inner
    return None


def _constructed(tag: int) -> bool:
    """Bit 6 of the tag's first byte (a tag 00 is one byte too)."""
    return bool(tag >> (8 * max(0, (tag.bit_length() - 1) // 8)) & 0x20)
