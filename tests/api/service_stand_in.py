"""Stands in for systemctl when a test stages the back office's install, upgrade and rollback
(`--service-ctl`): `start` (or `enable --now`) of chengmai-backoffice.service runs the staged
current release's `kiosk-backoffice serve --migrate` as the unit would, with the staged
environment file; `stop` ends it. Every call is logged to ROOT/run/systemctl.log.

    python service_stand_in.py ROOT PYTHON systemctl-arguments...
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SERVICE = "chengmai-backoffice.service"


def start(root: Path, python: str) -> None:
    pid_file = root / "run/backoffice.pid"
    if pid_file.exists():
        return
    app = root / "opt/chengmai-kiosk/current/app"
    env_file = root / "etc/chengmai-kiosk/backoffice.env"
    # The unit's order: its Environment= first, then the file's values win.
    command = (f'set -a; BACKOFFICE_VAR_DIR="{root}/var/lib/chengmai-backoffice"; . "{env_file}"; set +a; '
               f'exec "{python}" -m backoffice serve --host "$BACKOFFICE_HOST" --port "$BACKOFFICE_PORT" --migrate')
    with open(root / "run/backoffice.log", "a") as log:
        process = subprocess.Popen(["sh", "-c", command], cwd=app, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                   start_new_session=True)
    pid_file.write_text(str(process.pid))


def stop(root: Path) -> None:
    pid_file = root / "run/backoffice.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    try:
        os.killpg(pid, signal.SIGTERM)
        for _ in range(300):
            os.killpg(pid, 0)
            time.sleep(0.1)
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    pid_file.unlink()


def main(argv: list[str]) -> int:
    root, python, args = Path(argv[0]), argv[1], argv[2:]
    (root / "run").mkdir(exist_ok=True)
    with open(root / "run/systemctl.log", "a") as log:
        log.write(" ".join(args) + "\n")
    if SERVICE not in args:
        return 0
    if args[0] == "stop":
        stop(root)
    elif args[0] in ("start", "restart") or (args[0] == "enable" and "--now" in args):
        if args[0] == "restart":
            stop(root)
        start(root, python)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
