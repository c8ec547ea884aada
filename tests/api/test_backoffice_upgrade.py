"""Upgrading and rolling back an installed back office through the scripts a county runs,
staged into a temporary root (scripts/install-backoffice.sh, scripts/rollback-backoffice.sh
with --root, --python for their database steps and tests/api/service_stand_in.py for
systemctl), on SQLite and on PostgreSQL: release A installed and given cases over HTTP, then
release B (A's tree with one more migration): the backup is taken before B's migration, B
runs on the migrated schema with A's data, and the rollback brings A's schema and data back
with the audit chain intact; a B whose migration fails, or that never answers /ready, puts A
back by itself."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, inspect, text

from backoffice.migrations_runner import head_revision
from demo.embedded_backoffice import free_port
from tests.api.submissions import CounterClerk

REPO = Path(__file__).resolve().parents[2]
STAND_IN = Path(__file__).with_name("service_stand_in.py")
APP = "opt/chengmai-kiosk"
PROBE_MIGRATION = '''"""B's one more migration: a column on cases and a table of its own."""
from alembic import op
import sqlalchemy as sa

revision = "upgrade_probe"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("upgrade_probe", sa.Column("id", sa.Integer, primary_key=True))
    with op.batch_alter_table("cases") as batch_op:
        batch_op.add_column(sa.Column("probe_note", sa.String(16), nullable=True))
    {fail}


def downgrade() -> None:
    raise NotImplementedError("forward only")
'''


def copy_tree(dest: Path) -> Path:
    """The checkout as a county would have it: tracked and new files, nothing ignored."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def release_b(tmp_path: Path, failing: bool = False, not_starting: bool = False) -> Path:
    tree = copy_tree(tmp_path / "B")
    fail = 'raise RuntimeError("this migration fails")' if failing else "pass"
    (tree / "backoffice/migrations/versions/9999_upgrade_probe.py").write_text(
        PROBE_MIGRATION.format(head=head_revision(), fail=fail))
    if not_starting:  # migrates (the command stops before the app), but the server never comes up
        with open(tree / "backoffice/app.py", "a") as app:
            app.write('\nraise RuntimeError("this release does not start")\n')
    return tree


class Machine:
    """A staged back-office server: its root, its database and the stand-in service."""

    def __init__(self, tmp_path: Path, database_url: str | None):
        self.root = tmp_path / "root"
        self.port = free_port()
        self.database_url = database_url or f"sqlite:///{self.root}/var/lib/chengmai-backoffice/backoffice.db"
        self.ctl = tmp_path / "systemctl"
        self.ctl.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{STAND_IN}" "{self.root}" "{sys.executable}" "$@"\n')
        self.ctl.chmod(0o755)
        env = self.root / "etc/chengmai-kiosk/backoffice.env"
        env.parent.mkdir(parents=True)
        # The county's edited settings, kept by the installer (its template goes beside them).
        env.write_text((REPO / "deploy/config/backoffice.env").read_text() + f"BACKOFFICE_PORT={self.port}\n"
                       "BACKOFFICE_BACKUP_PASSPHRASE='correct horse battery staple'\n"
                       + (f"BACKOFFICE_DATABASE_URL={database_url}\n" if database_url else ""))
        self.env_file = env

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def staged(self, script: Path, *args: str, ready_timeout_s: int = 90) -> subprocess.CompletedProcess:
        env = {**os.environ, "LC_ALL": "C.UTF-8", "BACKOFFICE_READY_TIMEOUT_S": str(ready_timeout_s)}
        return subprocess.run([str(script), "--root", str(self.root), "--python", sys.executable,
                               "--service-ctl", str(self.ctl), *args], capture_output=True, text=True, timeout=600,
                              env=env)

    def install(self, tree: Path, release: str, ready_timeout_s: int = 90) -> subprocess.CompletedProcess:
        return self.staged(tree / "scripts/install-backoffice.sh", "--release", release,
                           ready_timeout_s=ready_timeout_s)

    def rollback(self, *args: str) -> subprocess.CompletedProcess:
        # As the README has it: the script in the running release's code.
        return self.staged(self.root / APP / "app/scripts/rollback-backoffice.sh", *args)

    def current(self) -> str:
        return os.readlink(self.root / APP / "current")

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """The current release's kiosk-backoffice with the staged settings, as the admin command runs it."""
        command = (f'set -a; BACKOFFICE_VAR_DIR="{self.root}/var/lib/chengmai-backoffice"; . "{self.env_file}"; '
                   f'set +a; exec "{sys.executable}" -m backoffice "$@"')
        return subprocess.run(["sh", "-c", command, "sh", *args], cwd=self.root / APP / "current/app",
                              capture_output=True, text=True, timeout=120)

    def ready(self) -> dict:
        return requests.get(f"{self.url}/ready", timeout=10).json()

    def submit(self) -> str:
        return CounterClerk(self.url).submit()

    def cases(self) -> set[str]:
        return CounterClerk(self.url).cases()

    def schema(self) -> tuple[set[str], set[str], str]:
        """The tables, the columns of `cases` and the migration the database is at."""
        engine = create_engine(self.database_url)
        try:
            found = inspect(engine)
            with engine.connect() as connection:
                revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            return set(found.get_table_names()), {c["name"] for c in found.get_columns("cases")}, revision
        finally:
            engine.dispose()

    def stop(self) -> None:
        subprocess.run([str(self.ctl), "stop", "chengmai-backoffice.service"], timeout=60)


def tables_in_backup(backup: Path) -> set[str]:
    manifest = json.loads((backup / "manifest.json").read_text())
    if manifest["engine"] == "sqlite":
        engine = create_engine(f"sqlite:///{backup / manifest['database']}")
        try:
            return set(inspect(engine).get_table_names())
        finally:
            engine.dispose()
    from backoffice.backup import _pg_tool

    listing = subprocess.run([_pg_tool("pg_restore"), "--list", str(backup / manifest["database"])],
                             capture_output=True, text=True, check=True).stdout
    return {line.split()[-2] for line in listing.splitlines() if " TABLE public " in line}


@pytest.fixture(params=["sqlite", "postgresql"])
def machine(request, tmp_path):
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_server").create_database(f"upgrade_{uuid.uuid4().hex[:12]}")
    staged = Machine(tmp_path, url)
    yield staged
    staged.stop()


@pytest.fixture
def running_a(machine, tmp_path):
    """Release A installed, with the demo's staff and catalogue and one case received."""
    installed = machine.install(copy_tree(tmp_path / "A"), "A")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert machine.ready()["ready"] is True
    seeded = machine.cli("seed")
    assert seeded.returncode == 0, seeded.stderr
    machine.submit()
    return machine, machine.cases()


def test_upgrade_takes_a_backup_first_and_the_rollback_brings_a_back(running_a, tmp_path):
    machine, before = running_a
    tables_a, columns_a, revision_a = machine.schema()
    assert revision_a == head_revision()

    upgraded = machine.install(release_b(tmp_path), "B")
    out = upgraded.stdout + upgraded.stderr
    assert upgraded.returncode == 0, out
    assert machine.current() == "releases/B"
    assert out.index("backup before the migrations") < out.index("migrations (by releases/B)")
    log = (machine.root / "run/systemctl.log").read_text().splitlines()
    assert log[-2].startswith("stop chengmai-backoffice.service") and log[-1].startswith("start chengmai-backoffice")
    record = dict(line.split("=", 1) for line in (machine.root / APP / "releases/B/UPGRADE").read_text().split())
    backup = Path(record["backup"])
    assert record["from"] == "A"
    assert "upgrade_probe" not in tables_in_backup(backup) and "cases" in tables_in_backup(backup)
    assert json.loads((backup / "manifest.json").read_text())["keys"] == "keys.sealed"
    tables, columns, revision = machine.schema()
    assert revision == "upgrade_probe" and "upgrade_probe" in tables and "probe_note" in columns
    assert machine.ready() == {"ready": True, "revision": "upgrade_probe", "head": "upgrade_probe"}
    assert machine.cases() == before  # A's cases, readable by B

    after_upgrade = machine.submit()
    refused = machine.rollback()
    assert refused.returncode != 0
    assert "1 case(s) were received after the upgrade" in refused.stderr and "--force" in refused.stderr
    assert machine.current() == "releases/B" and machine.ready()["ready"] is True  # nothing touched

    rolled = machine.rollback("--force")
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    assert machine.current() == "releases/A"
    assert machine.schema() == (tables_a, columns_a, revision_a)
    assert machine.ready() == {"ready": True, "revision": revision_a, "head": revision_a}
    cases = machine.cases()
    assert cases == before and after_upgrade not in cases
    verified = machine.cli("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["intact"] is True


def test_a_failing_migration_puts_a_back_by_itself(running_a, tmp_path):
    machine, before = running_a
    schema_a = machine.schema()
    failed = machine.install(release_b(tmp_path, failing=True), "B")
    out = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "this migration fails" in out and "the migrations failed: rolling back to releases/A" in out
    assert "releases/A is running again" in out
    assert machine.current() == "releases/A"
    assert machine.schema() == schema_a  # SQLite keeps half a migration: the backup took it back
    assert machine.ready()["ready"] is True
    assert machine.cases() == before


def test_a_release_that_never_answers_ready_puts_a_back_by_itself(running_a, tmp_path):
    machine, before = running_a
    schema_a = machine.schema()
    failed = machine.install(release_b(tmp_path, not_starting=True), "B", ready_timeout_s=15)
    out = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "schema at upgrade_probe" in out  # B's migration ran: the backup has to take it back
    assert "the new release did not answer /ready: rolling back to releases/A" in out
    assert machine.current() == "releases/A"
    assert machine.schema() == schema_a
    assert machine.ready()["ready"] is True
    assert machine.cases() == before
