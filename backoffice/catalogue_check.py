"""Checks a catalogue data file before anything is loaded, and says every problem at once
in plain words with where it is ("items[12].materials[3].necessity: must be one of
required, deferrable, optional"): the shape (catalogue_schema.py), then what a schema
cannot say (codes that must exist elsewhere in the file, codes that must be unique)."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .catalogue_schema import CatalogueSpec


class CatalogueInvalid(ValueError):
    """The file cannot be loaded; `problems` lists why, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in the catalogue file")
        self.problems = problems


# The county's whole catalogue is about 250 KB; ten times that is room to grow, and still a
# body a console upload may buffer.
MAX_CATALOGUE_BYTES = 4 * 1024 * 1024


def read_catalogue(path: Path) -> tuple[dict[str, Any], bytes]:
    """The file's data and its bytes (for the version's SHA-256), or CatalogueInvalid."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise CatalogueInvalid([f"cannot read {path}: {exc.strerror or exc}"]) from None
    return catalogue_of(raw)


def catalogue_of(raw: bytes) -> tuple[dict[str, Any], bytes]:
    """A catalogue file's bytes (an upload's): its data and the bytes, or CatalogueInvalid."""
    if len(raw) > MAX_CATALOGUE_BYTES:
        raise CatalogueInvalid([f"the file is {len(raw)} bytes, more than {MAX_CATALOGUE_BYTES}"])
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CatalogueInvalid(["the file is not UTF-8 text"]) from None
    except json.JSONDecodeError as exc:
        raise CatalogueInvalid([f"not JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"]) from None
    problems = catalogue_problems(data)
    if problems:
        raise CatalogueInvalid(problems)
    return data, raw


def catalogue_problems(data: Any) -> list[str]:
    """Every problem of the file's data; [] when it can be loaded."""
    if not isinstance(data, dict):
        return ["the file must hold one JSON object (windows, departments, items, bundles)"]
    body = {key: value for key, value in data.items() if not key.startswith("_")}  # "_comment" keys
    try:
        CatalogueSpec.model_validate(body)
        problems = []
    except ValidationError as exc:
        problems = [f"{where(error['loc'])}: {in_words(error)}" for error in exc.errors()]
    return problems + cross_check_problems(body)


def where(location: tuple) -> str:
    """("items", 12, "materials", 3, "necessity") -> "items[12].materials[3].necessity"."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the file"


def in_words(error: dict) -> str:
    kind, context = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return "is missing"
    if kind == "extra_forbidden":
        return "is not a field the catalogue knows (misspelt?)"
    if kind == "literal_error":
        expected = str(context.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"must be one of {expected}"
    if kind in ("string_type", "string_sub_type"):
        return "must be text"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "must be a whole number"
    if kind == "bool_type":
        return "must be true or false"
    if kind == "list_type":
        return "must be a list"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be an object"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"must have at most {context.get('max_length')} characters"
    if kind == "too_short":
        return f"must have at least {context.get('min_length')} entry"
    if kind == "greater_than_equal":
        return f"must be at least {context.get('ge')}"
    return str(error.get("msg", kind)).lower()


def cross_check_problems(body: dict[str, Any]) -> list[str]:
    """Tolerant of a file of the wrong shape (those problems are reported already): only
    entries that are objects are looked at, and a value of the wrong type matches nothing."""
    sections = {name: _entries(body.get(name)) for name in ("windows", "departments", "items", "bundles")}
    problems = []
    for name, entries in sections.items():
        for code, count in Counter(e.get("code") for _n, e in entries if isinstance(e.get("code"), str)).items():
            if count > 1:
                problems.append(f"{name}: code {code} appears {count} times")
    windows, departments, items = ({e.get("code") for _n, e in sections[name]}
                                   for name in ("windows", "departments", "items"))
    for n, item in sections["items"]:
        if isinstance(item.get("window"), str) and item["window"] not in windows:
            problems.append(f"items[{n}].window: no window {item['window']} in windows")
        if isinstance(item.get("department"), str) and item["department"] not in departments:
            problems.append(f"items[{n}].department: no department {item['department']} in departments")
        materials = _entries(item.get("materials"))
        for code, count in Counter(m.get("code") for _m, m in materials if isinstance(m.get("code"), str)).items():
            if count > 1:
                problems.append(f"items[{n}].materials: code {code} appears {count} times in {item.get('code')}")
        for m, material in materials:
            if material.get("source") == "e_licence" and not material.get("licence_type_code"):
                problems.append(f"items[{n}].materials[{m}].licence_type_code: an e-licence material must name "
                                "its licence type")
        promised, legal = item.get("promised_days"), item.get("legal_days")
        if isinstance(promised, int) and isinstance(legal, int) and promised > legal > 0:
            problems.append(f"items[{n}].promised_days: must not exceed legal_days ({legal})")
    for n, bundle in sections["bundles"]:
        if isinstance(bundle.get("window"), str) and bundle["window"] not in windows:
            problems.append(f"bundles[{n}].window: no window {bundle['window']} in windows")
        members = bundle.get("items")
        for i, code in enumerate(members if isinstance(members, list) else []):
            if isinstance(code, str) and code not in items:
                problems.append(f"bundles[{n}].items[{i}]: no item {code} in items")
    return problems


def _entries(section: Any) -> list[tuple[int, dict]]:
    """A section's objects with their positions in the file."""
    return [(n, e) for n, e in enumerate(section) if isinstance(e, dict)] if isinstance(section, list) else []
