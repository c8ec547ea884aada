"""A private, throwaway PostgreSQL server for the test run.

`postgres_server` (session scope) runs initdb into a temporary directory, starts the
cluster with pg_ctl on 127.0.0.1 and a free port (plus a unix socket in the same
directory), and stops and removes it at the end. It needs only the PostgreSQL server
binaries (Debian: the `postgresql` package, which `make test` installs); it never touches
the distribution's own cluster, systemd or pg_ctlcluster. As root (CI), initdb and the
server run as the `postgres` system user, since PostgreSQL refuses to run as root.

    def test_something(postgres_server):
        url = postgres_server.create_database("something")
        # postgresql+psycopg://backoffice:...@127.0.0.1:PORT/something

`PostgresServer` is usable outside pytest too (benchmarks): `with PostgresServer() as pg:`.
"""
from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

SERVICE_USER = "postgres"
SUPERUSER = "backoffice"  # the cluster's bootstrap superuser; not a system account
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing or the cluster could not start."""


def find_bin_dir() -> Path | None:
    """The directory holding initdb and pg_ctl: $PG_BIN, the newest Debian
    /usr/lib/postgresql/N/bin, or wherever initdb is on PATH."""
    candidates = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    candidates += sorted((Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
                         key=lambda p: _version_key(p.parent.name), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "pg_ctl").is_file():
            return directory
    return None


def _version_key(name: str) -> tuple:
    return tuple(int(x) if x.isdigit() else 0 for x in name.split("."))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self, bin_dir: Path | None = None):
        self.bin_dir = bin_dir or find_bin_dir()
        if self.bin_dir is None:
            raise PostgresUnavailable(
                "PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian package "
                "`postgresql` (listed in scripts/debian-packages.txt; `make test` installs it) "
                "or set PG_BIN to the directory holding them")
        self.host = "127.0.0.1"
        self.port = 0
        self.password = secrets.token_hex(16)
        self.root: Path | None = None
        self._as_service_user = os.geteuid() == 0
        self._started = False

    # --- paths ---------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    # --- lifecycle -----------------------------------------------------------------------
    def start(self, attempts: int = 3) -> "PostgresServer":
        # Not under pytest's tmp_path: its parents are private to the test user, and the
        # server user must be able to reach its own directory.
        self.root = Path(tempfile.mkdtemp(prefix="pgtest-"))
        try:
            self._initdb()
            for attempt in range(attempts):
                self.port = _free_port()
                result = self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.log_file),
                                      "-o", f"-p {self.port}")
                if result.returncode == 0:
                    self._started = True
                    return self
                # Another process may have taken the port between probing and binding.
            raise PostgresUnavailable(f"pg_ctl start failed {attempts} times:\n{result.stdout}\n"
                                      f"{result.stderr}\n{self._log_tail()}")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.root is None:
            return
        if self._started:
            self._pg_ctl("stop", "-m", "fast", "-w", "-t", "60")
            self._started = False
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    # --- databases -----------------------------------------------------------------------
    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}:{self.password}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Creates an empty database and returns its SQLAlchemy URL (psycopg 3)."""
        if not _NAME.match(name):
            raise ValueError(f"database name must match {_NAME.pattern}: {name!r}")
        import psycopg

        with psycopg.connect(host=self.host, port=self.port, user=SUPERUSER, password=self.password,
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    # --- helpers -------------------------------------------------------------------------
    def _initdb(self) -> None:
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        if self._as_service_user:
            shutil.chown(self.root, SERVICE_USER)
            shutil.chown(pwfile, SERVICE_USER)
        result = self._run(str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                           f"--pwfile={pwfile}", "--auth-local=trust", "--auth-host=scram-sha-256",
                           "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions")
        pwfile.unlink()
        if result.returncode != 0:
            raise PostgresUnavailable(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.socket_dir}'",
            # Throwaway data: durability is not wanted, speed is.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
            "shared_buffers": "64MB",
            "logging_collector": "off",
        }
        with open(self.data_dir / "postgresql.conf", "a") as conf:
            conf.write("\n# private test cluster\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def _pg_ctl(self, *args: str) -> subprocess.CompletedProcess:
        return self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), *args)

    def _run(self, *cmd: str) -> subprocess.CompletedProcess:
        if self._as_service_user:
            cmd = ("runuser", "-u", SERVICE_USER, "--", *cmd)
        # The server inherits stdout/stderr of pg_ctl; a file keeps it from holding our pipes.
        with tempfile.TemporaryFile("w+") as out:
            proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  cwd=self.root, timeout=120, text=True)
            out.seek(0)
            return subprocess.CompletedProcess(cmd, proc.returncode, out.read(), "")

    def _log_tail(self) -> str:
        try:
            return "server log:\n" + "\n".join(self.log_file.read_text().splitlines()[-20:])
        except OSError:
            return "(no server log)"


@pytest.fixture(scope="session")
def postgres_server():
    """A private PostgreSQL cluster for the whole test run; `create_database(name)` gives a
    fresh database's SQLAlchemy URL. Fails (does not skip) without the server binaries."""
    try:
        server = PostgresServer().start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()
