"""Base classes of the wire formats."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, model_validator


class Wire(BaseModel):
    """An answer's object: the members listed, no others."""

    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    """Catalogue content as the county loaded it: the usual members, and any others it has."""

    model_config = ConfigDict(extra="allow")


NUL_REFUSED = "text must not contain NUL characters"


def holds_nul(value: Any) -> bool:
    """Whether a NUL character is in the text, or in any key or text within a JSON value.
    No field has a use for one, and PostgreSQL cannot store or compare text holding it
    (psycopg refuses the query: a server error, where SQLite went on)."""
    pending = [value]  # a loop, not recursion: a deeply nested body must not exhaust the stack
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)
    return False


# Validation context: the body's JSON text was seen to hold no NUL (no_nul_in), so no
# model within it need walk its values again.
NUL_ABSENT = "nul_absent"


def no_nul_in(json_text: bytes) -> bool:
    """Whether JSON text can hold no NUL character: in a JSON string one can only be
    written as the escape \\u0000 (a bare one is not JSON at all)."""
    return b"\\u0000" not in json_text and b"\x00" not in json_text


class RequestBody(BaseModel):
    """A request body: the members a route reads; others are ignored, as they always were.
    Text holding a NUL character, anywhere in the body, is refused (422)."""

    model_config = ConfigDict(extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any, info: ValidationInfo) -> Any:
        if not (info.context or {}).get(NUL_ABSENT) and holds_nul(data):
            raise ValueError(NUL_REFUSED)
        return data
