"""The face camera (devices/face): the facade over the simulated camera and over OpenCV
reading files, the simulated scenes, the cue for the face guide on the sim's frames
(centred, too far, too near, none, two faces), a challenge's burst of 640x480 JPEGs, the
readiness line and the maintenance test, and `kiosk-diag face` through its entry point.

The faces are real photographs shipped in scikit-image (devices/face/portraits.py); the
head turn and the photo held up are synthetic (devices/face/filming.py)."""
from __future__ import annotations

import datetime as dt
import json
import threading
import time

import cv2
import numpy as np
import pytest

from devices.face import FaceCamera, build_face_camera
from devices.face.burst import BURST_SIZE, to_burst_frame
from devices.face.cue import CENTRE, CueKind, FaceFinder, judge
from devices.face.filming import TURN_PERIOD_S, render, turned
from devices.face.portraits import portrait
from devices.face.scene import Scene, demo_scenes
from devices.health import DeviceState
from kiosk.diag.__main__ import main
from kiosk.ops.readiness import Verdict, check_device

PEOPLE = ("wang", "li", "chen")


@pytest.fixture(scope="module")
def finder():
    return FaceFinder()


def kinds(finder, scene: str, times=(0.0, 0.4, 0.9, 1.3, 1.8)) -> set[CueKind]:
    parsed = Scene.parse(scene)
    return {finder.cue(render(parsed, t, i)).kind for i, t in enumerate(times)}


@pytest.fixture
def camera():
    cam = build_face_camera({"driver": "sim", "scene": "person:li"})
    yield cam
    cam.close()


def wait_for(predicate, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# --- scenes ---------------------------------------------------------------------------------
def test_scenes_are_named_as_the_demo_panel_and_diag_name_them():
    for name in demo_scenes(list(PEOPLE)):
        assert Scene.parse(name).name == name
    assert Scene.parse("person:li:turn_left") == Scene("person", "li", action="turn_left")
    assert Scene.parse("person:wang:far").distance == "far"
    for bad in ("person", "person:li:sideways", "ghost:li", "two_people:wang"):
        with pytest.raises(ValueError):
            Scene.parse(bad)


def test_every_demo_person_has_a_real_face_from_a_package():
    for key in PEOPLE:
        face = portrait(key)
        assert face.image.shape == (360, 300, 3) and "scikit-image" in face.source


# --- the cue --------------------------------------------------------------------------------
@pytest.mark.parametrize("person", PEOPLE)
def test_a_demo_person_at_the_guide_is_centred(finder, person):
    assert kinds(finder, f"person:{person}") == {CueKind.CENTRED}


def test_nobody_is_none_and_two_people_are_several(finder):
    assert kinds(finder, "nobody") == {CueKind.NONE}
    assert kinds(finder, "two_people:wang,chen") == {CueKind.SEVERAL}
    cue = finder.cue(render(Scene.parse("two_people:li,wang"), 0.5, 3))
    assert cue.kind is CueKind.SEVERAL and len(cue.faces) == 2


@pytest.mark.parametrize("person", PEOPLE)
def test_a_person_far_away_is_too_far(finder, person):
    assert kinds(finder, f"person:{person}:far") == {CueKind.TOO_FAR}


@pytest.mark.parametrize("person", ("wang", "chen"))
def test_a_person_too_close_is_too_near(finder, person):
    assert kinds(finder, f"person:{person}:near") == {CueKind.TOO_NEAR}


def test_a_photo_held_up_shows_a_face_the_back_office_must_refuse(finder):
    """The cue finds faces, it does not judge them: a print is a face here, and the
    challenge's frames are what tell it from a person, at the back office."""
    assert kinds(finder, "photo:li") == {CueKind.CENTRED}


def test_the_cue_says_which_way_to_move():
    left_high = judge([(0.05, 0.05, 0.25, 0.33)])
    assert left_high.kind is CueKind.OFF_CENTRE and left_high.offset[0] < 0 and left_high.offset[1] < 0
    w = 0.25
    centred = judge([(CENTRE[0] - w / 2, CENTRE[1] - w * 2 / 3, w, w * 4 / 3)])
    assert centred.ready and centred.to_dict()["kind"] == "centred"
    assert judge([]).kind is CueKind.NONE


# --- a live head turn against a photo --------------------------------------------------------
def _flow_x(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """How far each pixel moved sideways between two images (dense optical flow)."""
    g0, g1 = (cv2.cvtColor(i, cv2.COLOR_BGR2GRAY) for i in (before, after))
    return cv2.calcOpticalFlowFarneback(g0, g1, None, 0.5, 3, 9, 5, 7, 1.5, 0)[:, :, 0]


def _around(flow: np.ndarray, centre: tuple[float, float], r: int) -> float:
    x, y = int(centre[0]), int(centre[1])
    return float(np.median(flow[y - r:y + r, x - r:x + r]))


@pytest.mark.parametrize("person", PEOPLE)
def test_a_head_turn_moves_the_nose_further_than_the_eyes(person):
    """The parallax of a turning head (synthetic warp): the nose crosses the face, the eyes
    move much less. A flat print turned moves all its points by one transform."""
    face = portrait(person)
    w = face.face[2]
    r = int(0.06 * w)
    for turn, sign in ((1.0, 1), (-1.0, -1)):  # turn_left moves the nose to the camera's right
        flow = _flow_x(face.image, turned(face, turn).image)
        nose_dx = _around(flow, face.nose, r)
        eyes_dx = [_around(flow, eye, r) for eye in face.eyes]
        assert sign * nose_dx > 0.07 * w, nose_dx
        assert all(sign * nose_dx > 2 * abs(dx) for dx in eyes_dx), (nose_dx, eyes_dx)


def test_a_turning_head_is_still_found_as_it_turns(finder):
    times = [i * TURN_PERIOD_S / 6 for i in range(6)]
    assert kinds(finder, "person:wang:turn_left", times) == {CueKind.CENTRED}


# --- the facade -----------------------------------------------------------------------------
def test_cues_reach_listeners_on_the_cameras_thread_and_stop_at_close(camera):
    seen: list = []
    threads: set[str] = set()

    def listener(cue):
        seen.append(cue)
        threads.add(threading.current_thread().name)

    camera.subscribe(listener)
    assert camera.status().state is DeviceState.OFFLINE
    camera.open()
    wait_for(lambda: any(c.kind is CueKind.CENTRED for c in seen), what="a centred face")
    assert threads == {"face-cue"} and camera.status().state is DeviceState.ONLINE
    camera.player.show("nobody")
    wait_for(lambda: seen[-1].kind is CueKind.NONE, what="the face gone")
    camera.close()
    assert camera.status().state is DeviceState.OFFLINE and camera.last_cue is None
    time.sleep(0.8)
    count = len(seen)
    time.sleep(0.6)
    assert len(seen) == count  # no cues for a screen that closed


def test_a_burst_is_n_newer_frames_as_640x480_jpegs_over_the_time_asked(camera):
    assert not camera.capture_burst(3, 1.0).ok  # not open
    camera.open()
    wait_for(lambda: camera.preview_frame() is not None, what="a first frame")
    burst = camera.capture_burst(5, 1.2)
    assert burst.ok and len(burst.jpegs) == 5 and 0.9 <= burst.seconds <= 2.5
    images = []
    for jpeg in burst.jpegs:
        assert jpeg[:2] == b"\xff\xd8" and len(jpeg) < 200 * 1024
        image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
        assert (image.shape[1], image.shape[0]) == BURST_SIZE
        images.append(image)
    assert all(np.abs(a.astype(int) - b.astype(int)).mean() > 0.5 for a, b in zip(images, images[1:]))
    assert not camera.capture_burst(0, 1.0).ok and not camera.capture_burst(5, 60.0).ok


def test_a_wide_camera_loses_its_sides_not_its_proportions():
    wide = np.zeros((720, 1280, 3), np.uint8)
    cv2.circle(wide, (640, 360), 200, (255, 255, 255), -1)
    frame = to_burst_frame(wide)
    assert frame.shape == (480, 640, 3)
    ys, xs = np.nonzero(frame[:, :, 0] > 128)
    assert abs((xs.max() - xs.min()) - (ys.max() - ys.min())) <= 3  # still a circle


def test_self_test_and_status_report_the_finder_the_frames_and_infrared():
    cam = build_face_camera({"driver": "sim", "scene": "person:chen", "infrared": True})
    try:
        cam.open()
        result = cam.self_test()
        assert result.passed and "face finder ok" in result.detail and "640x480" in result.detail
        wait_for(lambda: cam.infrared_eye.captured, what="the infrared eye's first frame")
        assert "infrared eye: " in cam.status().detail and "frames" in cam.status().detail
    finally:
        cam.close()


def centre_brightness(image: np.ndarray) -> float:
    """Where the face is in a citizen's frame: the middle third of it."""
    h, w = image.shape[:2]
    return float(image[h // 3:2 * h // 3, w // 3:2 * w // 3].mean())


def test_a_binocular_camera_takes_its_infrared_frames_with_the_first_and_the_last():
    cam = build_face_camera({"driver": "sim", "scene": "person:li", "infrared": True})
    cam.open()
    try:
        burst = cam.capture_burst(5, 1.0)
        assert burst.ok and len(burst.jpegs) == 5 and len(burst.infrared) == 2
        for jpeg in burst.infrared:
            grey = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
            assert grey.shape == (480, 640, 3) and np.array_equal(grey[:, :, 0], grey[:, :, 2])  # grey, no colour
            assert cam.cue_of(grey).kind is CueKind.CENTRED  # her face shows in infrared
            assert centre_brightness(grey) > 80
        cam.player.show("screen:li")  # a tablet playing her video: a dark pane in infrared
        cam.capture_burst(2, 0.2)  # frames filmed before the tablet came are gone
        shown = cam.capture_burst(3, 0.5)
        assert cam.cue_of(cv2.imdecode(np.frombuffer(shown.jpegs[0], np.uint8), cv2.IMREAD_COLOR)).faces
        assert all(centre_brightness(cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR)) < 40
                   for j in shown.infrared)
    finally:
        cam.close()
    plain = build_face_camera({"driver": "sim", "scene": "person:li"})
    plain.open()
    try:
        assert plain.capture_burst(3, 0.3).infrared == ()  # a camera with one eye sends none
    finally:
        plain.close()
    with pytest.raises(ValueError, match="infrared_source"):
        build_face_camera({"driver": "opencv", "source": 0, "infrared": True})


def test_opencv_driver_reads_a_binocular_cameras_two_eyes(tmp_path):
    """Two recordings stand in for the two eyes' video devices, read through OpenCV."""
    for i in range(3):
        cv2.imwrite(str(tmp_path / f"v_{i:03d}.png"), render(Scene.parse("person:wang"), i * 0.3, i))
        cv2.imwrite(str(tmp_path / f"ir_{i:03d}.png"), render(Scene.parse("person:wang"), i * 0.3, i, infrared=True))
    cam = build_face_camera({"driver": "opencv", "source": "v_%03d.png", "infrared": True,
                             "infrared_source": "ir_%03d.png"}, tmp_path)
    cam.open()
    try:
        burst = cam.capture_burst(3, 0.4)
        assert burst.ok and len(burst.infrared) == 2
        for jpeg, visible in zip(burst.infrared, burst.jpegs):
            grey = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
            assert np.array_equal(grey[:, :, 0], grey[:, :, 2])  # the infrared recording's grey frames
            assert not np.array_equal(cv2.imdecode(np.frombuffer(visible, np.uint8), cv2.IMREAD_COLOR), grey)
        assert "infrared eye: " in cam.status().detail
    finally:
        cam.close()


def test_opencv_driver_reads_a_recorded_camera_and_reports_a_missing_one(tmp_path):
    for i in range(3):
        cv2.imwrite(str(tmp_path / f"f_{i:03d}.png"), render(Scene.parse("person:wang"), i * 0.3, i))
    cam = build_face_camera({"driver": "opencv", "source": "f_%03d.png"}, tmp_path)
    seen: list = []
    cam.subscribe(seen.append)
    cam.open()
    try:
        wait_for(lambda: seen, what="a cue from the recording")
        assert cam.backend == "opencv" and seen[0].kind is CueKind.CENTRED
    finally:
        cam.close()
    missing = build_face_camera({"driver": "opencv", "source": "/dev/video-none"})
    missing.open()
    try:
        wait_for(lambda: missing.status().state is DeviceState.NO_DEVICE, what="camera missing")
        assert not missing.capture_burst(2, 0.2, timeout=0.5).ok
    finally:
        missing.close()
    with pytest.raises(ValueError):
        build_face_camera({"driver": "dlib"})


# --- readiness and maintenance ----------------------------------------------------------------
def test_the_readiness_line_opens_the_camera_and_a_missing_one_only_degrades():
    cam = build_face_camera({"driver": "sim"})
    check = check_device("face", cam, run_self_test=True)
    assert check.verdict is Verdict.READY and check.self_test.passed and not check.required
    assert cam.status().state is DeviceState.OFFLINE  # closed again after the check
    missing = build_face_camera({"driver": "opencv", "source": "/dev/video-none"})
    check = check_device("face", missing)
    assert check.verdict is Verdict.DEGRADED and check.state == "no_device"
    assert "SMS" in check.action and "kiosk-diag face status" in check.action


def test_the_maintenance_tile_tests_the_face_camera_in_both_languages(tmp_path):
    from kiosk.i18n import Translator
    from kiosk.maintenance.device_tests import TESTABLE, run_test
    from screens.maintenance_tiles import DEVICE_NAMES, TEST_BUTTONS

    result = run_test("face", build_face_camera({"driver": "sim", "scene": "person:wang"}), "CM-TEST-01", tmp_path,
                      dt.datetime.now(dt.timezone.utc))
    assert "face" in TESTABLE and result.passed and result.check.verdict is Verdict.READY
    assert "in view now: centred" in result.detail
    zh, en = Translator("zh_CN").gettext, Translator("en").gettext
    assert zh(DEVICE_NAMES["face"]) == "人脸识别摄像头" and en(DEVICE_NAMES["face"]) == "Face camera"
    assert zh(TEST_BUTTONS["face"]) == "测试人脸识别摄像头" and en(TEST_BUTTONS["face"]) == "Test the face camera"


def test_profiles_build_a_face_camera_only_where_they_have_one(tmp_path):
    from kiosk.config import load_config
    from kiosk.hardware import build_devices

    for profile, backend in (("sim", "sim"), ("floor-215", None)):
        config = load_config(environ={}, overrides={"kiosk.var_dir": str(tmp_path / profile),
                                                    "kiosk.hardware_profile": profile, "kiosk.demo": False})
        devices = build_devices(config)
        try:
            assert (devices.face.backend if isinstance(devices.face, FaceCamera) else None) == backend
        finally:
            devices.close()


# --- kiosk-diag face --------------------------------------------------------------------------
def test_diag_status_and_capture_through_the_entry_point(tmp_path, capsys):
    assert main(["face", "status", "--scene", "person:li"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["ok"] and status["backend"] == "sim" and status["state"] == "online"

    out = tmp_path / "face.jpg"
    assert main(["face", "capture", str(out), "--scene", "photo:li"]) == 0
    info = json.loads(capsys.readouterr().out)
    image = cv2.imread(str(out))
    assert info["files"] == [str(out)] and info["bytes"] == [out.stat().st_size] and image.shape == (480, 640, 3)
    assert info["cue"]["kind"] == "centred"

    assert main(["face", "capture", str(out), "--frames", "3", "--over", "0.6", "--scene", "nobody"]) == 3
    info = json.loads(capsys.readouterr().out)
    assert [p.rsplit("/", 1)[1] for p in info["files"]] == ["face-1.jpg", "face-2.jpg", "face-3.jpg"]
    assert info["cue"]["kind"] == "none"


def test_diag_live_on_a_recording_and_a_missing_camera(tmp_path, capsys):
    for i, scene in enumerate(["nobody"] * 3 + ["person:chen"] * 3):
        cv2.imwrite(str(tmp_path / f"f_{i:03d}.png"), render(Scene.parse(scene), i * 0.2, i))
    assert main(["face", "live", "--camera", str(tmp_path / "f_%03d.png"), "--seconds", "3"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert {line["kind"] for line in lines} == {"none", "centred"}
    assert main(["face", "status", "--camera", "/dev/video-none"]) == 4
    assert json.loads(capsys.readouterr().out)["state"] == "no_device"


def test_the_demo_simulator_chooses_what_the_simulated_camera_films(camera):
    from types import SimpleNamespace

    from kiosk.demo import DemoSimulator

    people = SimpleNamespace(people={key: None for key in PEOPLE})
    demo = DemoSimulator(SimpleNamespace(face=camera, idcard_sim=people), controller=None)
    scenes = demo.face_scenes()
    assert {"nobody", "person:li:turn_left", "photo:wang", "two_people:wang,li"} <= set(scenes)
    assert demo.show_face("photo:chen") and camera.player.scene == Scene("photo", "chen")
    real = DemoSimulator(SimpleNamespace(face=build_face_camera({"driver": "opencv", "source": "x.mp4"}),
                                         idcard_sim=people), controller=None)
    assert real.face_scenes() == [] and not real.show_face("nobody")  # a real camera films what is there
