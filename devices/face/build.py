"""Builds the face camera a hardware profile's [face] section names."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from ..frame_grabber import FrameGrabber, parse_source
from .facade import FaceCamera

DRIVERS = ("sim", "opencv")


def build_face_camera(section: Mapping[str, Any] | None, var_dir: Path | None = None) -> FaceCamera:
    """driver "sim" (scene: what the simulated camera films first, e.g. "nobody") or
    "opencv" (source: a device index, /dev/videoN, or a video / image-sequence path under
    `var_dir`; width, height). `infrared = true` records a binocular camera's infrared eye."""
    cfg = dict(section or {})
    driver = str(cfg.get("driver", "sim"))
    infrared = bool(cfg.get("infrared", False))
    if driver == "sim":
        from .scene import Scene
        from .sim import FPS, SceneGrabber, ScenePlayer

        player = ScenePlayer(Scene.parse(str(cfg.get("scene", "nobody"))))
        return FaceCamera(SceneGrabber(player, float(cfg.get("fps", FPS))), "sim", infrared=infrared, player=player)
    if driver != "opencv":
        raise ValueError(f"unknown face camera driver {driver!r} (one of {', '.join(DRIVERS)})")
    source = parse_source(cfg.get("source", 0))
    is_file = isinstance(source, str) and not source.startswith("/dev/")
    if is_file and var_dir is not None and not Path(source).is_absolute():
        source = str(var_dir / source)
    grabber = FrameGrabber(source, width=int(cfg.get("width", 640)), height=int(cfg.get("height", 480)),
                           loop=bool(cfg.get("loop", True)), pace_fps=float(cfg.get("pace_fps", 10 if is_file else 0)))
    return FaceCamera(grabber, "opencv", infrared=infrared)
