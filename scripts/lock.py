"""Writes requirements/<role>.lock: every Python dependency of one appliance role, pinned,
with the SHA-256 of the one file pip chose for the target (Debian 12, CPython 3.11, x86_64).

    python scripts/lock.py [kiosk|backoffice|build ...]     (`make lock`: all three)

pip resolves `.[ROLE]` here with --dry-run --report (nothing is installed), so the lock is what
an install on this machine would get: it must run on the target's platform. `build` is the
venv's own tools (pip, setuptools, wheel), installed first so sdists build offline.
"""
from __future__ import annotations

import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOCKS = REPO / "requirements"
TARGET = "Debian 12, CPython 3.11, x86_64"
BUILD_TOOLS = ["pip", "setuptools>=68", "wheel"]
ROLES = ("kiosk", "backoffice", "build")


def check_platform() -> None:
    # pip picks wheels and evaluates markers for the interpreter it runs in.
    here = (sys.implementation.name, sys.version_info[:2], platform.machine(), sys.platform)
    if here != ("cpython", (3, 11), "x86_64", "linux"):
        sys.exit(f"lock for {TARGET}: run this with such a Python, not {here}")


def resolve(role: str) -> list[dict]:
    wanted = BUILD_TOOLS if role == "build" else [f"{REPO}[{role}]"]
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--dry-run", "--ignore-installed",
                        "--prefer-binary", "--report", str(report), *wanted], check=True)
        installs = json.loads(report.read_text())["install"]
    # The project itself is installed from its own tree, not from the lock.
    return [i for i in installs if "archive_info" in i["download_info"]]


def render(role: str, installs: list[dict]) -> str:
    what = {"build": "The appliance venv's own tools", "kiosk": "The kiosk's Python dependencies",
            "backoffice": "The back office's Python dependencies"}[role]
    lines = [f"# {what} for {TARGET}: made by `make lock`",
             "# (scripts/lock.py), installed with --require-hashes. Do not edit."]
    for item in sorted(installs, key=lambda i: i["metadata"]["name"].lower()):
        meta, digest = item["metadata"], item["download_info"]["archive_info"]["hashes"]["sha256"]
        filename = item["download_info"]["url"].rsplit("/", 1)[-1]
        lines.append(f"{meta['name']}=={meta['version']} \\\n    --hash=sha256:{digest}\n    # {filename}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    check_platform()
    roles = argv or list(ROLES)
    for role in roles:
        if role not in ROLES:
            sys.exit(f"unknown role {role}: one of {', '.join(ROLES)}")
        LOCKS.mkdir(exist_ok=True)
        (LOCKS / f"{role}.lock").write_text(render(role, resolve(role)))
        print(f"requirements/{role}.lock")


if __name__ == "__main__":
    main(sys.argv[1:])
