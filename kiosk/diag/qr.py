"""`kiosk-diag qr decode FILE...` and `kiosk-diag qr live [--camera N]`.

decode prints one JSON line per file: {"file", "codes": [{"text", "hex", "format"}],
"milliseconds"}; exit 0 when every file had a code, 1 when some had none, 2 when a file
could not be read. live prints a JSON line per code the camera reads (debounced) until
--seconds pass or Ctrl-C; exit 0 if a code was read, 3 if none, 4 if the camera is missing."""
from __future__ import annotations

import json
import queue
import sys
import time

EXIT_OK, EXIT_NO_CODE, EXIT_UNREADABLE, EXIT_NO_CODE_LIVE, EXIT_NO_CAMERA = 0, 1, 2, 3, 4


def register(subparsers) -> None:
    parser = subparsers.add_parser("qr", help="QR / barcode scanning")
    actions = parser.add_subparsers(dest="action", required=True)
    decode = actions.add_parser("decode", help="decode image files")
    decode.add_argument("files", nargs="+", metavar="FILE")
    decode.add_argument("--decoder", choices=("zxing-cpp", "pyzbar"), default="zxing-cpp")
    decode.add_argument("--budget-ms", type=float, default=100.0, help="cascade time budget per image")
    decode.set_defaults(handler=_decode)
    live = actions.add_parser("live", help="read codes from the camera")
    live.add_argument("--camera", help="device index or video/image-sequence path (default: the profile's)")
    live.add_argument("--seconds", type=float, default=30.0)
    live.add_argument("--decoder", choices=("zxing-cpp", "pyzbar"), default=None)
    live.set_defaults(handler=_live)


def _code_json(code) -> dict:
    return {"text": code.text, "hex": code.data.hex() if code.text is None else None, "format": code.symbology}


def _decode(args) -> int:
    import cv2

    from devices.scanner.cascade import CascadeDecoder
    from devices.scanner.decoders import make_decoder

    cascade = CascadeDecoder(make_decoder(args.decoder), budget_ms=args.budget_ms)
    worst = EXIT_OK
    for path in args.files:
        image = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
        if image is None:
            print(json.dumps({"file": path, "error": "not a readable image"}, ensure_ascii=False))
            worst = EXIT_UNREADABLE
            continue
        result = cascade.decode_detailed(image)
        print(json.dumps({"file": path, "codes": [_code_json(c) for c in result.codes],
                          "milliseconds": round(result.milliseconds, 2)}, ensure_ascii=False), flush=True)
        if not result.codes and worst == EXIT_OK:
            worst = EXIT_NO_CODE
    return worst


def _live(args) -> int:
    from devices.health import DeviceState
    from devices.scanner import Scanner
    from devices.scanner.build import build_camera_backend

    section: dict = {}
    try:
        from kiosk.config import load_config

        section = dict(load_config().profile.sections.get("scanner", {}))
    except Exception:  # diagnostics work without a readable kiosk config
        pass
    if args.camera is not None:
        section["camera_source"] = args.camera
    section.setdefault("camera_source", 0)
    if args.decoder:
        section["decoder"] = args.decoder
    scanner = Scanner(build_camera_backend(section), debounce_s=float(section.get("debounce_s", 2.0)))
    events: queue.Queue = queue.Queue()
    scanner.subscribe(events.put)
    scanner.open()
    read = 0
    try:
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            try:
                event = events.get(timeout=0.5)
            except queue.Empty:
                if scanner.status().state is DeviceState.NO_DEVICE:
                    print(json.dumps({"error": scanner.status().detail}), file=sys.stderr)
                    return EXIT_NO_CAMERA
                if scanner.backend.grabber.ended:
                    break
                continue
            read += 1
            print(json.dumps(_code_json(event.code), ensure_ascii=False), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        scanner.close()
    return EXIT_OK if read else EXIT_NO_CODE_LIVE
