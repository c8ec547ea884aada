"""Chengmai's towns and villages on the wire (routes/addresses.py)."""
from __future__ import annotations

from .wire import Wire


class VillageOut(Wire):
    code: str  # 12 digits: the town's first 9
    name: str  # as the NBS lists it, e.g. 建国社区居委会, 美亭村委会


class TownOut(Wire):
    code: str  # 12 digits, the last 3 zero
    name: str
    villages: list[VillageOut]  # by code


class CountyOut(Wire):
    code: str
    name: str


class SourceOut(Wire):
    publisher: str
    title: str
    year: int
    as_of: str
    published: str
    url: str
    package: str
    built_by: str


class TownsOut(Wire):
    county: CountyOut
    source: SourceOut  # where the names and codes come from, and of which year
    towns: list[TownOut]  # by code
