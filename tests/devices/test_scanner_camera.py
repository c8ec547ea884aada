"""The camera backend over real OpenCV VideoCapture on files (a video and an image
sequence), behind the real facade: codes arrive as events, repeats are debounced, the
capture thread keeps only the newest frame, and a missing camera is a status."""
import queue

import cv2
import numpy as np
import pytest

from devices.health import DeviceState
from devices.scanner import CodeScanned, Scanner, build_scanner, corpus
from devices.scanner.camera import CameraScannerBackend, FrameGrabber
from devices.scanner.cascade import CascadeDecoder
from devices.scanner.decoders import ZxingDecoder

APPOINTMENT = "CMAPT1:预约-0042".encode()


def scene(data: bytes | None) -> np.ndarray:
    frame = np.full((480, 640), 120, np.uint8)
    if data is not None:
        code = corpus.code_patch(data, 5).astype(np.uint8)
        h, w = code.shape
        frame[100:100 + h, 150:150 + w] = code
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


def write_sequence(folder, frames) -> str:
    for i, frame in enumerate(frames):
        cv2.imwrite(str(folder / f"frame_{i:03d}.png"), frame)
    return str(folder / "frame_%03d.png")


def test_video_file_codes_reach_listeners_once_despite_many_frames(tmp_path):
    path = str(tmp_path / "counter.avi")
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 15, (640, 480))
    assert writer.isOpened()
    for data in [None] * 3 + [APPOINTMENT] * 12 + [None] * 3 + [b"CMAPT1:SECOND"] * 4:
        writer.write(scene(data))
    writer.release()

    backend = CameraScannerBackend(FrameGrabber(path, pace_fps=60), CascadeDecoder(ZxingDecoder(), budget_ms=200))
    scanner = Scanner(backend, debounce_s=60)
    events: queue.Queue = queue.Queue()
    scanner.subscribe(events.put)
    scanner.open()
    try:
        first, second = events.get(timeout=20), events.get(timeout=20)
        assert isinstance(first, CodeScanned)
        assert (first.code.data, second.code.data) == (APPOINTMENT, b"CMAPT1:SECOND")
        assert first.code.text == "CMAPT1:预约-0042" and first.code.source == "camera"
        assert scanner.status().state is DeviceState.ONLINE
        with pytest.raises(queue.Empty):  # twelve frames of the same code: one event
            events.get(timeout=0.5)
    finally:
        scanner.close()


def test_capture_thread_keeps_only_the_newest_frame(tmp_path):
    pattern = write_sequence(tmp_path, [scene(f"CMAPT1:F{i}".encode()) for i in range(8)])
    grabber = FrameGrabber(pattern)
    grabber.start()
    try:
        for _ in range(200):
            if grabber.ended:
                break
            grabber.wait_newer(grabber.captured, 0.1)
        assert grabber.ended and grabber.captured == 8
        newest = grabber.latest()
        assert newest.seq == 8  # frames 1-7 were replaced, not queued
        codes = ZxingDecoder().decode(cv2.cvtColor(newest.image, cv2.COLOR_BGR2GRAY))
        assert [c.data for c in codes] == [b"CMAPT1:F7"]
        assert grabber.wait_newer(8, 0.2) is None
    finally:
        grabber.stop()


def test_looping_sequence_for_the_demo_keeps_delivering(tmp_path):
    pattern = write_sequence(tmp_path, [scene(b"CMAPT1:LOOP"), scene(None)])
    grabber = FrameGrabber(pattern, loop=True)
    grabber.start()
    try:
        seen = 0
        for _ in range(100):
            frame = grabber.wait_newer(seen, 1.0)
            if frame is not None:
                seen = frame.seq
            if seen > 6:
                break
        assert seen > 6 and not grabber.ended
    finally:
        grabber.stop()


def test_missing_camera_is_a_status_and_a_failed_self_test(tmp_path):
    scanner = build_scanner({"driver": "camera", "camera_source": str(tmp_path / "none_%03d.png")})
    scanner.open()
    try:
        for _ in range(50):
            if scanner.status().state is DeviceState.NO_DEVICE:
                break
            scanner.backend.grabber.wait_newer(0, 0.05)
        assert scanner.status().state is DeviceState.NO_DEVICE
        result = scanner.self_test()
        assert not result.passed and "no frame" in result.detail
    finally:
        scanner.close()
    assert scanner.status().state is DeviceState.OFFLINE


def test_self_test_passes_on_a_working_camera(tmp_path):
    pattern = write_sequence(tmp_path, [scene(None)] * 3)
    scanner = build_scanner({"driver": "camera", "camera_source": pattern, "loop": True, "pace_fps": 30})
    scanner.open()
    try:
        result = scanner.self_test()
        assert result.passed, result.detail
        assert "640x480" in result.detail
    finally:
        scanner.close()


def test_stop_without_waiting_returns_at_once_and_the_thread_closes_the_camera(tmp_path):
    pattern = write_sequence(tmp_path, [scene(APPOINTMENT)] * 3)
    grabber = FrameGrabber(pattern, loop=True, pace_fps=5)
    grabber.start()
    assert grabber.wait_newer(0, 10) is not None
    thread = grabber._thread
    grabber.stop(wait=False)
    assert grabber.latest() is None  # no frame of the closed camera is handed out
    thread.join(timeout=5)
    assert not thread.is_alive() and grabber._cap is None  # the thread released the camera itself

    grabber.start()  # opened again (the next material to photograph)
    try:
        assert grabber.wait_newer(0, 10) is not None
    finally:
        grabber.stop()
    assert grabber._thread is None and grabber._cap is None


def test_the_preview_frame_is_the_cameras_newest_frame_in_grey(tmp_path):
    """What the maintenance scanner test's live view shows (kiosk/maintenance/camera_preview.py)."""
    pattern = write_sequence(tmp_path, [scene(b"CMAPT1:PREVIEW")] * 3)
    scanner = Scanner(CameraScannerBackend(FrameGrabber(pattern, loop=True),
                                           CascadeDecoder(ZxingDecoder(), budget_ms=25)))
    assert scanner.preview_frame() is None  # not opened: no picture, and no waiting for one
    scanner.open()
    try:
        scanner.backend.grabber.wait_newer(0, 5.0)
        frame = scanner.preview_frame()
        assert frame is not None and frame.shape == (480, 640) and frame.dtype == np.uint8
        assert [c.data for c in ZxingDecoder().decode(frame)] == [b"CMAPT1:PREVIEW"]
    finally:
        scanner.close()


def test_a_scanner_without_a_camera_has_no_preview():
    from devices.scanner.serial_port import SerialScannerBackend

    assert Scanner(SerialScannerBackend("/dev/null-scanner")).preview_frame() is None
