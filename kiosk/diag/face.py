"""`kiosk-diag face status|live|capture`: the face camera, for technicians.

    kiosk-diag face status  [--camera SRC | --scene SCENE]
    kiosk-diag face live    [--camera SRC | --scene SCENE] [--seconds 20]
    kiosk-diag face capture OUT.jpg [--frames N --over S] [--camera SRC | --scene SCENE]

status prints {"ok", "backend", "state", "detail", "infrared", "self_test"}; live prints a
JSON line whenever the cue changes (where the face is: centred, off_centre, too_far,
too_near, none, several) until --seconds pass or Ctrl-C; capture writes the frame the back
office would get (640x480 JPEG; with --frames N, OUT-1.jpg ... OUT-N.jpg spread over
--over seconds) and prints {"files", "bytes", "cue"}. --camera is a device index or an
image/video path (default: the hardware profile's camera); --scene a simulated scene such
as person:li, photo:li or nobody. Nothing is kept but the files asked for.
Exit codes: 0 ok, 3 no face in view (live, capture), 4 camera missing, 5 self-test failed.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from devices.health import DeviceState

EXIT_OK, EXIT_NO_FACE, EXIT_NO_CAMERA, EXIT_SELF_TEST = 0, 3, 4, 5
FIRST_FRAME_S = 5.0  # the simulated camera's first frame loads the demo faces


def register(subparsers) -> None:
    parser = subparsers.add_parser("face", help="face camera (face verification)")
    actions = parser.add_subparsers(dest="action", required=True)
    for name, handler, help_text in (("status", _status, "camera status and self-test"),
                                     ("live", _live, "where the face is, as it changes"),
                                     ("capture", _capture, "save what the back office would get")):
        sub = actions.add_parser(name, help=help_text)
        source = sub.add_mutually_exclusive_group()
        source.add_argument("--camera", help="device index or image/video path (default: the profile's)")
        source.add_argument("--scene", help="simulated scene: nobody, person:li, person:li:turn_left, "
                                            "person:li:blink, photo:li, ...")
        sub.set_defaults(handler=handler)
        if name == "live":
            sub.add_argument("--seconds", type=float, default=20.0)
        if name == "capture":
            sub.add_argument("out", type=Path)
            sub.add_argument("--frames", type=int, default=1)
            sub.add_argument("--over", type=float, default=2.0, help="seconds a burst is spread over")


def _camera(args):
    from devices.face import build_face_camera

    section: dict = {}
    var_dir = None
    try:
        from kiosk.config import load_config

        config = load_config()
        section, var_dir = dict(config.profile.sections.get("face", {})), config.var_dir
    except Exception:  # diagnostics work without a readable kiosk config
        pass
    if args.camera is not None:
        section = {"driver": "opencv", "source": args.camera, "infrared": section.get("infrared", False)}
    elif args.scene is not None:
        section = {"driver": "sim", "scene": args.scene}
    elif not section:
        section = {"driver": "opencv", "source": 0}  # no [face] in the profile: the first camera
    camera = build_face_camera(section, var_dir)
    camera.open()
    return camera


def _emit(**fields) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def _first_frame(camera):
    frame = camera.grabber.wait_newer(0, FIRST_FRAME_S)
    if frame is None:
        status = camera.status()
        _emit(ok=False, backend=status.backend, state=status.state.value,
              error=status.detail if status.state is not DeviceState.ONLINE else "no frame from the camera")
    return frame


def _status(args) -> int:
    camera = _camera(args)
    try:
        if _first_frame(camera) is None:
            return EXIT_NO_CAMERA
        test = camera.self_test()
        status = camera.status()
        _emit(ok=test.passed, backend=status.backend, state=status.state.value, detail=status.detail,
              infrared=camera.infrared, self_test=test.detail)
        return EXIT_OK if test.passed else EXIT_SELF_TEST
    finally:
        camera.close()


def _live(args) -> int:
    camera = _camera(args)
    seen_face, last = False, None
    try:
        if _first_frame(camera) is None:
            return EXIT_NO_CAMERA
        deadline = time.monotonic() + args.seconds
        seq = 0
        while time.monotonic() < deadline:
            frame = camera.grabber.wait_newer(seq, 1.0)
            if frame is None:
                if camera.grabber.ended:
                    break
                continue
            seq = frame.seq
            cue = camera.cue_of(frame.image)
            seen_face = seen_face or bool(cue.faces)
            if last is None or cue.kind is not last.kind or len(cue.faces) != len(last.faces):
                _emit(**cue.to_dict())
            last = cue
    except KeyboardInterrupt:
        pass
    finally:
        camera.close()
    return EXIT_OK if seen_face else EXIT_NO_FACE


def _capture(args) -> int:
    camera = _camera(args)
    try:
        if _first_frame(camera) is None:
            return EXIT_NO_CAMERA
        burst = camera.capture_burst(args.frames, args.over if args.frames > 1 else 0.0)
        if not burst.ok:
            _emit(ok=False, error=burst.reason)
            return EXIT_NO_CAMERA
        out: Path = args.out
        files = [out] if len(burst.jpegs) == 1 else [out.with_name(f"{out.stem}-{i}{out.suffix}")
                                                     for i in range(1, len(burst.jpegs) + 1)]
        for path, jpeg in zip(files, burst.jpegs):
            path.write_bytes(jpeg)
        cue = _cue_of_jpeg(camera, burst.jpegs[-1])
        _emit(ok=True, files=[str(p) for p in files], bytes=[len(j) for j in burst.jpegs], seconds=burst.seconds,
              cue=cue.to_dict())
        return EXIT_OK if cue.faces else EXIT_NO_FACE
    finally:
        camera.close()


def _cue_of_jpeg(camera, jpeg: bytes):
    import cv2
    import numpy as np

    return camera.cue_of(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR))
