"""A GA 467 reader on a pseudo-terminal: the driver opens the pty's slave side (or a
symlink to it named like a USB serial device) with pyserial, exactly as it opens a real
reader. The emulator answers on the master side from its own thread.

Behaviours a test can switch at any time: which card is on the reader (resident or
foreigner, or none), garbage before answers, corrupted or torn answers, slow answers, a
card pulled during the read, and unplug/replug (the pty disappears, a new one appears
under the same name).
"""
from __future__ import annotations

import os
import select
import threading
import time
import tty
from pathlib import Path

from domain.identity import Identity

from .. import ga467_frame as f
from ..ga467_card import encode_text

PHOTO_LEN = 1024


def fake_wlt(seed: int = 0) -> bytes:
    """1024 bytes standing in for a WLT photo (the format has no open decoder)."""
    return bytes((i * 31 + seed) & 0xFF for i in range(PHOTO_LEN))


class Ga467Emulator:
    def __init__(self, link: str | Path | None = None):
        self.link = Path(link) if link else None  # e.g. tmp/ttyUSB0 -> /dev/pts/N
        self.card: Identity | None = None
        self.photo = fake_wlt()
        # Fault switches.
        self.garbage_before = b""  # sent before every answer
        self.corrupt_next = 0  # answers sent with a broken checksum
        self.torn_next = 0  # answers cut in half (the rest never comes)
        self.oversized_next = 0  # a frame claiming LEN 0xFFFF first
        self.delay_s = 0.0  # before every answer
        self.pull_card_on_read = False  # card removed between select and read
        self.silent = False  # answers nothing at all
        self.sam_status = f.SW3_OK
        self.commands: list[tuple[int, int]] = []
        self._lock = threading.Lock()
        self._master = self._slave = -1
        self.slave_path = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # Lifecycle.
    @property
    def path(self) -> str:
        return str(self.link) if self.link else self.slave_path

    def start(self) -> "Ga467Emulator":
        self._plug()
        return self

    def stop(self) -> None:
        self.unplug()

    def __enter__(self) -> "Ga467Emulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def unplug(self) -> None:
        """The device vanishes: its node is removed and the driver's next read fails."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for fd in (self._master, self._slave):
            if fd >= 0:
                os.close(fd)
        self._master = self._slave = -1
        if self.link is not None and self.link.is_symlink():
            self.link.unlink()

    def replug(self) -> None:
        self.unplug()
        self._plug()

    # Card handling.
    def insert(self, identity: Identity, photo: bytes | None = None) -> None:
        with self._lock:
            self.card = identity
            if photo is not None:
                self.photo = photo

    def remove(self) -> None:
        with self._lock:
            self.card = None

    # The reader.
    def _plug(self) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no line discipline: bytes pass as they are
        self.slave_path = os.ttyname(self._slave)
        if self.link is not None:
            if self.link.is_symlink() or self.link.exists():
                self.link.unlink()
            self.link.symlink_to(self.slave_path)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="ga467-emulator", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        decoder = f.FrameDecoder()
        master, stop = self._master, self._stop
        while not stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(master, 4096)
            except OSError:  # no slave open right now
                time.sleep(0.01)
                continue
            for frame in decoder.feed(data):
                self.commands.append(frame.command)
                answer = self._answer(frame.command)
                if answer is not None:
                    self._send(master, answer)

    def _send(self, master: int, answer: bytes) -> None:
        if self.delay_s:
            time.sleep(self.delay_s)
        out = self.garbage_before
        if self.oversized_next:
            self.oversized_next -= 1
            out += f.PREAMBLE + b"\xff\xff" + b"\x00" * 64
        if self.corrupt_next:
            self.corrupt_next -= 1
            answer = answer[:-1] + bytes([answer[-1] ^ 0x5A])
        if self.torn_next:
            self.torn_next -= 1
            answer = answer[: len(answer) // 2]
        out += answer
        view = memoryview(out)
        while view:
            try:
                n = os.write(master, view)
            except BlockingIOError:
                time.sleep(0.001)
                continue
            except OSError:
                return
            view = view[n:]

    def _answer(self, cmd: tuple[int, int]) -> bytes | None:
        if self.silent:
            return None
        with self._lock:
            card = self.card
            if cmd == f.READER_STATUS:
                return f.encode_response(self.sam_status)
            if cmd == f.FIND_CARD:
                if card is None:
                    return f.encode_response(f.SW3_NO_CARD, b"\x00" * 4)
                return f.encode_response(f.SW3_CARD_FOUND, b"\x00" * 4)
            if cmd == f.SELECT_CARD:
                if card is None:
                    return f.encode_response(f.SW3_SELECT_FAILED, b"\x00" * 8)
                return f.encode_response(f.SW3_OK, b"\x00" * 8)
            if cmd == f.READ_TEXT_PHOTO:
                if self.pull_card_on_read:
                    self.card = card = None
                if card is None:
                    return f.encode_response(f.SW3_READ_FAILED)
                text = encode_text(card)
                photo = self.photo[:PHOTO_LEN].ljust(PHOTO_LEN, b"\x00")
                data = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big") + text + photo
                return f.encode_response(f.SW3_OK, data)
        return f.encode_response(f.SW3_COMMAND_ERROR)
