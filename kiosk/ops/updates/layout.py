#!/usr/bin/env python3
"""Releases side by side, and the switch between them; also the kiosk unit's start guard.

    <releases>/1.3.0/        one folder per installed release (its code, RELEASE naming it)
    <releases>/current  ->   1.3.0    what the kiosk starts from (/opt/chengmai-kiosk/app points here)
    <releases>/previous ->   1.2.0    what a rollback goes back to

A switch writes a new symlink beside the old one and renames it over it: rename is atomic,
so a kiosk that loses power mid-switch starts either the old release or the new one.

After a switch the kiosk is on probation (<var_dir>/updates/probation.json). Every start
of the kiosk counts (`count_start`, run by the unit's ExecStartPre before the kiosk
itself): a release the watchdog keeps restarting is switched back here, before it runs
again, and the verdict is written to the fleet command ledger for the acknowledgement.

Standard library only and no import from the project, on purpose: the installer copies
this file outside the releases (/opt/chengmai-kiosk/bin/kiosk-update-guard), so a broken
release cannot break its own rollback.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tarfile
import time
from pathlib import Path

PROBATION_FILE = Path("updates") / "probation.json"
LEDGER_FILE = Path("fleet") / "commands.json"  # kiosk/ops/fleet_commands.py's ledger
RELEASE_FILE = "RELEASE"  # in each release's folder: its version, one line
DEFAULT_MAX_RESTARTS = 2  # restarts after the first start on probation before it is rolled back


class Layout:
    def __init__(self, root: Path):
        self.root = Path(root)

    @property
    def current(self) -> Path:
        return self.root / "current"

    @property
    def previous(self) -> Path:
        return self.root / "previous"

    def folder(self, version: str) -> Path:
        return self.root / version

    def version_of(self, link: Path) -> str | None:
        try:
            return Path(os.readlink(link)).name
        except OSError:
            return None

    def current_version(self) -> str | None:
        return self.version_of(self.current)

    def installed(self, version: str) -> bool:
        return (self.folder(version) / RELEASE_FILE).is_file()

    def point(self, link: Path, version: str) -> None:
        """link -> version, atomically (a fresh symlink renamed over the old one)."""
        fresh = link.with_name(f".{link.name}.{os.getpid()}.new")
        if fresh.is_symlink() or fresh.exists():
            fresh.unlink()
        os.symlink(version, fresh)  # relative: the tree can be staged under another root
        os.replace(fresh, link)
        _sync_folder(self.root)

    def install(self, tarball: Path, version: str) -> Path:
        """Unpacks beside the running release; the folder appears complete or not at all.
        Paths leaving the folder, links out of it and device files are refused. A folder
        of that version left from before (a release rolled back, now signed again) is
        unpacked afresh; the running release is never touched."""
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.folder(version)
        if self.current_version() == version:
            return target
        partial = self.root / f".{version}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        with tarfile.open(tarball, "r:gz") as archive:
            unpack(archive, partial)
        (partial / RELEASE_FILE).write_text(version + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(partial, target)
        _sync_folder(self.root)
        return target

    def switch(self, version: str) -> str | None:
        """current -> version, previous -> what current was; returns that previous."""
        before = self.current_version()
        if before is not None and before != version:
            self.point(self.previous, before)
        self.point(self.current, version)
        return before

    def prune(self) -> list[str]:
        """Removes releases other than current and previous (and partial unpackings)."""
        wanted = {self.current_version(), self.previous_version()}
        removed = []
        for entry in sorted(self.root.iterdir()):
            if entry.is_symlink() or not entry.is_dir() or entry.name in wanted:
                continue
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
        return removed

    def previous_version(self) -> str | None:
        return self.version_of(self.previous)


def unpack(archive: tarfile.TarFile, folder: Path) -> None:
    """tarfile's "data" filter where this Python has it (3.11.4 and later), else the same
    checks by hand: regular files and folders only, every path inside `folder`."""
    if hasattr(tarfile, "data_filter"):
        archive.extractall(folder, filter="data")
        return
    inside = folder.resolve()
    for member in archive.getmembers():
        where = (inside / member.name).resolve()
        if not (member.isfile() or member.isdir()) or not where.is_relative_to(inside) or where == inside:
            raise tarfile.TarError(f"refused member {member.name[:80]!r}")
        member.mode &= 0o755
    archive.extractall(folder)  # every member checked above


# --- probation ------------------------------------------------------------------------------
def read_probation(var_dir: Path) -> dict | None:
    try:
        data = json.loads((Path(var_dir) / PROBATION_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and "version" in data else None
    except (OSError, ValueError):
        return None


def write_probation(var_dir: Path, state: dict) -> None:
    _write_json(Path(var_dir) / PROBATION_FILE, state)


def end_probation(var_dir: Path) -> None:
    try:
        (Path(var_dir) / PROBATION_FILE).unlink()
    except FileNotFoundError:
        pass


def begin_probation(layout: Layout, var_dir: Path, command_id: int, version: str) -> str | None:
    """Switches to `version` on probation; returns the release it replaced. The probation
    file is written first: a kiosk that stops between the two finds a probation for a
    release it does not run, and drops it."""
    previous = layout.current_version()
    write_probation(var_dir, {"command_id": command_id, "version": version, "previous": previous,
                              "switched_at": time.time(), "starts": 0})
    layout.switch(version)
    return previous


def roll_back(layout: Layout, var_dir: Path, state: dict, reason: str) -> str:
    """current -> the previous release again; the probation ends. Returns the result text."""
    previous = state.get("previous")
    if previous and layout.installed(previous):
        layout.point(layout.current, previous)
        result = f"rolled back: running {previous}; {state['version']} {reason}"
    else:
        result = f"{state['version']} {reason}; no previous release to go back to"
    end_probation(var_dir)
    return result


def count_start(layout: Layout, var_dir: Path, max_restarts: int = DEFAULT_MAX_RESTARTS) -> str | None:
    """One start of the kiosk. On probation, a start beyond 1 + max_restarts switches
    back and records the failed update in the ledger; returns what was done, or None."""
    state = read_probation(var_dir)
    if state is None:
        return None
    if layout.current_version() != state["version"]:
        end_probation(var_dir)  # switched away by hand, or stopped before the switch
        return f"probation of {state['version']} dropped: the kiosk runs {layout.current_version()}"
    state["starts"] = int(state.get("starts", 0)) + 1
    if state["starts"] <= 1 + max_restarts:
        write_probation(var_dir, state)
        return None
    result = roll_back(layout, var_dir, state, f"restarted {state['starts'] - 1} times by its supervisor "
                                               f"within its probation")
    if state.get("command_id") is not None:
        record_outcome(var_dir, int(state["command_id"]), "failed", result)
    return result


def record_outcome(var_dir: Path, command_id: int, outcome: str, result: str) -> None:
    """Into the fleet ledger, as CommandLedger keeps it: read by the kiosk when it starts,
    which acknowledges it when the command is delivered again. Only while the kiosk is not
    running (the unit's ExecStartPre): the running kiosk keeps the ledger itself."""
    path = Path(var_dir) / LEDGER_FILE
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        entries = entries if isinstance(entries, dict) else {}
    except (OSError, ValueError):
        entries = {}
    entries[str(command_id)] = {"command": "update", "outcome": outcome, "result": result[:500], "at": time.time()}
    _write_json(path, entries)


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as out:
        json.dump(data, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def _sync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk-update-guard",
                                     description="count a kiosk start on probation; roll back a release "
                                                 "restarted too often")
    parser.add_argument("--releases", type=Path, required=True)
    parser.add_argument("--var-dir", type=Path, required=True)
    parser.add_argument("--max-restarts", type=int, default=DEFAULT_MAX_RESTARTS)
    args = parser.parse_args(argv)
    try:
        done = count_start(Layout(args.releases), args.var_dir, args.max_restarts)
    except OSError as exc:  # never keep the kiosk from starting
        print(f"kiosk-update-guard: {type(exc).__name__}: {exc}")
        return 0
    if done:
        print(f"kiosk-update-guard: {done}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
