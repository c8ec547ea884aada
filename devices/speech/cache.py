"""Rendered WAVs of fixed prompts ("请将身份证放在读卡区"), keyed by text and voice, so
they play at once. Only the caller knows whether a text is fixed; personal text (a name,
a case number) is never cached and its temporary WAV is deleted after playing."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .engine import Voice


class PromptCache:
    def __init__(self, folder: Path, max_files: int = 500):
        self.folder = Path(folder)
        self.max_files = max_files

    def path_for(self, text: str, voice: Voice) -> Path:
        digest = hashlib.sha256(f"{voice.key()}\n{text}".encode("utf-8")).hexdigest()[:32]
        return self.folder / f"{digest}.wav"

    def get(self, text: str, voice: Voice) -> Path | None:
        path = self.path_for(text, voice)
        return path if path.exists() and path.stat().st_size > 44 else None

    def store(self, rendered: Path, text: str, voice: Voice) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path_for(text, voice)
        os.replace(rendered, target)  # atomic: a half-written WAV is never served
        self._trim()
        return target

    def _trim(self) -> None:
        files = sorted(self.folder.glob("*.wav"), key=lambda p: p.stat().st_mtime)
        for old in files[: max(0, len(files) - self.max_files)]:
            old.unlink(missing_ok=True)
