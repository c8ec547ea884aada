"""What the kiosk imports on its way to the first frame. OpenCV and numpy (the cameras),
reportlab (A4 PDFs), python-escpos's printer database, qrcode, requests (the first request
to the back office) and pyscard (the PC/SC reader) cost a few hundred milliseconds
together, and no screen shows them before a citizen acts: they are imported when first
used. This guards the cold start (BENCHMARKS.md) without timing anything."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEFERRED = ("cv2", "numpy", "zxingcpp", "reportlab", "escpos.printer", "escpos.capabilities", "qrcode", "requests",
            "smartcard")

PROBE = """
import json, sys
from pathlib import Path
from kiosk.runtime import kivy_env
from kiosk.config import load_config
var = Path(sys.argv[1])
config = load_config(environ={}, overrides={"kiosk.var_dir": str(var), "kiosk.hardware_profile": sys.argv[2]})
kivy_env.prepare(var, config.profile.window_size, headless=True)
from kiosk.app import KioskApp
from kiosk.hardware import build_devices
from screens import discover_screens
discover_screens()
devices = build_devices(config)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {d.split(".")[0] for d in %r})))
devices.close()
"""


@pytest.mark.parametrize("profile", ["demo", "floor-215"])  # floor-215: a camera scanner, OpenCV at open
def test_the_start_path_leaves_cameras_pdfs_and_printer_database_for_later(profile):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    with tempfile.TemporaryDirectory() as var:
        (Path(var) / "doccam-sim").mkdir()
        (Path(var) / "doccam-sim" / "desk_000.png").write_bytes(b"")  # a demo kiosk past its first start
        done = subprocess.run([sys.executable, "-c", PROBE % (DEFERRED,), var, profile], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    imported = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert not {m for m in imported if m in DEFERRED}, imported


def test_escpos_keeps_its_printer_database_in_the_kiosk_cache():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                            "ESCPOS_CAPABILITIES_PICKLE_DIR")}
    probe = ("import sys; from pathlib import Path; from kiosk.runtime.escpos_cache import keep_escpos_capabilities; "
             "keep_escpos_capabilities(Path(sys.argv[1])); import escpos.printer")
    with tempfile.TemporaryDirectory() as var:
        for _ in range(2):  # the second start reads what the first wrote
            done = subprocess.run([sys.executable, "-c", probe, var], cwd=REPO, env=env, capture_output=True,
                                  text=True, timeout=120)
            assert done.returncode == 0, done.stderr[-3000:]
        assert list((Path(var) / "cache" / "escpos").glob("*.capabilities.pickle"))


def test_a_printer_database_cut_short_is_made_again():
    """A start killed while python-escpos wrote its pickle leaves it short; the next start
    must not fail on it (python-escpos itself would raise EOFError at every import)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                            "ESCPOS_CAPABILITIES_PICKLE_DIR")}
    probe = ("import sys; from pathlib import Path; from kiosk.runtime.escpos_cache import keep_escpos_capabilities; "
             "keep_escpos_capabilities(Path(sys.argv[1])); import escpos.printer")
    with tempfile.TemporaryDirectory() as var:
        first = subprocess.run([sys.executable, "-c", probe, var], cwd=REPO, env=env, capture_output=True, text=True,
                               timeout=120)
        assert first.returncode == 0, first.stderr[-3000:]
        (pickled,) = (Path(var) / "cache" / "escpos").glob("*.capabilities.pickle")
        whole = pickled.read_bytes()
        for cut in (b"", whole[: len(whole) // 2]):  # killed before, or while, it was written
            pickled.write_bytes(cut)
            again = subprocess.run([sys.executable, "-c", probe, var], cwd=REPO, env=env, capture_output=True,
                                   text=True, timeout=120)
            assert again.returncode == 0, again.stderr[-3000:]
            assert pickled.read_bytes() == whole
