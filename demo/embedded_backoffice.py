"""Runs the county back office as a child process on loopback, for the demo and tests.

The kiosk only ever talks to it over HTTP, exactly as it would to the county's server.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from devices.idcard.emulators.passport_pki import CRL_DIR, TRUST_DIR, PassportPki, demo_pki
from devices.processes import stop_process
from kiosk.paths import REPO_ROOT

PHONE_INBOX = "demo-phone.jsonl"
DEMO_PEOPLE = REPO_ROOT / "assets" / "seed" / "demo.json"  # the carriers' registry of the demo's phones
# The demo's people come back to the glass every few minutes and the soak brings a new
# one each cycle, which would soon meet the limits on codes meant for a real hall.
# Its administrators and supervisors sign in with the demo password alone: the demo has no
# authenticator app to read codes from (tests/api/test_staff_second_factor.py runs with it).
# The demo's phone shows a case's texts at once, at any hour (a county keeps its quiet hours).
DEMO_SETTINGS = {"BACKOFFICE_PRESENCE_CODES_PER_CITIZEN_HOUR": "100000",
                 "BACKOFFICE_FACE_CHALLENGES_PER_CITIZEN_HOUR": "100000",
                 "BACKOFFICE_PRESENCE_CITIZENS_PER_HOUR": "100000",
                 "BACKOFFICE_MFA_ROLES": "", "BACKOFFICE_SMS_QUIET_HOURS": "", "BACKOFFICE_SMS_POLL_S": "1"}


class BackofficeDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmbeddedBackoffice:
    def __init__(self, database: Path, port: int | None = None, seed_demo: bool = True,
                 lookup_key: str | None = None, log_file: Path | None = None,
                 database_url: str | None = None, environ: dict[str, str] | None = None, workers: int = 1,
                 demo_faces: bool = False):
        """`database` is the SQLite file; its directory also holds the generated secrets, the
        demo terminal's secret and the demo's phone (every text sent, PHONE_INBOX).
        `database_url` (e.g. PostgreSQL) replaces the SQLite file; `environ` adds or
        replaces the server's settings (BACKOFFICE_*); `workers` > 1 serves from that many
        processes (`serve --workers`, PostgreSQL only). `demo_faces` puts the demo people's
        photos on record at the real-person service's emulator (demo/face_records.py), so
        the simulated face camera's people can be confirmed by face."""
        self.environ = dict(environ or {})
        self.database = Path(database)
        self.database_url = database_url or f"sqlite:///{self.database}"
        self.port = port or free_port()
        self.seed_demo = seed_demo
        self.lookup_key = lookup_key
        self.log_file = log_file
        self.demo_faces = demo_faces
        self.workers = workers
        self._process: subprocess.Popen | None = None

    @property
    def terminal_secret_file(self) -> Path:
        """The demo terminal's secret, written by the seed for the kiosk to sign with."""
        return self.database.parent / "terminal.secret"

    @property
    def phone_inbox(self) -> Path:
        """The texts the server sent, one JSON line each (sms/providers.py RecordingProvider)."""
        return self.database.parent / PHONE_INBOX

    @property
    def passport_pki_dir(self) -> Path:
        """The demo's passport PKI (devices/idcard/emulators/passport_pki.demo_pki): the
        back office trusts its CSCA, the ePassport emulator signs with its document signer."""
        return self.database.parent / "demo-passport-pki"

    @property
    def real_person_photos(self) -> Path:
        """The real-person service's emulator (backoffice/face/realperson.py): reference
        photos named by ID number; a demo person without one has no record there."""
        return self.database.parent / "demo-realperson"

    def passport_pki(self) -> PassportPki:
        return demo_pki(self.passport_pki_dir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The server process, for tests that watch its resources."""
        return self._process.pid if self._process is not None else None

    def worker_pids(self) -> list[int]:
        """The processes serving requests: the server itself, or with several workers its
        worker processes (uvicorn's, started by multiprocessing's spawn)."""
        if self._process is None:
            return []
        if self.workers == 1:
            return [self._process.pid]
        children = Path(f"/proc/{self._process.pid}/task/{self._process.pid}/children").read_text().split()
        return [int(pid) for pid in children
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]

    def start(self, timeout: float = 60.0) -> "EmbeddedBackoffice":
        self.database.parent.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "backoffice", "serve", "--host", "127.0.0.1", "--port", str(self.port),
               "--migrate"]
        if self.seed_demo:
            cmd += ["--seed-demo", "--terminal-secret-file", str(self.terminal_secret_file)]
        if self.workers > 1:
            cmd += ["--workers", str(self.workers)]
        # The URL goes by environment, not argv: a server URL may carry a password.
        env = dict(os.environ, BACKOFFICE_VAR_DIR=str(self.database.parent),
                   BACKOFFICE_DATABASE_URL=self.database_url, **DEMO_SETTINGS)
        self.passport_pki()  # made before the server reads its trust list
        self.real_person_photos.mkdir(exist_ok=True)
        if self.demo_faces:
            from .face_records import write_face_records

            write_face_records(self.real_person_photos, DEMO_PEOPLE)
        env.update({"BACKOFFICE_SMS_PROVIDER": f"recording:{self.phone_inbox}",
                    "BACKOFFICE_CARRIER_CHECK": f"registry:{DEMO_PEOPLE}",
                    "BACKOFFICE_CSCA_TRUST_LIST": str(self.passport_pki_dir / TRUST_DIR),
                    "BACKOFFICE_CSCA_CRLS": str(self.passport_pki_dir / CRL_DIR),
                    "BACKOFFICE_REAL_PERSON": f"emulator:{self.real_person_photos}", **self.environ})
        if self.lookup_key:
            env["BACKOFFICE_LOOKUP_KEY"] = self.lookup_key
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        self._process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BackofficeDidNotStart(f"back office exited with {self._process.returncode}")
            try:
                if requests.get(self.url + "/health", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise BackofficeDidNotStart(f"no answer on {self.url} within {timeout:.0f} s")

    def stop(self) -> None:
        if self._process is None:
            return
        stop_process(self._process)
        self._process = None

    def __enter__(self) -> "EmbeddedBackoffice":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
