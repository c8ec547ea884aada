"""Builds a scanner from the hardware profile's [scanner] section."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from .facade import Scanner

DRIVERS = ("sim", "camera", "hid", "serial")
DECODERS = ("zxing-cpp", "pyzbar")  # devices/scanner/decoders.py make_decoder


def build_scanner(section: Mapping[str, Any] | None, var_dir: Path | None = None) -> Scanner:
    """`var_dir` resolves a relative camera file path (the demo's recorded camera)."""
    cfg = dict(section or {})
    driver = str(cfg.get("driver", "sim"))
    debounce = float(cfg.get("debounce_s", 2.0))
    if driver == "sim":
        from .sim import SimulatedScannerBackend

        return Scanner(SimulatedScannerBackend(), debounce)
    if driver == "camera":
        return Scanner(build_camera_backend(cfg, var_dir), debounce)
    if driver == "hid":
        from .hid import HidScannerBackend

        return Scanner(HidScannerBackend(str(cfg.get("hid_path", "")), name_contains=str(cfg.get("hid_name", "")),
                                         grab=bool(cfg.get("hid_grab", True))), debounce)
    if driver == "serial":
        from .serial_port import SerialScannerBackend

        return Scanner(SerialScannerBackend(str(cfg["serial_port"]), int(cfg.get("serial_baudrate", 9600))), debounce)
    raise ValueError(f"unknown scanner driver {driver!r} (one of {', '.join(DRIVERS)})")


def build_camera_backend(cfg: dict[str, Any], base_dir: Path | None = None):
    """The camera, its capture thread and its decoder; OpenCV and the decoding library are
    imported when the scanner opens (devices/scanner/camera.py). The decoder's name is
    checked here, so a wrong profile still fails at start."""
    from .camera import CameraScannerBackend, FrameGrabber, parse_source

    source = parse_source(cfg.get("camera_source", 0))
    if isinstance(source, str) and base_dir is not None and not Path(source).is_absolute():
        source = str(base_dir / source)
    grabber = FrameGrabber(source, width=int(cfg.get("width", 640)), height=int(cfg.get("height", 480)),
                           loop=bool(cfg.get("loop", False)), pace_fps=float(cfg.get("pace_fps", 0)))
    name = str(cfg.get("decoder", "zxing-cpp"))
    if name not in DECODERS:
        raise ValueError(f"unknown decoder {name!r} ({', '.join(DECODERS)})")
    formats, budget_ms = cfg.get("formats"), float(cfg.get("budget_ms", 25))

    def make_decoder():
        from .cascade import CascadeDecoder
        from .decoders import DEFAULT_FORMATS
        from .decoders import make_decoder as make_frame_decoder

        return CascadeDecoder(make_frame_decoder(name, tuple(formats or DEFAULT_FORMATS)), budget_ms)

    return CameraScannerBackend(grabber, make_decoder=make_decoder)
