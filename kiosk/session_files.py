"""The files a session makes (photographed pages, documents before printing, slip
previews): one directory of their own per session (0700, its files 0600), deleted whole
at every wipe, and everything under the root deleted when the kiosk starts (what a crash
or a power cut left behind). A file made inside the directory is gone with it, so none
can be forgotten by a caller that did not register it."""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from pathlib import Path

log = logging.getLogger(__name__)


class SessionFiles:
    def __init__(self, root: Path | None = None):
        """`root` holds the sessions' directories; None: a private temporary one."""
        self._root = root
        self._current: Path | None = None
        self._lock = threading.Lock()  # journeys make files on worker threads

    @property
    def root(self) -> Path:
        with self._lock:
            if self._root is None:
                self._root = Path(tempfile.mkdtemp(prefix="kiosk-session-"))
            return self._root

    def directory(self) -> Path:
        """This session's directory, made on first use."""
        root = self.root
        with self._lock:
            if self._current is None or not self._current.is_dir():
                root.mkdir(parents=True, exist_ok=True)
                os.chmod(root, 0o700)
                self._current = Path(tempfile.mkdtemp(prefix="s-", dir=root))
            return self._current

    def new(self, prefix: str, suffix: str) -> Path:
        """An empty file of this session's, readable by this user only."""
        handle, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=self.directory())
        os.close(handle)
        return Path(name)

    def named(self, name: str) -> Path:
        """A path of this session's with a given name (a slip preview named by its print job)."""
        if Path(name).name != name:
            raise ValueError("a session file's name has no directory part")
        return self.directory() / name

    def wipe(self) -> None:
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            shutil.rmtree(current, ignore_errors=True)
            if current.exists():
                log.warning("could not delete a session's files")

    def purge_leftovers(self) -> int:
        """Deletes everything under the root (at start, before any session): returns how
        many sessions' directories or files were left over."""
        root = self.root
        if not root.is_dir():
            return 0
        left = 0
        for entry in root.iterdir():
            left += 1
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        if left:
            log.warning("session files left over from before the start deleted", extra={"entries": left})
        return left
