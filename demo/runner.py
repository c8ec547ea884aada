"""`kiosk-run` (what `make run` calls): the embedded back office plus the kiosk in demo
mode with simulated devices. Without a display it runs the demo tour and exits 0."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from demo import courier_emulator
from demo.embedded_backoffice import EmbeddedBackoffice
from kiosk.paths import REPO_ROOT
from kiosk.runtime.kivy_env import has_display

# The demo's maintenance PIN, written as a hash into the demo's own var dir at each start
# (a real kiosk's PIN is set with `kiosk-diag maintenance set-pin`); the tour types it.
DEMO_MAINTENANCE_PIN = "246810"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk-run", description=__doc__)
    parser.add_argument("--var-dir", type=Path, default=REPO_ROOT / "var",
                        help="runtime files: database, logs, printer spool, screenshots")
    args = parser.parse_args(argv)
    var = args.var_dir.resolve()
    # The demo starts from freshly seeded data every time (dated relative to today); the
    # generated secrets in var/ are kept.
    for stale in var.glob("backoffice.db*"):
        stale.unlink()
    set_demo_pin(var)
    with courier_emulator.serving() as (courier_url, courier):  # results by post go to the emulated EMS
        courier.auto_advance = True  # each sweep moves a posted result one step on
        return run(var, courier_url)


def run(var: Path, courier_url: str) -> int:
    backoffice = EmbeddedBackoffice(database=var / "backoffice.db", log_file=var / "backoffice.log",
                                    environ={"BACKOFFICE_COURIER": f"emulator:{courier_url}"}, demo_faces=True)
    print(f"back office: starting on {backoffice.url}", flush=True)
    with backoffice:
        print(f"back office: ready ({backoffice.url}, SQLite {backoffice.database})", flush=True)
        print(f"staff console: {backoffice.url}/console/ (demo sign-ins clerk01, approver-scjg, supervisor01, "
              f"admin; password {os.environ.get('BACKOFFICE_DEMO_PASSWORD', 'chengmai-demo')})", flush=True)
        from kiosk.__main__ import main as kiosk_main

        code = kiosk_main(["--backoffice-url", backoffice.url, "--var-dir", str(var), "--profile", "demo",
                           "--backoffice-secret-file", str(backoffice.terminal_secret_file)])
        if code == 0 and not has_display():
            code = console_tour(backoffice.url, var / "tour" / "console")
    print("back office: stopped", flush=True)
    return code


def console_tour(base: str, folder: Path) -> int:
    """The staff console's pages as each demo role sees them, after the kiosk's tour (whose
    cases they show): a PNG of each and axe-core's check; 1 if a page has a serious finding."""
    from proof import console_tour as tour

    if not tour.available():
        print("staff console tour: skipped (no chromium and chromedriver)", flush=True)
        return 0
    found = tour.run(base, folder)
    for name, serious in found.items():
        if serious:
            print(f"staff console tour: {name}: serious accessibility findings {serious}", flush=True)
    print(f"staff console tour: {len(found)} pages photographed in {folder}/ (axe-core: accessibility.json)",
          flush=True)
    return 1 if any(found.values()) else 0


def set_demo_pin(var: Path) -> None:
    from kiosk.maintenance.access import MaintenanceAccess

    MaintenanceAccess(var).set_pin(DEMO_MAINTENANCE_PIN, by="kiosk-run (demo)")  # clears a lock too
    print(f"maintenance mode: demo PIN {DEMO_MAINTENANCE_PIN} (five taps on the top bar's top-left corner)",
          flush=True)


if __name__ == "__main__":
    sys.exit(main())
