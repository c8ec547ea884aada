"""`kiosk-backoffice` run as a county administrator would, on a SQLite file of the test's."""
from __future__ import annotations

import os
import subprocess
import sys


def backoffice_cli(tmp_path, *args, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "BACKOFFICE_VAR_DIR": str(tmp_path),
           "BACKOFFICE_DATABASE_URL": f"sqlite:///{tmp_path / 'backoffice.db'}", **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "backoffice", *args], env=env, capture_output=True, text=True,
                          timeout=120)
