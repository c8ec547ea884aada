"""Stands in for systemctl when a test stages the back office's install, upgrade and rollback
(`--service-ctl`): `start` (or `enable --now`) of chengmai-backoffice.service runs the staged
current release's `kiosk-backoffice serve --migrate` as the unit would, with the staged
environment file; `stop` ends it. `start` of a oneshot unit the install staged (the nightly
backup, the sweep) runs its ExecStart= as systemd would, with its Environment= and then its
EnvironmentFile=, paths under ROOT, and fails when it fails. Every call is logged to
ROOT/run/systemctl.log.

    python service_stand_in.py ROOT PYTHON systemctl-arguments...
"""
from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

SERVICE = "chengmai-backoffice.service"
PROGRAM = "/opt/chengmai-kiosk/venv/bin/kiosk-backoffice"


def staged(root: Path, text: str) -> str:
    return re.sub(r"(?<![\w./$-])/(etc|opt|var|run)/", f"{root}/\\1/", text)


def run_oneshot(root: Path, python: str, unit: str) -> int:
    """A staged oneshot unit's ExecStart=, the current release's code as its venv would run it."""
    file = root / "etc/systemd/system" / unit
    if not file.exists():
        return 0
    lines = file.read_text().splitlines()
    if "Type=oneshot" not in lines:
        return 0
    settings = [line.split("=", 2)[1:] for line in lines if line.startswith("Environment=")]
    env_files = [line.split("=", 1)[1] for line in lines if line.startswith("EnvironmentFile=")]
    exec_start = next(line.split("=", 1)[1] for line in lines if line.startswith("ExecStart="))
    assert exec_start.startswith(PROGRAM + " "), f"{unit}: ExecStart= is not {PROGRAM}: update the stand-in"
    command = "set -a; " + "".join(f"{name}={shlex.quote(staged(root, value))}; " for name, value in settings)
    command += "".join(f". {shlex.quote(staged(root, f))}; " for f in env_files)
    command += f'set +a; exec "{python}" -m backoffice{exec_start[len(PROGRAM):]}'
    return subprocess.run(["sh", "-c", command], cwd=root / "opt/chengmai-kiosk/current/app").returncode


def start(root: Path, python: str) -> None:
    pid_file = root / "run/backoffice.pid"
    if pid_file.exists():
        return
    app = root / "opt/chengmai-kiosk/current/app"
    env_file = root / "etc/chengmai-kiosk/backoffice.env"
    # The unit's order: its Environment= first, then the file's values win.
    command = (f'set -a; BACKOFFICE_VAR_DIR="{root}/var/lib/chengmai-backoffice"; . "{env_file}"; set +a; '
               f'exec "{python}" -m backoffice serve --host "$BACKOFFICE_HOST" --port "$BACKOFFICE_PORT" '
               f'--workers "${{BACKOFFICE_WORKERS:-1}}" --migrate')
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
    if args[0] == "start":
        for unit in args[1:]:
            if unit != SERVICE and unit.endswith(".service") and run_oneshot(root, python, unit) != 0:
                print(f"Job for {unit} failed.", file=sys.stderr)
                return 1
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
