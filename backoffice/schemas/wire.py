"""Base classes of the wire formats."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

CST = dt.timezone(dt.timedelta(hours=8), "CST")


def to_cst(utc_naive: dt.datetime) -> dt.datetime:
    return utc_naive.replace(tzinfo=dt.timezone.utc).astimezone(CST)


class Wire(BaseModel):
    """An answer's object: the members listed, no others."""

    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    """Catalogue content as the county loaded it: the usual members, and any others it has."""

    model_config = ConfigDict(extra="allow")


class RequestBody(BaseModel):
    """A request body: the members a route reads; others are ignored, as they always were."""

    model_config = ConfigDict(extra="allow")
