"""Kiosk updates from afar, through the real path: releases built and signed by
kiosk-release, published with `kiosk-backoffice release publish`, rolled out by rings over
the back office's API, picked up by the kiosk's heartbeat worker, checked, unpacked beside
the running release into real folders, switched by a symlink once no session is open,
watched on probation and acknowledged over HTTP with the version running after it.

The kiosk here is its fleet machinery without Kivy: the heartbeat worker and the command
runner the app uses, with the app's stop recorded instead of done. A "restart" is that
machinery made again, as the new process would, after the unit's start guard ran."""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from demo.embedded_backoffice import EmbeddedBackoffice
from domain import release_manifest as mf
from kiosk.journeys.maintenance import EXIT_RESTART
from kiosk.ops.fleet_commands import CommandLedger, CommandRunner
from kiosk.ops.updates import layout as lay
from kiosk.ops.updates.build import build, keygen, load_private
from kiosk.ops.updates.settings import UpdateSettings, update_settings
from kiosk.ops.updates.updater import Updater
from services.api import BackofficeClient
from services.heartbeat import HeartbeatWorker
from tests.api.command_line import backoffice_cli
from tests.api.database import execute_sql
from tests.waiting import wait_until

BASE = "1.0.0"  # what each test's kiosk runs before the update


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """SQLite only: the releases' tables are plain, and the kiosk side is what is tried."""
    var = tmp_path_factory.mktemp("bo")
    bo = EmbeddedBackoffice(database=var / "backoffice.db", log_file=var / "backoffice.log")
    bo.start()
    bo.kind = "sqlite"
    yield bo
    bo.stop()




# --- the county's side: keys, builds, publishing ----------------------------------------------
@dataclass
class County:
    key: Ed25519PrivateKey
    stranger: Ed25519PrivateKey  # a key no kiosk trusts
    dist: Path
    published: dict[str, Path] = field(default_factory=dict)  # version -> its folder


def source_tree(root: Path, version: str, broken: bool = False) -> Path:
    """A small stand-in for the kiosk's code: a module naming its version, and for the
    broken release a marker its readiness check (below) turns into NOT READY."""
    tree = root / f"src-{version}"
    (tree / "kiosk").mkdir(parents=True)
    (tree / "kiosk" / "__init__.py").write_text(f'__version__ = "{version}"\n')
    (tree / "README.md").write_text("Chengmai County kiosk\n")
    if broken:
        (tree / "BROKEN").write_text("the devices never open\n")
    return tree


@pytest.fixture(scope="module")
def county(server, tmp_path_factory) -> County:
    """Every release of these tests, built with kiosk-release and published once, in
    sequence order (the back office refuses a sequence that does not grow)."""
    work = tmp_path_factory.mktemp("county")
    done = subprocess.run([sys.executable, "-m", "kiosk.ops.updates.build", "keygen", "--out",
                           str(work / "county.key")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (work / "county.key").stat().st_mode & 0o077 == 0
    county = County(load_private(work / "county.key"), Ed25519PrivateKey.generate(), work / "dist")
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=60)
    plans = [  # version, sequence, signing key, broken, built when
        ("1.6.0", 2, county.key, False, None),  # an old manifest: replayed after 1.1.0 was taken
        ("1.1.0", 10, county.key, False, None),
        ("1.2.0", 20, county.key, True, None),
        ("1.3.0", 30, county.key, False, long_ago),  # expired 30 days ago
        ("1.4.0", 40, county.stranger, False, None),
        ("1.5.0", 50, county.key, False, None),  # its tarball is changed in the back office below
        ("0.9.0", 60, county.key, False, None),  # a downgrade, however new its manifest
    ]
    for version, sequence, key, broken, when in plans:
        out = county.dist / version
        if version == "1.1.0":  # the real tool, as the county runs it
            key_file = work / "county.key"
            done = subprocess.run([sys.executable, "-m", "kiosk.ops.updates.build", "build", version, "--key",
                                   str(key_file), "--min-version", BASE, "--sequence", str(sequence), "--source",
                                   str(source_tree(work, version)), "--out", str(out)],
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
        else:
            build(version, key, out, source=source_tree(work, version, broken), min_version="0.1.0",
                  sequence=sequence, now=when)
        manifest = out / f"chengmai-kiosk-{version}.manifest.json"
        published = backoffice_cli(server.database.parent, "release", "publish", str(manifest),
                                   env_extra={"BACKOFFICE_DATABASE_URL": server.database_url})
        assert published.returncode == 0, published.stderr
        assert json.loads(published.stdout)["version"] == version
        county.published[version] = out
    # Someone with the back office's database swaps the tarball: the manifest no longer matches.
    execute_sql(server, "UPDATE releases SET content = :content WHERE version = '1.5.0'",
                content=b"\x1f\x8b not the county's code")
    return county


# --- the kiosk's side ---------------------------------------------------------------------------
class Session:
    active = False


class Maintenance:
    access = None  # no maintenance audit file here

    def __init__(self):
        self.stops: list[int] = []

    def stop_app(self, code: int) -> None:
        self.stops.append(code)


class Controller:
    def __init__(self):
        self.session = Session()
        self.maintenance = Maintenance()

    def journey(self, name: str):
        assert name == "maintenance"
        return self.maintenance


class Kiosk:
    """One run of the kiosk process: heartbeat worker, command runner, updater."""

    def __init__(self, server, terminal_id: str, secret: str, var_dir: Path, settings: UpdateSettings,
                 started_from: str):
        self.started_from = started_from
        self.stopped = False
        self.layout = lay.Layout(settings.releases)
        self.var_dir = var_dir
        self.controller = Controller()
        self.client = BackofficeClient(server.url, timeout=10, terminal_id=terminal_id, secret=secret)
        self.readiness_seen: list[str] = []
        self.updater = Updater(settings, var_dir, fetch_manifest=self.client.release_manifest,
                               fetch_bundle=self.client.release_bundle, running_version=self.running,
                               readiness=self.readiness)
        self.worker = HeartbeatWorker(self.client, self.report, interval_s=600, state_dir=var_dir)
        self.commands = CommandRunner(controller=self.controller, ledger=CommandLedger(var_dir),
                                      acknowledge=self.worker.acknowledge, call_on_main=lambda f: f(),
                                      upload_diagnostics=lambda _id: "", updater=self.updater)
        self.worker.on_commands = self.commands.receive
        self.worker.between_beats = self.commands.tick
        self.worker.start()
        self.updater.resume(self.commands.update_verdict)

    def running(self) -> str:
        """The release this process was started from: what `current` named at its start."""
        return self.started_from

    def readiness(self) -> str:
        verdict = "not_ready" if (self.layout.folder(self.started_from) / "BROKEN").exists() else "ready"
        self.readiness_seen.append(verdict)
        return verdict

    def report(self) -> dict:
        return {"app_version": self.running(), "uptime_s": 1, "devices": {}, "commands_waiting": []}

    def beat(self) -> None:
        previous = self.worker.state
        self.worker.beat_now()
        wait_until(lambda: self.worker.state is not previous, "a heartbeat")

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        self.updater.stop()
        self.worker.stop()
        self.commands.shutdown()
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


@dataclass
class Machine:
    """A kiosk's disk (releases, var folder) and its registration; runs survive on it."""
    server: EmbeddedBackoffice
    terminal_id: str
    secret: str
    var_dir: Path
    settings: UpdateSettings
    runs: list[Kiosk] = field(default_factory=list)

    @property
    def layout(self) -> lay.Layout:
        return lay.Layout(self.settings.releases)

    def start(self) -> Kiosk:
        """The kiosk process started by systemd: its ExecStartPre guard first."""
        lay.count_start(self.layout, self.var_dir, self.settings.max_restarts)
        kiosk = Kiosk(self.server, self.terminal_id, self.secret, self.var_dir, self.settings,
                      self.layout.current_version())
        self.runs.append(kiosk)
        return kiosk


@pytest.fixture
def machine(server, county, staff, tmp_path):
    terminal_id = f"CM-UPD-{uuid.uuid4().hex[:8]}"
    made = staff("admin").post("/v1/terminals", {"id": terminal_id, "name": "更新测试"})
    assert made.status_code == 201, made.text
    public = county.key.public_key()
    settings = update_settings({"updates": {
        "releases": str(tmp_path / "releases"), "keys": {mf.key_id(public): mf.public_text(public)},
        "probation_s": 0.6, "probation_check_s": 0.1, "max_restarts": 2}})
    base = build(BASE, county.key, tmp_path / "base", source=source_tree(tmp_path, BASE), min_version="0.1.0",
                 sequence=1)[0]
    layout = lay.Layout(settings.releases)
    layout.install(base, BASE)  # what the installer leaves
    layout.switch(BASE)
    made_machine = Machine(server, terminal_id, made.json()["secret"], tmp_path / "var", settings)
    yield made_machine
    for kiosk in made_machine.runs:
        kiosk.stop()


def rollout(staff, version: str, ring: str, terminal: str = ""):
    return staff("admin").post(f"/v1/releases/{version}/rollout", {"ring": ring, "terminal": terminal}, key=None)


def queue_update(staff, terminal_id: str, version: str) -> int:
    answer = staff("admin").post(f"/v1/terminals/{terminal_id}/commands", {"command": "update", "argument": version})
    assert answer.status_code == 201, answer.text
    assert answer.json()["argument"] == version
    return answer.json()["id"]


def command(staff, terminal_id: str, command_id: int) -> dict:
    terminals = staff("supervisor01").get("/v1/terminals").json()["terminals"]
    entry = next(t for t in terminals if t["id"] == terminal_id)
    return next(c for c in entry["commands"] if c["id"] == command_id)


def terminal(staff, terminal_id: str) -> dict:
    return next(t for t in staff("supervisor01").get("/v1/terminals").json()["terminals"] if t["id"] == terminal_id)


def acked(staff, kiosk: Kiosk, terminal_id: str, command_id: int) -> dict:
    def answered():
        kiosk.beat()  # acknowledgements go out with the heartbeat worker
        return command(staff, terminal_id, command_id)["acked_at"]

    wait_until(answered, f"command {command_id} acknowledged")
    return command(staff, terminal_id, command_id)


def switched(kiosk: Kiosk) -> None:
    wait_until(lambda: kiosk.controller.maintenance.stops == [EXIT_RESTART], "the restart into the new release")


# --- the tests ------------------------------------------------------------------------------------
def test_a_valid_update_installs_switches_between_citizens_and_is_acknowledged_running(machine, staff):
    kiosk = machine.start()
    kiosk.controller.session.active = True  # a citizen is at the kiosk
    answer = rollout(staff, "1.1.0", "0", machine.terminal_id)
    assert answer.status_code == 201, answer.text
    (queued,) = answer.json()["queued"]
    kiosk.beat()
    wait_until(lambda: machine.layout.installed("1.1.0"), "1.1.0 unpacked beside 1.0.0")
    assert (machine.layout.folder("1.1.0") / "kiosk" / "__init__.py").read_text() == '__version__ = "1.1.0"\n'
    for _ in range(5):
        kiosk.commands.tick()
    assert machine.layout.current_version() == BASE and kiosk.controller.maintenance.stops == []
    assert command(staff, machine.terminal_id, queued["command_id"])["acked_at"] is None

    kiosk.controller.session.active = False  # the citizen leaves
    kiosk.commands.tick()
    switched(kiosk)
    assert machine.layout.current_version() == "1.1.0" and machine.layout.previous_version() == BASE
    kiosk.stop()

    restarted = machine.start()
    assert restarted.running() == "1.1.0"
    result = acked(staff, restarted, machine.terminal_id, queued["command_id"])
    assert result["outcome"] == "done" and result["result"].startswith("running 1.1.0: healthy"), result
    assert restarted.readiness_seen and set(restarted.readiness_seen) == {"ready"}
    assert lay.read_probation(machine.var_dir) is None
    restarted.beat()
    assert terminal(staff, machine.terminal_id)["app_version"] == "1.1.0"

    # The same signed manifest of an older sequence, sent again: a replay.
    replay = queue_update(staff, machine.terminal_id, "1.6.0")
    refused = acked(staff, restarted, machine.terminal_id, replay)
    assert refused["outcome"] == "failed"
    assert "replayed manifest: sequence 2 is not above the highest seen, 10" in refused["result"]
    assert refused["result"].endswith("running 1.1.0")
    assert not machine.layout.installed("1.6.0") and machine.layout.current_version() == "1.1.0"


@pytest.mark.parametrize("version, reason", [
    ("1.5.0", "tarball is 24 bytes, the manifest says"),
    ("1.4.0", "manifest not signed by a trusted release key"),
    ("1.3.0", "manifest for 1.3.0 expired at"),
    ("0.9.0", f"downgrade refused: 0.9.0 is older than the running {BASE}"),
])
def test_a_release_the_kiosk_cannot_trust_is_refused_with_its_reason(machine, staff, version, reason, caplog):
    kiosk = machine.start()
    command_id = queue_update(staff, machine.terminal_id, version)
    with caplog.at_level("WARNING", logger="kiosk.ops.updates.updater"):
        result = acked(staff, kiosk, machine.terminal_id, command_id)
    assert result["outcome"] == "failed" and result["result"].startswith("refused: "), result
    assert reason in result["result"] and result["result"].endswith(f"running {BASE}")
    assert any(getattr(r, "reason", "").startswith(reason.split(":")[0]) for r in caplog.records), "logged"
    assert machine.layout.current_version() == BASE and not machine.layout.installed(version)
    assert kiosk.controller.maintenance.stops == []
    assert not list(machine.layout.root.glob(".*.partial")) and not list(machine.var_dir.glob("updates/downloads/*"))


def test_a_version_not_ready_after_the_switch_rolls_back_by_itself(machine, staff):
    kiosk = machine.start()
    command_id = queue_update(staff, machine.terminal_id, "1.2.0")
    kiosk.beat()
    switched(kiosk)
    kiosk.stop()

    broken = machine.start()
    assert broken.running() == "1.2.0"
    wait_until(lambda: broken.controller.maintenance.stops == [EXIT_RESTART], "the restart after the rollback")
    assert machine.layout.current_version() == BASE, "switched back before the restart"
    result = acked(staff, broken, machine.terminal_id, command_id)
    assert result["outcome"] == "failed", result
    assert result["result"] == f"rolled back: running {BASE}; 1.2.0 readiness NOT READY within its probation"
    broken.stop()

    again = machine.start()  # the previous release acknowledges nothing twice, and reports itself
    again.beat()
    assert terminal(staff, machine.terminal_id)["app_version"] == BASE
    assert lay.read_probation(machine.var_dir) is None


def test_a_version_the_watchdog_keeps_restarting_rolls_back_at_its_next_start(machine, staff, tmp_path):
    kiosk = machine.start()
    command_id = queue_update(staff, machine.terminal_id, "1.2.0")
    kiosk.beat()
    switched(kiosk)
    kiosk.stop()

    # The guard as the unit runs it: a copy outside any release, by the system's Python alone.
    guard = tmp_path / "bin" / "kiosk-update-guard"
    guard.parent.mkdir()
    shutil.copy(lay.__file__, guard)
    run = [sys.executable, "-I", str(guard), "--releases", str(machine.layout.root), "--var-dir",
           str(machine.var_dir), "--max-restarts", "2"]
    for start in (1, 2, 3):  # the first start, then two restarts by the watchdog: still on probation
        done = subprocess.run(run, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and done.stdout == "", done
        assert lay.read_probation(machine.var_dir)["starts"] == start
        assert machine.layout.current_version() == "1.2.0"
    done = subprocess.run(run, capture_output=True, text=True, timeout=60)  # the third restart
    assert f"rolled back: running {BASE}; 1.2.0 restarted 3 times" in done.stdout
    assert machine.layout.current_version() == BASE

    back = machine.start()
    assert back.running() == BASE
    result = acked(staff, back, machine.terminal_id, command_id)
    assert result["outcome"] == "failed"
    assert result["result"] == f"rolled back: running {BASE}; 1.2.0 restarted 3 times by its supervisor within " \
                               "its probation"
    assert back.controller.maintenance.stops == []


def test_ring_all_waits_until_ring_zero_runs_the_version_healthy(machine, staff):
    other = f"CM-UPD-{uuid.uuid4().hex[:8]}"
    assert staff("admin").post("/v1/terminals", {"id": other, "name": "第二台"}).status_code == 201
    # 1.2.0: ring 0 rolls it back, so it never reaches the others.
    refused = rollout(staff, "1.2.0", "all")
    assert refused.status_code == 409 and "ring 0 has not been given 1.2.0" in refused.json()["detail"]
    kiosk = machine.start()
    first = rollout(staff, "1.2.0", "0", machine.terminal_id)
    assert first.status_code == 201, first.text
    refused = rollout(staff, "1.2.0", "all")
    assert refused.status_code == 409 and "has not finished updating" in refused.json()["detail"]
    kiosk.beat()
    switched(kiosk)
    kiosk.stop()
    broken = machine.start()
    acked(staff, broken, machine.terminal_id, first.json()["queued"][0]["command_id"])
    refused = rollout(staff, "1.2.0", "all")
    assert refused.status_code == 409 and "did not take 1.2.0: rolled back" in refused.json()["detail"]

    listing = staff("supervisor01").get("/v1/releases").json()["releases"]
    entry = next(r for r in listing if r["version"] == "1.2.0")
    assert entry["ring_zero"]["terminal"] == machine.terminal_id and not entry["ring_zero"]["healthy"]


def test_ring_all_goes_to_the_rest_once_ring_zero_is_healthy(machine, staff):
    other = f"CM-UPD-{uuid.uuid4().hex[:8]}"
    assert staff("admin").post("/v1/terminals", {"id": other, "name": "第二台"}).status_code == 201
    kiosk = machine.start()
    first = rollout(staff, "1.1.0", "0", machine.terminal_id).json()["queued"][0]
    kiosk.beat()
    switched(kiosk)
    kiosk.stop()
    healthy = machine.start()
    assert acked(staff, healthy, machine.terminal_id, first["command_id"])["outcome"] == "done"
    healthy.beat()
    answer = rollout(staff, "1.1.0", "all")
    assert answer.status_code == 201, answer.text
    told = {q["terminal"] for q in answer.json()["queued"]}
    assert other in told and machine.terminal_id not in told
    again = rollout(staff, "1.1.0", "all")  # told once: asking again queues nothing new for them
    assert other not in {q["terminal"] for q in again.json()["queued"]}


def test_the_switch_waits_for_the_night_window_when_so_configured():
    settings = UpdateSettings(releases=Path("/nonexistent"), switch="night",
                              night_window=(dt.time(23, 30), dt.time(4, 0)))
    assert settings.may_switch_at(dt.datetime(2026, 12, 6, 2, 0))
    assert settings.may_switch_at(dt.datetime(2026, 12, 6, 23, 45))
    assert not settings.may_switch_at(dt.datetime(2026, 12, 6, 14, 0))
    assert UpdateSettings(releases=None).may_switch_at(dt.datetime(2026, 12, 6, 14, 0))


def test_the_back_office_refuses_a_tarball_that_is_not_the_manifests(server, county, tmp_path):
    key = keygen(tmp_path / "k.key")
    tarball, manifest = build("7.0.0", key, tmp_path / "out", source=source_tree(tmp_path, "7.0.0"),
                              min_version="1.0.0", sequence=10_000)
    tarball.write_bytes(tarball.read_bytes() + b"x")
    done = backoffice_cli(server.database.parent, "release", "publish", str(manifest),
                          env_extra={"BACKOFFICE_DATABASE_URL": server.database_url})
    assert done.returncode == 1 and "not the one the manifest names" in done.stderr
