"""Keyboard-wedge and serial scanners through their real byte paths.

This sandbox has no /dev/uinput, so no virtual keyboard can be created; the key-to-text
decoding is tested through evdev's own event objects and through raw `struct input_event`
records written to a pipe, which the backend reads exactly as it reads /dev/input/eventN.
The serial scanner is tested over a pty with pyserial."""
import os

from evdev import InputEvent, categorize, ecodes

from devices.health import DeviceState
from devices.scanner.hid import EVENT, HidScannerBackend
from devices.scanner.serial_port import SerialScannerBackend
from devices.scanner.wedge import KeyDecoder

SHIFTED = {**{c: c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}, ":": ";", "?": "/", "_": "-", "&": "7"}
NAMES = {";": "SEMICOLON", "/": "SLASH", "-": "MINUS", ".": "DOT", "=": "EQUAL", " ": "SPACE"}


def typed(text: str) -> list[InputEvent]:
    """The events a US-layout scanner sends for `text` followed by Enter."""
    events = []

    def key(code, value):
        events.append(InputEvent(1, 0, ecodes.EV_KEY, code, value))
        events.append(InputEvent(1, 0, ecodes.EV_SYN, ecodes.SYN_REPORT, 0))

    for ch in text:
        shift = ch in SHIFTED
        base = SHIFTED.get(ch, ch)
        code = getattr(ecodes, f"KEY_{NAMES.get(base, base.upper())}")
        if shift:
            key(ecodes.KEY_LEFTSHIFT, 1)
        key(code, 1)
        key(code, 0)
        if shift:
            key(ecodes.KEY_LEFTSHIFT, 0)
    key(ecodes.KEY_ENTER, 1)
    key(ecodes.KEY_ENTER, 0)
    return events


def test_evdev_events_decode_to_the_typed_payload():
    decoder = KeyDecoder()
    out = [decoder.feed(e.type, e.code, e.value) for e in typed("CMAPT1:Ab-9?x=1&y.z")]
    assert [p for p in out if p] == [b"CMAPT1:Ab-9?x=1&y.z"]
    assert categorize(typed("a")[0]).keycode == "KEY_A"  # the objects are evdev's own


def test_autorepeat_releases_and_unknown_keys_are_ignored():
    decoder = KeyDecoder()
    stream = [(ecodes.EV_KEY, ecodes.KEY_A, 1), (ecodes.EV_KEY, ecodes.KEY_A, 2), (ecodes.EV_KEY, ecodes.KEY_A, 0),
              (ecodes.EV_KEY, ecodes.KEY_F5, 1), (ecodes.EV_MSC, 4, 458756), (ecodes.EV_KEY, ecodes.KEY_KP1, 1),
              (ecodes.EV_KEY, ecodes.KEY_KPENTER, 1)]
    assert [p for p in (decoder.feed(*e) for e in stream) if p] == [b"a1"]
    assert decoder.feed(ecodes.EV_KEY, ecodes.KEY_ENTER, 1) is None  # an empty line is no payload


def test_backend_reads_raw_input_events_from_a_stream_split_anywhere():
    read_fd, write_fd = os.pipe()
    backend = HidScannerBackend(fd=read_fd)
    backend.open()
    try:
        raw = b"".join(EVENT.pack(e.sec, e.usec, e.type, e.code, e.value)
                       for e in typed("CMAPT1:ONE") + typed("HTTPS://X.CN/V?T=42"))
        os.write(write_fd, raw[:100])  # a read may end in the middle of an event record
        first = backend.poll(0.5)
        os.write(write_fd, raw[100:])
        codes = first
        for _ in range(20):
            codes += backend.poll(0.2)
            if len(codes) >= 2:
                break
        assert [c.data for c in codes] == [b"CMAPT1:ONE", b"HTTPS://X.CN/V?T=42"]
        assert codes[0].source == "hid"
        assert backend.status().state is DeviceState.ONLINE
    finally:
        os.close(write_fd)
    assert backend.poll(0.2) == []  # the writer went away: end of stream
    assert backend.status().state is DeviceState.NO_DEVICE
    os.close(read_fd)


def test_missing_input_device_is_a_status_not_a_crash():
    backend = HidScannerBackend("/dev/input/event-missing")
    backend.open()
    assert backend.poll(0.05) == []
    assert backend.status().state is DeviceState.NO_DEVICE
    assert not backend.self_test().passed


def read_until(backend, count, rounds=40):
    codes = []
    for _ in range(rounds):
        codes += backend.poll(0.1)
        if len(codes) >= count:
            break
    return codes


def test_serial_scanner_over_a_pty_keeps_bytes_and_splits_on_any_line_end(pty_pair):
    master, port = pty_pair
    backend = SerialScannerBackend(port, 115200)
    backend.open()
    try:
        assert backend.status().state is DeviceState.ONLINE
        os.write(master, "CMAPT1:甲\r\n".encode() + "澄迈县".encode("gb18030") + b"\rCMAPT1:PART")
        codes = read_until(backend, 2)
        os.write(master, b"IAL\n")
        codes += read_until(backend, 1)
        assert [c.data for c in codes] == ["CMAPT1:甲".encode(), "澄迈县".encode("gb18030"), b"CMAPT1:PARTIAL"]
        assert [c.text for c in codes[:2]] == ["CMAPT1:甲", "澄迈县"]
    finally:
        backend.close()


def test_serial_noise_without_terminator_is_bounded(pty_pair):
    master, port = pty_pair
    backend = SerialScannerBackend(port)
    backend.open()
    try:
        for _ in range(3):
            os.write(master, b"\x55" * 4000)
            read_until(backend, 1, rounds=5)
        assert len(backend._buffer) <= 8192
        os.write(master, b"\nOK\n")
        assert [c.data for c in read_until(backend, 1)][-1:] == [b"OK"]
    finally:
        backend.close()


def test_missing_serial_port_is_no_device_and_reopens_later(tmp_path):
    backend = SerialScannerBackend(str(tmp_path / "ttyUSB9"), reopen_s=0.0)
    backend.open()
    assert backend.status().state is DeviceState.NO_DEVICE
    assert backend.poll(0.05) == []
    assert not backend.self_test().passed
