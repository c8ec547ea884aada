"""GA 467 SAM frames: encode commands and responses, decode a byte stream into frames.

Layout (GA 467; hevz/hev-idcard-reader): preamble `AA AA AA 96 69`, LEN (2 bytes,
big-endian, the number of bytes after LEN including CHK), body, CHK = XOR of every byte
after the preamble. A command body is CMD PARA data; a response body is SW1 SW2 SW3 data.

The decoder is fed whatever the serial port gave and yields whole, checked frames. Garbage
before a preamble, a torn frame, a bad checksum or an absurd length never raise: the bad
bytes are counted and dropped, and decoding resumes at the next preamble. The XOR
checksum is weak (a torn frame completed by the next frame's bytes passes once in 256),
so the reader also flushes its input before every command.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

PREAMBLE = bytes.fromhex("AAAAAA9669")
# The largest real frame is a text+photo read: 3 status + 4 lengths + 256 + 1024 + CHK.
# Anything much larger is noise that happened to contain a preamble.
MAX_LEN = 4096

# Commands (CMD, PARA).
READER_STATUS = (0x11, 0xFF)
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_TEXT_PHOTO = (0x30, 0x01)

# SW3 values in responses.
SW3_OK = 0x90
SW3_CARD_FOUND = 0x9F
SW3_NO_CARD = 0x80  # find card: nothing on the reader
SW3_SELECT_FAILED = 0x81
SW3_CHECKSUM_ERROR = 0x10
SW3_LENGTH_ERROR = 0x11
SW3_COMMAND_ERROR = 0x21
SW3_READ_FAILED = 0x41
SW3_SAM_FAULT = 0x60


def checksum(data: bytes) -> int:
    return reduce(lambda a, b: a ^ b, data, 0)


def _frame(body: bytes) -> bytes:
    length = len(body) + 1
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes([checksum(head + body)])


def encode_command(cmd: int, para: int, data: bytes = b"") -> bytes:
    return _frame(bytes([cmd, para]) + data)


def encode_response(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    return _frame(bytes([sw1, sw2, sw3]) + data)


@dataclass(frozen=True)
class Frame:
    body: bytes  # everything between LEN and CHK

    # As a command.
    @property
    def command(self) -> tuple[int, int]:
        return (self.body[0], self.body[1]) if len(self.body) >= 2 else (-1, -1)

    # As a response.
    @property
    def sw3(self) -> int:
        return self.body[2] if len(self.body) >= 3 else -1

    @property
    def data(self) -> bytes:
        return self.body[3:]


class FrameDecoder:
    """Incremental decoder: `feed(bytes)` returns the complete frames found so far."""

    def __init__(self, max_len: int = MAX_LEN):
        self.max_len = max_len
        self._buf = bytearray()
        self.dropped = 0  # bytes thrown away as garbage, torn or corrupt frames

    def reset(self) -> None:
        self.dropped += len(self._buf)
        self._buf.clear()

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> list[Frame]:
        self._buf += data
        frames: list[Frame] = []
        while True:
            start = self._buf.find(PREAMBLE)
            if start < 0:
                # Keep a tail that may be the beginning of a preamble.
                keep = len(PREAMBLE) - 1
                if len(self._buf) > keep:
                    self.dropped += len(self._buf) - keep
                    del self._buf[: len(self._buf) - keep]
                return frames
            if start:
                self.dropped += start
                del self._buf[:start]
            if len(self._buf) < len(PREAMBLE) + 2:
                return frames
            length = int.from_bytes(self._buf[5:7], "big")
            if length < 2 or length > self.max_len:
                self._skip_preamble()
                continue
            end = len(PREAMBLE) + 2 + length
            if len(self._buf) < end:
                # A torn frame followed by a new one: a whole, checked frame after it means
                # the first will never complete. A bare preamble is not enough: a photo's
                # bytes may hold one, and the serial port may hand them over in pieces.
                later = self._whole_frame_after_start()
                if later > 0:
                    self.dropped += later
                    del self._buf[:later]
                    continue
                return frames
            head_body = bytes(self._buf[5 : end - 1])
            if checksum(head_body) != self._buf[end - 1]:
                self._skip_preamble()
                continue
            frames.append(Frame(body=head_body[2:]))
            del self._buf[:end]

    def _whole_frame_after_start(self) -> int:
        """Where the first complete frame with a right checksum after the buffer's start
        begins, or -1."""
        at = self._buf.find(PREAMBLE, 1)
        while at > 0:
            head = at + len(PREAMBLE)
            length = int.from_bytes(self._buf[head : head + 2], "big")
            end = head + 2 + length
            if 2 <= length <= self.max_len and end <= len(self._buf) \
                    and checksum(self._buf[head : end - 1]) == self._buf[end - 1]:
                return at
            at = self._buf.find(PREAMBLE, at + 1)
        return -1

    def _skip_preamble(self) -> None:
        # Drop the first preamble byte only: a real frame may start inside what we skip.
        self.dropped += 1
        del self._buf[:1]
