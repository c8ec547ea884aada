"""Fuzz harness: a GA 467 reader's answer bytes -> frames -> the card's fields.

Contract: FrameDecoder.feed never raises, whatever the serial port gives; every frame it
returns was in the stream with a right checksum, every byte fed is accounted for (a frame,
dropped, or pending) and the pending buffer stays bounded. The backend turns a read
answer's data into CardInserted or CardReadError, never an exception. parse_text raises
only CardDataError.

Input: the first byte picks the mode and the chunk size the port hands over.
  mode 0: the rest is the raw stream from the port;
  mode 1: the rest is a read answer's data (lengths, text, photo) in a good frame;
  mode 2: the rest is a text block (padded to 256 bytes) behind good lengths.
"""
from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":  # run as the fuzzer: the repository on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fuzz.support import instrumented, run_fuzzer  # noqa: E402

with instrumented(__name__):
    from devices.idcard import ga467_frame as frames
    from devices.idcard.facade import CardInserted, CardReadError
    from devices.idcard.ga467 import Ga467Backend
    from devices.idcard.ga467_card import TEXT_LEN, CardDataError, parse_text

HEAD = len(frames.PREAMBLE) + 2  # preamble and LEN


def _wire(body: bytes) -> bytes:
    head = (len(body) + 1).to_bytes(2, "big")
    return frames.PREAMBLE + head + body + bytes([frames.checksum(head + body)])


def _decode(stream: bytes, chunk: int) -> list[frames.Frame]:
    decoder = frames.FrameDecoder()
    found: list[frames.Frame] = []
    for start in range(0, len(stream), chunk):
        found += decoder.feed(stream[start : start + chunk])
        assert decoder.pending < HEAD + decoder.max_len, "the decoder's buffer grew unbounded"
    used = sum(HEAD + len(frame.body) + 1 for frame in found)
    assert used + decoder.dropped + decoder.pending == len(stream), "bytes lost or counted twice"
    for frame in found:
        assert _wire(frame.body) in stream, "a frame that was not in the stream"
    return found


def _holds_frame(data: bytes) -> bool:
    at = data.find(frames.PREAMBLE)
    while at >= 0:
        length = int.from_bytes(data[at + 5 : at + 7], "big")
        body = data[at + 7 : at + 6 + length]
        if 2 <= length <= frames.MAX_LEN and _wire(body) == data[at : at + 7 + length]:
            return True
        at = data.find(frames.PREAMBLE, at + 1)
    return False


def _card_event(data: bytes):
    event = Ga467Backend._identity_event(data)
    assert isinstance(event, (CardInserted, CardReadError)), f"unexpected event {event!r}"
    if isinstance(event, CardInserted):
        assert event.identity.name and event.identity.document_number
    return event


def test_one_input(data: bytes) -> None:
    if not data:
        return
    mode, chunk, rest = data[0] % 3, 1 + (data[0] >> 2), data[1:]
    if mode == 0:
        for frame in _decode(rest, chunk):
            if frame.sw3 == frames.SW3_OK:
                _card_event(frame.data)
        return
    if mode == 1:
        answer = rest
    else:
        block = rest[:TEXT_LEN].ljust(TEXT_LEN, b" ")
        answer = TEXT_LEN.to_bytes(2, "big") + b"\x00\x00" + block
        try:
            parse_text(rest)
        except CardDataError:
            pass
    stream = frames.encode_response(frames.SW3_OK, answer)
    found = _decode(stream, chunk)
    # A good frame comes out whole however the port splits it, unless its data holds
    # another whole frame (then which one the reader meant is a guess).
    if len(answer) + 4 <= frames.MAX_LEN:  # body (3 status bytes + data) + CHK fits
        assert [f.data for f in _decode(stream, len(stream))] == [answer], "a good frame was lost"
        if not _holds_frame(answer):
            assert [f.data for f in found] == [answer], "a good frame was lost in pieces"
    for frame in found:
        _card_event(frame.data)


if __name__ == "__main__":
    run_fuzzer(test_one_input)
