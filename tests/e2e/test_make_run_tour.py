"""What `make run` does on a machine without a display: the back office and the kiosk
start, the demo tour walks every journey and writes a PNG of every screen (and of every
receipt as the emulated printer drew it), both stop, exit 0."""
import json
import os
import subprocess
import sys
from pathlib import Path

import zxingcpp
from PIL import Image, ImageStat

from backoffice.security.qr import QrSigner

REQUIRED = ["attract-zh", "attract-en", "catalogue-windows", "catalogue-results", "guide", "apply-identify",
            "apply-capture", "apply-commitment", "apply-review", "apply-consent", "apply-result", "home",
            "face-consent", "face-camera", "presence-code", "my-cases", "case-timeline", "slip-printed", "card-removed",
            "progress-by-receipt-code", "appointment-start", "appointment-ticket", "collect-list",
            "collect-done", "rating-levels", "rating-done", "printer-out-of-paper", "network-down", "idle-warning",
            "maintenance-pin", "maintenance-diagnostics", "maintenance-out-of-service-form", "out-of-service",
            "sound-panel"]


def test_headless_run_writes_the_tour(tmp_path):
    crashed = tmp_path / "session" / "s-before-a-power-cut"  # what a crash left: purged at start
    crashed.mkdir(parents=True)
    (crashed / "page-1.jpg").write_bytes(b"\xff\xd8 a photographed ID card")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, "-m", "demo.runner", "--var-dir", str(tmp_path)],
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    # Every session of the tour ended and took its files along; the crash's are gone too.
    assert list((tmp_path / "session").iterdir()) == []
    assert "back office: stopped" in done.stdout
    printed = [Path(line) for line in done.stdout.splitlines() if line.endswith(".png")]
    assert printed and all(p.exists() for p in printed)

    screens = [p for p in printed if "printed-" not in p.name]
    names = [p.stem.split("-", 1)[1] for p in screens]
    assert not [n for n in names if n.endswith("FAILED")]
    assert set(REQUIRED) <= set(names), set(REQUIRED) - set(names)
    for shot in screens:
        image = Image.open(shot)
        assert image.size == (1080, 1920)
        assert max(ImageStat.Stat(image.convert("L")).stddev) > 10, f"{shot.name} is blank"
    zh, en = (Image.open(p).convert("L").tobytes() for p in screens[:2])
    assert zh != en  # the two languages of the attract screen really differ

    # The progress slip, as the emulated printer drew it from the bytes it received, carries
    # the case's signed tracking token, verifiable with the back office's key (the demo's
    # generated secrets live beside its database).
    (slip,) = [p for p in printed if "printed-progress-slip" in p.name]
    (code,) = zxingcpp.read_barcodes(Image.open(slip))
    seed = bytes.fromhex(json.loads((tmp_path / "backoffice.secrets.json").read_text())["signing_seed"])
    assert QrSigner(seed).verify(code.text, kind="case").subject == "469023-0003"
    assert [p for p in printed if "printed-queue-ticket" in p.name]
    assert [p for p in printed if "printed-guide" in p.name]

    # The 收件凭证 of the application the tour submitted tracks that new case.
    (receipt,) = [p for p in printed if "printed-application-receipt" in p.name]
    (code,) = zxingcpp.read_barcodes(Image.open(receipt))
    assert QrSigner(seed).verify(code.text, kind="case").subject.startswith("469023-")

    # Every citizen journey walked, with its taps and screens counted for the README.
    # Then the staff console's tour: each role's pages, the kiosk's submission among the
    # clerk's with its scanned pages in the viewer, none with a serious axe-core finding.
    console = tmp_path / "tour" / "console"
    for page in ("sign-in", "clerk01-queue", "clerk01-case", "clerk01-viewer", "approver-scjg-department"):
        assert (console / f"{page}.png").exists(), page
    assert not any(json.loads((console / "accessibility.json").read_text()).values())

    journeys = {j["leg"]: j for j in json.loads((tmp_path / "tour" / "journeys.json").read_text())}
    walked = {"guide", "apply", "progress_by_card", "progress_by_code", "appointment", "collect_and_rate"}
    assert walked <= set(journeys)
    assert all(j["screens"] for j in journeys.values())
    assert journeys["apply"]["taps"] > len(journeys["apply"]["screens"])  # keypad digits on top of the pages
    assert "| apply |" in done.stdout

    # Every screen the tour reached was measured in both languages and both modes: touch
    # targets, text sizes in points, contrast, cut text, and strings left in the other
    # language (back-office case data included: the case API carries English names).
    report = json.loads((tmp_path / "tour" / "accessibility.json").read_text())
    assert len(report["screens_checked"]) >= 4 * len(REQUIRED)
    assert not report["violations"], report["violations"][:10]
    assert "No violations." in (tmp_path / "tour" / "accessibility.md").read_text()
