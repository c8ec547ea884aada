"""Backups a county can restore: the database taken while the server runs (SQLite's online
backup, or pg_dump's consistent snapshot), a manifest to check it against, and the keys
that open its personal data in a file of their own, sealed with a passphrase (scrypt and
AES-GCM) so that a copy of the database alone opens nothing.

Restoring puts the database back exactly (on PostgreSQL the schema is emptied first, in the
same transaction, so a table a later migration added goes too) and then ends every staff
token: a token issued after the backup was taken must not survive in a database that never
issued it, and one from before may belong to someone disabled since."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete
from sqlalchemy.engine import make_url

from . import audit
from .models import StaffToken

KEYS_FILE, MANIFEST = "keys.sealed", "manifest.json"
SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}  # OWASP's minimum is 2**17 for passwords; a backup passphrase is long


class BackupError(RuntimeError):
    """Said to the operator as it is: no traceback."""


def take(settings, folder: Path, passphrase: str = "") -> Path:
    """A new backup under `folder`; its directory."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = Path(folder) / f"backoffice-{stamp}"
    target.mkdir(parents=True, mode=0o700)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        database = target / "database.sqlite"
        _sqlite_backup(Path(url.database or ""), database)
    else:
        database = target / "database.pgdump"
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={database}", "--dbname",
              _libpq_url(settings.database_url)])
    manifest = {"taken_at": stamp, "engine": url.get_backend_name(), "database": database.name,
                "sha256": _sha256(database), "keys": KEYS_FILE if passphrase else None}
    if passphrase:
        (target / KEYS_FILE).write_bytes(seal_keys(settings, passphrase))
        (target / KEYS_FILE).chmod(0o600)
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return target


def restore(settings, source: Path, sessions) -> dict:
    """Puts the backup's database back (the server stopped), then ends every staff token."""
    manifest = read_manifest(source)
    database = Path(source) / manifest["database"]
    if _sha256(database) != manifest["sha256"]:
        raise BackupError(f"{database} does not match its manifest: damaged or altered")
    url = make_url(settings.database_url)
    if manifest["engine"] != url.get_backend_name():
        raise BackupError(f"a {manifest['engine']} backup cannot be restored into {url.get_backend_name()}")
    if manifest["engine"] == "sqlite":
        _sqlite_backup(database, Path(url.database or ""))
    else:
        _pg_restore_exactly(settings.database_url, database)
    with sessions() as session:
        ended = session.execute(delete(StaffToken)).rowcount
        audit.record(session, "system:cli", "backup.restored", manifest["taken_at"], staff_tokens_ended=ended)
        session.commit()
    return {"restored": manifest["taken_at"], "staff_tokens_ended": ended}


def cases_since(source: Path, sessions) -> int:
    """Cases received after the backup was taken: what restoring it would lose."""
    from sqlalchemy import func, select

    from .models import Case

    taken = dt.datetime.strptime(read_manifest(source)["taken_at"], "%Y%m%dT%H%M%SZ")
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Case).where(Case.received_at >= taken)) or 0


def read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((Path(source) / MANIFEST).read_text())
        if not {"taken_at", "engine", "database", "sha256"} <= set(manifest):
            raise ValueError("fields missing")
        return manifest
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} is not a backup of this back office ({exc})") from None


def seal_keys(settings, passphrase: str) -> bytes:
    keys = {"BACKOFFICE_LOOKUP_KEY": settings.lookup_key.decode(), "BACKOFFICE_DATA_KEY": settings.data_key.hex(),
            "BACKOFFICE_SIGNING_SEED": settings.signing_seed.hex(), "BACKOFFICE_AUDIT_KEY": settings.audit_key.hex()}
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_key(passphrase, salt)).encrypt(nonce, json.dumps(keys).encode(), b"chengmai-backup-keys")
    return json.dumps({"v": 1, "kdf": "scrypt", **SCRYPT, "salt": salt.hex(), "nonce": nonce.hex(),
                       "sealed": sealed.hex()}).encode()


def open_keys(sealed: bytes, passphrase: str) -> dict[str, str]:
    """The keys as environment settings (BACKOFFICE_*), for the restored server."""
    try:
        box = json.loads(sealed)
        plain = AESGCM(_key(passphrase, bytes.fromhex(box["salt"]))).decrypt(
            bytes.fromhex(box["nonce"]), bytes.fromhex(box["sealed"]), b"chengmai-backup-keys")
    except (InvalidTag, ValueError, KeyError):
        raise BackupError("the keys do not open with this passphrase") from None
    return json.loads(plain)


def _key(passphrase: str, salt: bytes) -> bytes:
    if len(passphrase) < 12:
        raise BackupError("the backup passphrase must have at least 12 characters")
    return hashlib.scrypt(passphrase.encode(), salt=salt, maxmem=64 * 2 ** 20, dklen=32, **SCRYPT)


def _sqlite_backup(source: Path, target: Path) -> None:
    """SQLite's online backup: consistent while the server writes (page by page, restarted
    when a write lands in between)."""
    if not source.exists():
        raise BackupError(f"no database at {source}")
    src, dst = sqlite3.connect(f"file:{source}?mode=ro", uri=True), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    target.chmod(0o600)


# Everything in the schema goes first: a table a later migration added is not in the dump,
# and left behind it would make the same migration fail when it runs again.
_DROP_ALL = """DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace
           AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') ORDER BY c.relkind IN ('r', 'p') DESC LOOP
    EXECUTE format('DROP %s IF EXISTS %I.%I CASCADE', CASE r.relkind WHEN 'v' THEN 'VIEW'
      WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
      current_schema(), r.relname);
  END LOOP;
  FOR r IN SELECT t.typname FROM pg_type t WHERE t.typnamespace = current_schema()::regnamespace
           AND t.typtype IN ('e', 'd') LOOP
    EXECUTE format('DROP TYPE IF EXISTS %I.%I CASCADE', current_schema(), r.typname);
  END LOOP;
END $$;
"""


def _pg_restore_exactly(url: str, dump: Path) -> None:
    """The database becomes the dump's, in one transaction: all of it or none of it."""
    script = subprocess.run([_pg_tool("pg_restore"), "--no-owner", "--file=-", str(dump)], capture_output=True)
    if script.returncode != 0:
        raise BackupError(f"pg_restore failed: {script.stderr.decode(errors='replace').strip()[-500:]}")
    done = subprocess.run([_pg_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction",
                           "--set=ON_ERROR_STOP=1", "--dbname", _libpq_url(url)],
                          input=_DROP_ALL.encode() + script.stdout, capture_output=True)
    if done.returncode != 0:
        raise BackupError(f"psql failed: {done.stderr.decode(errors='replace').strip()[-500:]}")


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)),
                                       None)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client)")
    return str(found)


def _libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq takes it (no driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-500:]}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
