"""`kiosk-release`: the county's tool to make a release, on the signing machine (never
the back office, which only stores and hands out what was signed).

    kiosk-release keygen --out release-2026.key           # prints the key id and the public key
    kiosk-release build 1.4.0 --key release-2026.key --min-version 1.2.0 [--expires-days 30]
        [--sequence N] [--source DIR] [--out DIR]

`build` packs the kiosk's code (the checkout's tracked files and the built catalogues and
pinyin dictionary, as the installer copies them) into chengmai-kiosk-VERSION.tar.gz and
writes chengmai-kiosk-VERSION.manifest.json beside it, signed. The sequence defaults to
the current Unix time, which grows from one build to the next on one signing machine.
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import hashlib
import io
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain import release_manifest as mf

EXCLUDED = {".git", ".venv", "var", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
BUILT = ("*.mo", "pinyin.tsv.gz")  # built, not tracked: shipped all the same


def source_files(source: Path) -> list[str]:
    """Relative paths to pack, sorted: git's tracked files when it is a checkout."""
    names: set[str] = set()
    if (source / ".git").exists():
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=source, capture_output=True, check=True)
        names = {n for n in listed.stdout.decode("utf-8").split("\0") if n and (source / n).is_file()}
        for pattern in BUILT:
            names |= {str(p.relative_to(source)) for p in (source / "assets").rglob(pattern)}
    else:
        for folder, dirs, files in os.walk(source):
            dirs[:] = [d for d in dirs if d not in EXCLUDED]
            names |= {str((Path(folder) / f).relative_to(source)) for f in files if not f.endswith(".pyc")}
    return sorted(names)


def pack(source: Path, destination: Path) -> None:
    """A reproducible tarball: sorted names, no owners, one timestamp."""
    with open(destination, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=9) as archive:
        for name in source_files(source):
            path = source / name
            info = archive.gettarinfo(str(path), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
            with open(path, "rb") as data:
                archive.addfile(info, io.BytesIO(data.read()))


def build(version: str, private: Ed25519PrivateKey, out: Path, *, source: Path, min_version: str,
          expires_days: float = 30, sequence: int | None = None, now: dt.datetime | None = None) -> tuple[Path, Path]:
    mf.parse_version(version)
    mf.parse_version(min_version)
    now = now or dt.datetime.now(dt.timezone.utc)
    out.mkdir(parents=True, exist_ok=True)
    tarball = out / f"chengmai-kiosk-{version}.tar.gz"
    pack(source, tarball)
    data = tarball.read_bytes()
    manifest = mf.Manifest(version=version, created=mf.utc_text(now),
                           expires=mf.utc_text(now + dt.timedelta(days=expires_days)),
                           sha256=hashlib.sha256(data).hexdigest(), size=len(data), min_version=min_version,
                           sequence=int(time.time()) if sequence is None else sequence, tarball=tarball.name)
    document = out / f"chengmai-kiosk-{version}.manifest.json"
    document.write_bytes(mf.sign(manifest, private))
    return tarball, document


def load_private(path: Path, password: bytes | None = None) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=password)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def keygen(path: Path, password: bytes | None = None) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    encryption = (serialization.BestAvailableEncryption(password) if password
                  else serialization.NoEncryption())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(pem)
    return key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk-release", description="build and sign kiosk releases")
    sub = parser.add_subparsers(dest="verb", required=True)
    made = sub.add_parser("keygen", help="a new Ed25519 release key (PEM, 0600); prints its id and public key")
    made.add_argument("--out", type=Path, required=True)
    made.add_argument("--password", action="store_true", help="encrypt the key with a password (asked)")
    built = sub.add_parser("build", help="pack the code and write the signed manifest")
    built.add_argument("version")
    built.add_argument("--key", type=Path, required=True)
    built.add_argument("--min-version", required=True, help="the oldest running version it may replace")
    built.add_argument("--expires-days", type=float, default=30)
    built.add_argument("--sequence", type=int, help="default: the current Unix time")
    built.add_argument("--source", type=Path, default=Path(__file__).resolve().parents[3])
    built.add_argument("--out", type=Path, default=Path("dist"))
    built.add_argument("--password", action="store_true", help="the key is encrypted (password asked)")
    args = parser.parse_args(argv)
    password = getpass.getpass("key password: ").encode() if args.password else None
    if args.verb == "keygen":
        key = keygen(args.out, password)
        public = key.public_key()
        print(f"key id: {mf.key_id(public)}")
        print(f"public key (for [updates.keys] in kiosk.toml): {mf.public_text(public)}")
        print(f'  "{mf.key_id(public)}" = "{mf.public_text(public)}"')
        return 0
    try:
        tarball, document = build(args.version, load_private(args.key, password), args.out, source=args.source,
                                  min_version=args.min_version, expires_days=args.expires_days,
                                  sequence=args.sequence)
    except (OSError, ValueError) as exc:
        print(f"kiosk-release: {exc}", file=sys.stderr)
        return 2
    print(f"{tarball}\n{document}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
