"""Back-office settings: environment variables with defaults that make a demo work."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    """Where the default SQLite database and the generated lookup key live."""
    return Path(os.environ.get("BACKOFFICE_VAR_DIR") or REPO_ROOT / "var")


@dataclass(frozen=True)
class Settings:
    database_url: str
    lookup_key: bytes  # pepper for the salted hashes that let us find a person's cases
    division_code: str = "469023"  # 澄迈县

    @classmethod
    def from_env(cls, database_url: str | None = None) -> "Settings":
        url = database_url or os.environ.get("BACKOFFICE_DATABASE_URL")
        if not url:
            var_dir().mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{var_dir() / 'backoffice.db'}"
        return cls(database_url=url, lookup_key=_lookup_key())


def _lookup_key() -> bytes:
    """The lookup pepper: from the environment in production, else a per-install random key.

    Losing it makes existing lookups unfindable, so the generated key is kept on disk next
    to the demo database rather than regenerated on each start.
    """
    env = os.environ.get("BACKOFFICE_LOOKUP_KEY")
    if env:
        return env.encode()
    path = var_dir() / "backoffice.lookup-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()
