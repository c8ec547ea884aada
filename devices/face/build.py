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
    `var_dir`; width, height). `infrared = true` for a binocular camera's near-infrared eye,
    read from `infrared_source` (opencv; the simulated camera films its scene in infrared)."""
    cfg = dict(section or {})
    driver = str(cfg.get("driver", "sim"))
    infrared = bool(cfg.get("infrared", False))
    if driver == "sim":
        from .scene import Scene
        from .sim import FPS, SceneGrabber, ScenePlayer

        player = ScenePlayer(Scene.parse(str(cfg.get("scene", "nobody"))))
        fps = float(cfg.get("fps", FPS))
        eye = SceneGrabber(player, fps, infrared=True) if infrared else None
        return FaceCamera(SceneGrabber(player, fps), "sim", infrared=eye, player=player)
    if driver != "opencv":
        raise ValueError(f"unknown face camera driver {driver!r} (one of {', '.join(DRIVERS)})")
    grabber = _opencv_grabber(cfg, cfg.get("source", 0), var_dir)
    if infrared and "infrared_source" not in cfg:
        raise ValueError("a face camera with infrared = true names its infrared eye's infrared_source")
    eye = _opencv_grabber(cfg, cfg["infrared_source"], var_dir) if infrared else None
    return FaceCamera(grabber, "opencv", infrared=eye)


def _opencv_grabber(cfg: dict[str, Any], where: Any, var_dir: Path | None) -> FrameGrabber:
    source = parse_source(where)
    is_file = isinstance(source, str) and not source.startswith("/dev/")
    if is_file and var_dir is not None and not Path(source).is_absolute():
        source = str(var_dir / source)
    return FrameGrabber(source, width=int(cfg.get("width", 640)), height=int(cfg.get("height", 480)),
                        loop=bool(cfg.get("loop", True)), pace_fps=float(cfg.get("pace_fps", 10 if is_file else 0)))
