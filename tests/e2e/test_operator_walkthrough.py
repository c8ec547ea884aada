"""The README's "Operating the back office", run as written: every fenced `sh` block marked
`<!-- walkthrough: NAME -->` in that section, in the README's order, on a back-office server
staged into a temporary root, on SQLite, and its database steps again on PostgreSQL
(tests/postgres.py). A README command that no longer works, or a step taken out or moved,
fails here.

What a real machine has and a test cannot use is stood in for, and only that:

- `/etc/`, `/opt/`, `/var/` and `/run/` in a command are under the staged root;
- `make install-backoffice` and `make rollback-backoffice` (or their scripts run straight)
  get `--root ROOT --python PY --service-ctl SYSTEMCTL` after the README's own arguments:
  the scripts' own staging (tests/api/test_backoffice_upgrade.py stages them the same way);
- `systemctl` is tests/api/service_stand_in.py: `start`/`stop`/`restart` of the service run
  the current release's `kiosk-backoffice serve --migrate` with the staged backoffice.env,
  `start` of the nightly backup runs its staged unit's ExecStart=, timers are only logged;
- `chengmai-backoffice` is deploy/bin/chengmai-backoffice itself with the staged paths and,
  instead of `runuser` and the release's venv, this interpreter on the release's code (so
  whether the service user may read a file the operator names is not tried here: the
  README says where such files must be);
- the server's address 127.0.0.1:8700 is the staged one's port (set in its backoffice.env
  before the install, as a county edits it), the example PostgreSQL URL is the test's own
  database, and the password `create-staff` asks for is given as BACKOFFICE_NEW_PASSWORD;
- the operator's own files (the county's certificate and key, 2027.json, the county's
  catalogue, a signed kiosk release in dist/) are made by the test beside a copy of the
  checkout, which is where the README's commands run. The build of the release is not
  walked (it runs on the offline signing machine and asks for the key's password): the
  test builds one with kiosk-release and an unencrypted key before the publish step.

systemd and nginx: nginx is not run by the staged install (`nginx -t` and the reload are
machine steps); after the TLS step the test starts the real nginx on loopback
(tests/nginx_proxy.py) with the site and certificate the install staged, and a client that
trusts only the test county CA reaches /ready through it.

Between the README's steps the test checks what each should have done: a case received
before the backup survives the restore and one received after it does not, the calendar and
catalogue are in, a rotated secret is new, /metrics has the fleet's figures and every metric
the alert rules name.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from demo.embedded_backoffice import free_port
from domain.county import CST
from tests.api.arrangements import lawful_arrangement
from tests.api.submissions import CounterClerk
from tests.api.test_backoffice_upgrade import copy_tree
from tests.nginx_proxy import NGINX, NGINX_MISSING, NginxProxy, write_test_pki

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
SECTION = "## Operating the back office"
STAND_IN = REPO / "tests/api/service_stand_in.py"
WRAPPER = REPO / "deploy/bin/chengmai-backoffice"
EXAMPLE_DATABASE = "postgresql+psycopg://backoffice:PASSWORD@db.example/backoffice"
STEPS = ["install", "passphrase", "postgresql", "admin", "tls", "register", "calendar", "catalogue", "backup",
         "restore", "upgrade", "rollback", "rotate", "release", "metrics"]
# On PostgreSQL the steps whose database part the SQLite walk already shows: the TLS proxy and
# a kiosk release do nothing different there, and the upgrade and rollback on PostgreSQL are
# tests/api/test_backoffice_upgrade.py's.
NOT_DATABASE_STEPS = {"tls", "upgrade", "rollback", "release"}
FOOD = "469023-XK-SCJG-0031"
CLERK_PASSWORD = "walkthrough-clerk"
APP = "opt/chengmai-kiosk"

pytestmark = pytest.mark.skipif(NGINX is None, reason=NGINX_MISSING)


def walkthrough_steps() -> list[tuple[str, str]]:
    """(name, commands) of each marked block in the operator's section, in order."""
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n{SECTION}\n")
    end = text.find("\n## ", start + 1)
    section = text[start:end if end > 0 else None]
    steps = re.findall(r"<!-- walkthrough: ([a-z-]+) -->\n```sh\n(.*?)```", section, re.S)
    marks = re.findall("^<!-- walkthrough:", section, re.M)
    assert len(steps) == len(marks), "a walkthrough mark not right before a ```sh block"
    return steps


def test_the_operators_section_marks_every_step_in_order():
    assert [name for name, _ in walkthrough_steps()] == STEPS


class Server:
    """The staged back-office server and the operator's shell on it."""

    def __init__(self, tmp_path: Path, database_url: str | None, pycache: Path):
        self.root = tmp_path / "root"
        self.port = free_port()
        self.database_url = database_url
        self.checkout = copy_tree(tmp_path / "checkout")
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        ctl = self.bin / "systemctl"
        ctl.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{STAND_IN}" "{self.root}" "{sys.executable}" "$@"\n')
        wrapper = WRAPPER.read_text()
        run_as_service = 'exec runuser -u chengmai-backoffice -- /opt/chengmai-kiosk/venv/bin/kiosk-backoffice "$@"'
        assert wrapper.count(run_as_service) == 1, "deploy/bin/chengmai-backoffice changed: update the stand-in"
        wrapper = wrapper.replace(run_as_service, f'PYTHONPATH="{self.root}/{APP}/current/app" '
                                                  f'exec "{sys.executable}" -m backoffice "$@"')
        (self.bin / "chengmai-backoffice").write_text(self.staged_paths(wrapper))
        for tool in ("systemctl", "chengmai-backoffice"):
            (self.bin / tool).chmod(0o755)
        self.staging = f"--root {self.root} --python {sys.executable} --service-ctl {ctl}"
        env = self.root / "etc/chengmai-kiosk/backoffice.env"
        env.parent.mkdir(parents=True)
        # The county's edited settings, kept by the installer (its template goes beside them).
        env.write_text((REPO / "deploy/config/backoffice.env").read_text() + f"BACKOFFICE_PORT={self.port}\n")
        self.env = {**os.environ, "PATH": f"{self.bin}:{os.environ['PATH']}", "LC_ALL": "C.UTF-8",
                    "BACKOFFICE_NEW_PASSWORD": "walkthrough-admin-password", "BACKOFFICE_READY_TIMEOUT_S": "60"}
        self.env.pop("BACKOFFICE_DATABASE_URL", None)
        # The install compiles the code once (compileall, a machine step: skipped when staging);
        # here every command would compile all it imports again, so the bytecode is kept, in a
        # folder of the test's own rather than beside the code or in the venv.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.env["PYTHONPYCACHEPREFIX"] = str(pycache)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def staged_paths(self, command: str) -> str:
        return re.sub(r"(?<![\w./$-])/(etc|opt|var|run)/", f"{self.root}/\\1/", command)

    def staged(self, commands: str) -> str:
        commands = self.staged_paths(commands)
        commands = re.sub(r'make (install|rollback)-backoffice(?: INSTALL_ARGS="([^"]*)")?',
                          lambda m: f'make {m[1]}-backoffice INSTALL_ARGS="{m[2] or ""} {self.staging}"', commands)
        commands = re.sub(r"(\S*/scripts/(?:install|rollback)-backoffice\.sh)", f"\\1 {self.staging}", commands)
        commands = commands.replace("127.0.0.1:8700", f"127.0.0.1:{self.port}")
        return commands.replace(EXAMPLE_DATABASE, self.database_url or EXAMPLE_DATABASE)

    def run(self, name: str, commands: str) -> str:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", self.staged(commands)], cwd=self.checkout,
                              env=self.env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"step {name}:\n{self.staged(commands)}\n{done.stdout}\n{done.stderr}"
        if (self.root / "run/backoffice.pid").exists():
            self.wait_ready()
        return done.stdout

    def cli(self, *args: str, **env: str) -> str:
        done = subprocess.run(["chengmai-backoffice", *args], cwd=self.checkout, env={**self.env, **env},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"{self.url}/ready", timeout=5).json().get("ready") is True:
                    return
            except (requests.RequestException, ValueError):
                pass
            assert time.monotonic() < deadline, (self.root / "run/backoffice.log").read_text()[-3000:]
            time.sleep(0.3)

    def submit(self) -> str:
        return CounterClerk(self.url, "walk-clerk", CLERK_PASSWORD).submit()

    def cases(self) -> set[str]:
        return CounterClerk(self.url, "walk-clerk", CLERK_PASSWORD).cases()

    def metrics(self) -> str:
        answer = requests.get(f"{self.url}/metrics", timeout=30)
        assert answer.status_code == 200
        return answer.text

    def stop(self) -> None:
        subprocess.run([str(self.bin / "systemctl"), "stop", "chengmai-backoffice.service"], timeout=60)


@pytest.fixture(scope="module")
def pycache(tmp_path_factory):
    return tmp_path_factory.mktemp("pycache")


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request, tmp_path, pycache):
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_server").create_database(f"walk_{uuid.uuid4().hex[:12]}")
    staged = Server(tmp_path, url, pycache)
    yield staged
    staged.stop()


def test_the_readme_walkthrough(server, tmp_path):
    (tmp_path / "pki").mkdir()
    pki = write_test_pki(tmp_path / "pki")
    shutil.copy(pki["certificate"], server.checkout / "county-backoffice-fullchain.pem")
    shutil.copy(pki["key"], server.checkout / "county-backoffice.key")
    (server.checkout / "2027.json").write_text(json.dumps(lawful_arrangement(2027), ensure_ascii=False))
    shutil.copy(REPO / "assets/seed/catalogue.json", server.checkout / "county-catalogue.json")
    seen: dict[str, str] = {}
    for name, commands in walkthrough_steps():
        if name == "postgresql" and server.database_url is None:
            continue  # the SQLite server keeps its default database
        if name in NOT_DATABASE_STEPS and server.database_url:
            continue
        started = time.monotonic()
        before(name, server, seen, tmp_path)
        seen[name] = server.run(name, commands)
        after(name, server, seen, pki, tmp_path)
        print(f"{name}: {time.monotonic() - started:.1f} s")


def before(name: str, server: Server, seen: dict, tmp_path: Path) -> None:
    if name == "backup":
        server.cli("create-staff", "walk-clerk", "--role", "clerk", BACKOFFICE_NEW_PASSWORD=CLERK_PASSWORD)
        seen["kept"] = server.submit()
        assert seen["kept"] in server.cases()
    elif name == "restore":
        seen["lost"] = server.submit()
    elif name == "release":
        key = tmp_path / "county-release.key"
        for args in (["keygen", "--out", str(key)],
                     ["build", "1.4.0", "--key", str(key), "--min-version", "0.1.0",
                      "--out", str(server.checkout / "dist")]):
            subprocess.run([sys.executable, "-m", "kiosk.ops.updates.build", *args], cwd=REPO, check=True,
                           capture_output=True, timeout=120)


def after(name: str, server: Server, seen: dict, pki: dict, tmp_path: Path) -> None:
    root = server.root
    if name == "install":
        assert os.readlink(root / APP / "current").startswith("releases/")
        assert not (root / "etc/nginx/sites-enabled").exists()  # no certificate yet
    elif name == "admin":
        assert "otpauth://" in seen["admin"]
    elif name == "tls":
        site = root / "etc/nginx/sites-enabled/chengmai-backoffice.conf"
        assert site.resolve() == (root / "etc/nginx/sites-available/chengmai-backoffice.conf").resolve()
        tls = root / "etc/chengmai-kiosk/tls"
        assert oct((tls / "backoffice.key").stat().st_mode & 0o777) == "0o600"
        # What `nginx -t` and the reload would do on the machine: the staged site and
        # certificate in the real nginx, on loopback.
        with NginxProxy(tmp_path / "nginx", server.port, tls / "backoffice.crt", tls / "backoffice.key",
                        site=site) as proxy:
            ready = requests.get(f"{proxy.url}/ready", verify=str(pki["ca"]), timeout=10)
            assert ready.status_code == 200 and ready.json()["ready"] is True
            assert requests.get(f"{proxy.url}/metrics", verify=str(pki["ca"]), timeout=10).status_code == 404
    elif name == "register":
        seen["secret"] = json.loads(seen["register"].splitlines()[0])["secret"]
    elif name == "calendar":
        assert "2027" in seen["calendar"]
    elif name == "catalogue":
        assert requests.get(f"{server.url}/v1/catalogue/items/{FOOD}", timeout=30).status_code == 200
    elif name == "backup":
        backup = Path(seen["backup"].splitlines()[-1])
        manifest = json.loads((backup / "manifest.json").read_text())
        assert manifest["engine"] == ("postgresql" if server.database_url else "sqlite")
        assert manifest["keys"] == "keys.sealed"
    elif name == "restore":
        cases = server.cases()
        assert seen["kept"] in cases and seen["lost"] not in cases
    elif name == "rollback":
        assert seen["kept"] in server.cases()
    elif name == "rotate":
        rotated = json.loads(seen["rotate"])
        assert rotated["id"] == "CM-KIOSK-0002" and rotated["secret"] != seen["secret"]
    elif name == "release":
        assert "1.4.0" in seen["release"]
    elif name == "metrics":
        assert 'backoffice_terminals{state="silent"} 1.0' in seen["metrics"]
        horizon = re.search(r"^backoffice_calendar_horizon_days (\S+)$", seen["metrics"], re.M)
        county_today = dt.datetime.now(CST).date()  # the horizon is counted in the county's days
        assert horizon and (county_today.year > 2027
                            or float(horizon[1]) >= (dt.date(2027, 12, 31) - county_today).days)
        scraped = server.metrics()
        rules = (REPO / "deploy/prometheus/chengmai-alerts.yml").read_text()
        named = set(re.findall(r"\b(backoffice_[a-z_]+)", rules))
        assert named and all(f"# TYPE {metric} " in scraped for metric in named), named
