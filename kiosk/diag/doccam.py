"""`kiosk-diag doccam capture [--camera SRC] [--out FILE.jpg]`: capture one page and save
the cleaned JPEG. Prints {"file", "bytes", "corners"}; exit 0 ok, 3 no page found,
4 camera missing."""
from __future__ import annotations

import json
from pathlib import Path

EXIT_OK, EXIT_NO_PAGE, EXIT_NO_CAMERA = 0, 3, 4


def register(subparsers) -> None:
    parser = subparsers.add_parser("doccam", help="document camera")
    actions = parser.add_subparsers(dest="action", required=True)
    capture = actions.add_parser("capture", help="capture one A4 page")
    capture.add_argument("--camera", help="device index or image/video path (default: the profile's)")
    capture.add_argument("--out", default="page.jpg")
    capture.set_defaults(handler=_capture)


def _capture(args) -> int:
    from devices.doccam import build_doccam

    section: dict = {}
    var_dir = None
    try:
        from kiosk.config import load_config

        config = load_config()
        section, var_dir = dict(config.profile.sections.get("doccam", {})), config.var_dir
    except Exception:  # diagnostics work without a readable kiosk config
        pass
    if args.camera is not None:
        section = {"driver": "camera", "source": args.camera}
    camera = build_doccam(section, var_dir)
    camera.open()
    try:
        result = camera.capture()
        if not result.ok:
            print(json.dumps({"error": result.reason, "status": camera.status().state.value}, ensure_ascii=False))
            return EXIT_NO_CAMERA if "no image" in result.reason else EXIT_NO_PAGE
        Path(args.out).write_bytes(result.jpeg)
        print(json.dumps({"file": args.out, "bytes": len(result.jpeg),
                          "corners": [[round(float(x)), round(float(y))] for x, y in result.corners]}))
        return EXIT_OK
    finally:
        camera.close()
