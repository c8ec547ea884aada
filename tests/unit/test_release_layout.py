"""Releases side by side (kiosk/ops/updates/layout.py): unpacked complete or not at all,
nothing outside the release's folder, the switch an atomic rename of a symlink, and the
probation's start count."""
from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from kiosk.ops.updates import layout as lay


def tarball(path: Path, members: dict[str, bytes], link: tuple[str, str] | None = None) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        if link:
            info = tarfile.TarInfo(link[0])
            info.type, info.linkname = tarfile.SYMTYPE, link[1]
            archive.addfile(info)
    return path


@pytest.fixture(params=["data filter", "by hand"])
def unpacking(request, monkeypatch):
    """Both ways of unpacking: tarfile's filter (Python 3.11.4+) and the checks by hand."""
    if request.param == "by hand":
        monkeypatch.delattr(tarfile, "data_filter")
    return request.param


@pytest.mark.parametrize("members, link", [
    ({"../escaped.py": b"x"}, None),
    ({"kiosk/ok.py": b"x"}, ("kiosk/out", "/etc/passwd")),
])
def test_nothing_is_unpacked_outside_the_release(tmp_path, unpacking, members, link):
    layout = lay.Layout(tmp_path / "releases")
    bad = tarball(tmp_path / "bad.tar.gz", members, link)
    with pytest.raises(tarfile.TarError):
        layout.install(bad, "2.0.0")
    assert not layout.installed("2.0.0") and not (tmp_path / "escaped.py").exists()


def test_an_absolute_path_stays_inside_the_release_or_is_refused(tmp_path, unpacking):
    layout = lay.Layout(tmp_path / "releases")
    absolute = tmp_path / "outside" / "escaped.py"
    bad = tarball(tmp_path / "bad.tar.gz", {str(absolute): b"x"})
    try:
        layout.install(bad, "2.0.0")
    except tarfile.TarError:
        assert unpacking == "by hand"
    else:  # the data filter strips the leading slash
        assert (layout.folder("2.0.0") / str(absolute).lstrip("/")).is_file()
    assert not absolute.exists()


def test_a_switch_keeps_the_previous_release_and_a_rollback_returns_to_it(tmp_path, unpacking):
    layout = lay.Layout(tmp_path / "releases")
    for version in ("1.0.0", "1.1.0"):
        layout.install(tarball(tmp_path / f"{version}.tar.gz", {"kiosk/__init__.py": version.encode()}), version)
    layout.switch("1.0.0")
    var = tmp_path / "var"
    assert lay.begin_probation(layout, var, 7, "1.1.0") == "1.0.0"
    assert os.readlink(layout.current) == "1.1.0" and layout.previous_version() == "1.0.0"
    assert (layout.current / "kiosk" / "__init__.py").read_text() == "1.1.0"
    assert not list(layout.root.glob(".*.new")), "the fresh link was renamed over the old one"
    for _ in range(3):  # the first start and two restarts
        assert lay.count_start(layout, var, max_restarts=2) is None
    done = lay.count_start(layout, var, max_restarts=2)
    assert done == "rolled back: running 1.0.0; 1.1.0 restarted 3 times by its supervisor within its probation"
    assert layout.current_version() == "1.0.0" and lay.read_probation(var) is None
    ledger = (var / lay.LEDGER_FILE).read_text()
    assert '"7": {"command": "update", "outcome": "failed"' in ledger


def test_a_probation_for_a_release_not_running_is_dropped(tmp_path):
    layout = lay.Layout(tmp_path / "releases")
    layout.install(tarball(tmp_path / "a.tar.gz", {"a.py": b""}), "1.0.0")
    layout.switch("1.0.0")
    lay.write_probation(tmp_path, {"command_id": 1, "version": "1.1.0", "previous": "1.0.0", "starts": 0})
    assert "dropped" in lay.count_start(layout, tmp_path)
    assert lay.read_probation(tmp_path) is None and layout.current_version() == "1.0.0"
