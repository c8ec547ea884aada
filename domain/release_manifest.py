"""A kiosk release manifest and its Ed25519 signatures: written by kiosk-release
(kiosk/ops/updates/build.py), checked by the kiosk before it installs (verify.py there),
read by the back office to file a release it is handed (backoffice/releases.py).

The signed document is JSON: {"signed": {...fields...}, "signatures": [{"key_id", "sig"}]}.
The signature is over the canonical JSON of "signed" (sorted keys, no spaces, UTF-8), so
whitespace added on the way changes nothing and any changed field breaks it. A key id is
the first 16 hex digits of the SHA-256 of the raw 32-byte public key: the kiosk's
configuration names the keys it trusts by id, so the county can add a new key beside the
old one, publish with it, then retire the old one.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "chengmai-kiosk-release/1"
VERSION_PATTERN = re.compile(r"^\d{1,4}(\.\d{1,4}){1,3}$")  # 1.4.0, 2026.12.1: numbers only, compared as such


class ManifestError(ValueError):
    """The document is not a manifest this kiosk can read."""


@dataclass(frozen=True)
class Manifest:
    version: str
    created: str  # ISO 8601 UTC, "2026-12-06T04:00:00Z"
    expires: str
    sha256: str  # of the tarball
    size: int
    min_version: str  # the oldest running version this release may replace
    sequence: int  # grows with every manifest the county signs; the kiosk keeps the highest seen
    tarball: str  # its file name, for people; the hash is what counts
    format: str = FORMAT

    def expires_at(self) -> dt.datetime:
        return parse_time(self.expires)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_version(version: str) -> tuple[int, ...]:
    if not isinstance(version, str) or not VERSION_PATTERN.match(version):
        raise ManifestError(f"not a release version: {str(version)[:32]!r}")
    return tuple(int(part) for part in version.split("."))


def parse_time(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.timezone.utc)
    except (AttributeError, ValueError) as exc:
        raise ManifestError(f"not a time: {str(value)[:40]!r}") from exc


def utc_text(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_text(public: Ed25519PublicKey) -> str:
    """The form the kiosk's configuration holds: the raw key in base64."""
    return base64.b64encode(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


def public_from_text(text: str) -> Ed25519PublicKey:
    raw = base64.b64decode(text.strip(), validate=True)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def trusted_keys(configured: dict[str, str]) -> dict[str, Ed25519PublicKey]:
    """{key id: public key} from the configuration; an entry whose id is not its key's is
    refused, so a typo cannot make the kiosk trust a key under another name."""
    keys = {}
    for named, text in configured.items():
        public = public_from_text(str(text))
        if key_id(public) != named:
            raise ValueError(f"release key {named}: its id is {key_id(public)}")
        keys[named] = public
    return keys


def sign(manifest: Manifest, private: Ed25519PrivateKey) -> bytes:
    """The signed manifest document, as published next to the tarball."""
    fields = manifest.to_dict()
    signature = private.sign(canonical(fields))
    document = {"signed": fields, "signatures": [{"key_id": key_id(private.public_key()),
                                                  "sig": base64.b64encode(signature).decode()}]}
    return json.dumps(document, indent=2, sort_keys=True).encode("utf-8") + b"\n"


def read_document(data: bytes) -> tuple[dict[str, Any], list[dict[str, str]]]:
    try:
        document = json.loads(data.decode("utf-8"))
        signed, signatures = document["signed"], document["signatures"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ManifestError("not a signed release manifest") from exc
    if not isinstance(signed, dict) or not isinstance(signatures, list):
        raise ManifestError("not a signed release manifest")
    return signed, signatures


def signed_by(data: bytes, keys: dict[str, Ed25519PublicKey]) -> str | None:
    """The id of a trusted key whose signature over the manifest holds, or None."""
    signed, signatures = read_document(data)
    message = canonical(signed)
    for entry in signatures:
        if not isinstance(entry, dict):
            continue
        public = keys.get(str(entry.get("key_id")))
        if public is None:
            continue
        try:
            public.verify(base64.b64decode(str(entry.get("sig", "")), validate=True), message)
        except (InvalidSignature, ValueError):
            continue
        return str(entry["key_id"])
    return None


def parse(data: bytes) -> Manifest:
    """The manifest's fields, checked for form only (not trust: see signed_by)."""
    signed, _ = read_document(data)
    try:
        manifest = Manifest(version=str(signed["version"]), created=str(signed["created"]),
                            expires=str(signed["expires"]), sha256=str(signed["sha256"]).lower(),
                            size=int(signed["size"]), min_version=str(signed["min_version"]),
                            sequence=int(signed["sequence"]), tarball=str(signed["tarball"]),
                            format=str(signed.get("format", "")))
    except (KeyError, TypeError, ValueError) as exc:
        raise ManifestError(f"manifest field missing or wrong: {exc}") from exc
    if manifest.format != FORMAT:
        raise ManifestError(f"manifest format {manifest.format[:40]!r} is not {FORMAT}")
    parse_version(manifest.version)
    parse_version(manifest.min_version)
    parse_time(manifest.created)
    parse_time(manifest.expires)
    if not re.fullmatch(r"[0-9a-f]{64}", manifest.sha256) or manifest.size < 0:
        raise ManifestError("manifest hash or size malformed")
    return manifest
