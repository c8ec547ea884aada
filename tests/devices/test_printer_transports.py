"""The serial connection over a real pseudo-terminal: python-escpos's Serial writes the
job's bytes to the tty, a status question gets the byte the printer answers, and a port
that goes away surfaces as TransportError (then reconnects)."""
from __future__ import annotations

import os
import select
import threading

import pytest

from devices.printer.status import DLE_EOT
from devices.printer.transports import SerialTransport, TransportError


def read_all(fd: int, want: int, timeout: float = 5.0) -> bytes:
    got = b""
    while len(got) < want and select.select([fd], [], [], timeout)[0]:
        got += os.read(fd, 4096)
    return got


def test_a_job_reaches_the_tty_and_a_question_gets_its_answer(pty_pair):
    master, devfile = pty_pair
    transport = SerialTransport(devfile, baudrate=19200)
    transport.write(b"\x1b@receipt\n")
    assert read_all(master, 10) == b"\x1b@receipt\n"

    def printer_answers():  # the printer's reply to DLE EOT 1: online, nothing wrong
        assert read_all(master, 3) == DLE_EOT + b"\x01"
        os.write(master, b"\x16")

    answering = threading.Thread(target=printer_answers)
    answering.start()
    assert transport.query(1, timeout=5) == 0x16
    answering.join(5)
    transport.close()


def test_a_port_that_is_not_there_is_a_transport_error():
    with pytest.raises(TransportError, match="cannot open serial:///dev/no-such-tty"):
        SerialTransport("/dev/no-such-tty").open()
