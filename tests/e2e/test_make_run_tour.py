"""What `make run` does on a machine without a display: the back office and the kiosk
start, the demo tour writes a PNG of every screen, both stop, exit 0."""
import json
import os
import subprocess
import sys
from pathlib import Path

import zxingcpp

from backoffice.security.qr import QrSigner
from PIL import Image, ImageStat

EXPECTED = ["attract-zh", "attract-en", "home", "my-cases", "case-timeline", "slip-printed", "card-removed"]


def test_headless_run_writes_the_tour(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, "-m", "kiosk.runner", "--var-dir", str(tmp_path)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    printed = [Path(line) for line in done.stdout.splitlines() if line.endswith(".png")]
    assert "back office: stopped" in done.stdout

    screens = [p for p in printed if p.parent == tmp_path / "tour" and "printed-receipt" not in p.name]
    assert [p.stem.split("-", 1)[1] for p in screens] == EXPECTED
    sizes = set()
    for shot in screens:
        image = Image.open(shot)
        sizes.add(image.size)
        assert max(ImageStat.Stat(image.convert("L")).stddev) > 10, f"{shot.name} is blank"
    assert sizes == {(1080, 1920)}
    # the two languages of the attract screen really differ
    zh, en = (Image.open(p).convert("L").tobytes() for p in screens[:2])
    assert zh != en

    # The slip's QR code is the case's signed tracking token, verifiable with the back
    # office's key (the demo's generated secrets live beside its database).
    (slip,) = [p for p in printed if p.parent == tmp_path / "slips"]
    (code,) = zxingcpp.read_barcodes(Image.open(slip))
    seed = bytes.fromhex(json.loads((tmp_path / "backoffice.secrets.json").read_text())["signing_seed"])
    token = QrSigner(seed).verify(code.text, kind="case")
    assert token.subject == "469023-0003"
    # What the (emulated) printer drew from the bytes it received carries the same code.
    (receipt,) = [p for p in printed if "printed-receipt" in p.name]
    (drawn,) = zxingcpp.read_barcodes(Image.open(receipt))
    assert drawn.text == code.text
