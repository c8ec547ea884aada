"""Builds the document camera a hardware profile's [doccam] section names."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from .facade import DocumentCamera


def build_doccam(section: Mapping[str, Any] | None, var_dir: Path | None = None) -> DocumentCamera:
    """driver "camera" (source: device index or path) or "sim": a generated photo of a page
    on a desk, written under `var_dir` and read through the same VideoCapture path."""
    cfg = dict(section or {})
    if cfg.get("driver", "camera") == "sim":
        return DocumentCamera(_sim_source(Path(var_dir or ".") / "doccam-sim"))
    source = cfg.get("source", 1)
    if isinstance(source, str) and not source.isdigit() and var_dir is not None and not Path(source).is_absolute():
        source = str(var_dir / source)
    return DocumentCamera(source, width=int(cfg.get("width", 1600)), height=int(cfg.get("height", 1200)),
                          loop=bool(cfg.get("loop", True)))


def _sim_source(folder: Path) -> str:
    first = folder / "desk_000.png"
    if not first.exists():  # made once, on a new demo kiosk
        import cv2

        from .synthetic import photograph

        folder.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(first), photograph(7, rotation_deg=-9, tilt=0.12, shadow=0.35)[0])
    return str(folder / "desk_%03d.png")
