"""Yes/no settings as configuration files and environment variables write them."""
from __future__ import annotations

from typing import Any


def is_on(value: Any) -> bool:
    """True for true, 1, "1", "true", "yes" and "on" (any case); a string is never true
    just for being non-empty, so "false" and "0" are off."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
