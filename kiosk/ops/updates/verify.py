"""The kiosk's checks on a release before anything of it is installed, in this order:
a trusted key's signature, not expired, a sequence above the highest this kiosk has seen
(kept on disk, so an old manifest sent again is refused), the version asked for, no
downgrade and a running version the release may replace, then the tarball's size and
SHA-256. Each refusal is a `Refused` whose reason goes into the acknowledgement and the log.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import time
from pathlib import Path
from typing import Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain import release_manifest as mf

SEQUENCE_FILE = Path("updates") / "sequence.json"


class Refused(Exception):
    """A release this kiosk will not install; str() is the reason, for staff."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code  # unreadable | untrusted | expired | replayed | wrong_version | downgrade | too_old | tampered
        self.reason = reason


class SequenceStore:
    """The highest manifest sequence this kiosk has accepted, written durably."""

    def __init__(self, var_dir: Path):
        self.path = Path(var_dir) / SEQUENCE_FILE
        self._lock = threading.Lock()

    def highest(self) -> int:
        try:
            return int(json.loads(self.path.read_text(encoding="utf-8"))["highest"])
        except FileNotFoundError:
            return 0

    def raise_to(self, sequence: int) -> None:
        with self._lock:
            if sequence <= self.highest():
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp")
            with open(temporary, "w", encoding="utf-8") as out:
                json.dump({"highest": sequence, "at": time.time()}, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)


def comparable(version: str) -> bool:
    try:
        mf.parse_version(version)
    except mf.ManifestError:
        return False
    return True


class Verifier:
    def __init__(self, keys: dict[str, Ed25519PublicKey], sequences: SequenceStore,
                 clock: Callable[[], float] = time.time):
        self.keys = keys
        self.sequences = sequences
        self.clock = clock

    def manifest(self, document: bytes, wanted: str, running: str) -> mf.Manifest:
        """The manifest, trusted and fit for this kiosk; Refused otherwise."""
        try:
            manifest = mf.parse(document)
        except mf.ManifestError as exc:
            raise Refused("unreadable", f"manifest unreadable: {exc}") from exc
        if mf.signed_by(document, self.keys) is None:
            _, signatures = mf.read_document(document)
            ids = ", ".join(str(s.get("key_id", "?"))[:16] for s in signatures if isinstance(s, dict)) or "none"
            raise Refused("untrusted", f"manifest not signed by a trusted release key (signed by: {ids}; "
                                       f"trusted: {', '.join(sorted(self.keys)) or 'none'})")
        now = dt.datetime.fromtimestamp(self.clock(), dt.timezone.utc)
        if manifest.expires_at() <= now:
            raise Refused("expired", f"manifest for {manifest.version} expired at {manifest.expires}")
        highest = self.sequences.highest()
        if manifest.sequence <= highest:
            raise Refused("replayed", f"replayed manifest: sequence {manifest.sequence} is not above "
                                      f"the highest seen, {highest}")
        if manifest.version != wanted:
            raise Refused("wrong_version", f"asked for {wanted}, the manifest is for {manifest.version}")
        if comparable(running):  # a kiosk run from a checkout ("unknown", "0.1.0.dev3") takes any release
            if mf.parse_version(manifest.version) < mf.parse_version(running):
                raise Refused("downgrade", f"downgrade refused: {manifest.version} is older than the "
                                           f"running {running}")
            if mf.parse_version(running) < mf.parse_version(manifest.min_version):
                raise Refused("too_old", f"{manifest.version} replaces {manifest.min_version} or later; "
                                         f"this kiosk runs {running}")
        return manifest

    @staticmethod
    def tarball(manifest: mf.Manifest, path: Path) -> None:
        size = path.stat().st_size
        if size != manifest.size:
            raise Refused("tampered", f"tarball is {size} bytes, the manifest says {manifest.size}")
        digest = hashlib.sha256()
        with open(path, "rb") as data:
            for block in iter(lambda: data.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != manifest.sha256:
            raise Refused("tampered", f"tarball SHA-256 {digest.hexdigest()[:16]}… does not match the manifest's "
                                      f"{manifest.sha256[:16]}…")
