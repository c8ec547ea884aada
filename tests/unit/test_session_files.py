"""A session's files live in a directory of their own, gone whole at the wipe; what a
crash left under the root is purged at start."""
from __future__ import annotations

import pytest

from kiosk.session import Session
from kiosk.session_files import SessionFiles


def test_files_of_a_session_go_with_its_wipe_and_the_next_gets_a_new_directory(tmp_path):
    session = Session(files_root=tmp_path / "session")
    session.begin()
    page = session.files.new("page-", ".jpg")
    page.write_bytes(b"a page")
    preview = session.files.named("slip-0001.png")
    preview.write_bytes(b"a preview")  # made without registering anything: gone all the same
    first = session.files.directory()
    assert page.parent == preview.parent == first
    assert first.stat().st_mode & 0o777 == 0o700 and page.stat().st_mode & 0o777 == 0o600
    session.wipe()
    assert not first.exists() and list((tmp_path / "session").iterdir()) == []
    session.begin()
    assert session.files.new("page-", ".jpg").parent != first


def test_leftovers_of_a_crash_are_purged_at_start(tmp_path):
    root = tmp_path / "session"
    (root / "s-old").mkdir(parents=True)
    (root / "s-old" / "page.jpg").write_bytes(b"a page from before the power cut")
    (root / "stray.pdf").write_bytes(b"%PDF")
    assert SessionFiles(root).purge_leftovers() == 2
    assert list(root.iterdir()) == []
    assert SessionFiles(tmp_path / "never-made").purge_leftovers() == 0


def test_a_named_file_stays_inside_the_session(tmp_path):
    files = SessionFiles(tmp_path)
    with pytest.raises(ValueError):
        files.named("../outside.png")
