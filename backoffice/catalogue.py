"""The item catalogue (事项实施清单): loading the county's data file, and search by Chinese
text or pinyin initials (e.g. "spjy" finds 食品经营许可)."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pypinyin import Style, lazy_pinyin
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from domain.catalogue_search import matches_query

from . import audit
from .catalogue_check import read_catalogue
from .models import Bundle, CatalogueVersion, Department, Item, Material, Window, utcnow
from .settings import REPO_ROOT

LOAD_LOCK = "catalogue-load"  # held by a load (command line or console): two would take one version number

DEFAULT_CATALOGUE = REPO_ROOT / "assets" / "seed" / "catalogue.json"


def pinyin_keys(name: str) -> tuple[str, str]:
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
    full = "".join(lazy_pinyin(name, errors="ignore")).lower()
    return initials, full


def load_catalogue(session: Session, path: Path = DEFAULT_CATALOGUE, actor: str = "system") -> dict[str, Any]:
    """Make the catalogue the data file's, as one new version: windows, items and bundles
    the file no longer has are retired (hidden from the kiosks, kept for the cases that name
    them), ones it has again are un-retired; departments are only added or updated. A file
    with problems changes nothing: CatalogueInvalid (catalogue_check.py)."""
    data, raw = read_catalogue(Path(path))
    return load_catalogue_data(session, data, raw, actor)


def load_catalogue_data(session: Session, data: dict[str, Any], raw: bytes, actor: str) -> dict[str, Any]:
    """load_catalogue for a file already read and checked (catalogue_check.catalogue_of: a
    console upload's bytes); `raw` names the version by its SHA-256."""
    now = utcnow()
    windows = _apply(session, Window, {w["code"]: _window_fields(w, position) for position, w
                                       in enumerate(data["windows"])}, now)
    for d in data["departments"]:
        session.merge(Department(code=d["code"], name=d["name"], name_en=d["name_en"]))
    session.flush()
    items = _apply(session, Item, {spec["code"]: _item_fields(spec) for spec in data["items"]}, now,
                   materials={spec["code"]: _material_rows(spec) for spec in data["items"]})
    bundles = _apply(session, Bundle, {b["code"]: _bundle_fields(b) for b in data.get("bundles", [])}, now)
    changes = {"windows": windows, "items": items, "bundles": bundles}
    totals = {what: sum(kind[what] for kind in changes.values()) for what in ("added", "changed", "retired")}
    number = (session.scalar(select(func.max(CatalogueVersion.number))) or 0) + 1
    sha256 = hashlib.sha256(raw).hexdigest()
    session.add(CatalogueVersion(number=number, sha256=sha256, loaded_by=actor[:64], loaded_at=now,
                                 changes=changes, **totals))
    audit.record(session, actor, "catalogue.load", f"v{number}", sha256=sha256, **totals)
    session.commit()
    return {"version": number, "sha256": sha256, **totals,
            "windows": len(data["windows"]), "departments": len(data["departments"]),
            "items": len(data["items"]), "bundles": len(data.get("bundles", []))}


def _apply(session: Session, model, wanted: dict[str, dict], now, materials: dict[str, list[dict]] | None = None
           ) -> dict[str, int]:
    """Brings one table to `wanted` (code -> column values); counts what it added, changed
    (a coming back counts as a change) and retired."""
    counts = {"added": 0, "changed": 0, "retired": 0}
    existing = {row.code: row for row in session.scalars(select(model))}
    for code, fields in wanted.items():
        row = existing.get(code)
        if row is None:
            row = model(code=code)
            counts["added"] += 1
        elif row.retired_at is not None or any(getattr(row, k) != v for k, v in fields.items()) or (
                materials is not None and _material_state(row) != materials[code]):
            counts["changed"] += 1
        for key, value in fields.items():
            setattr(row, key, value)
        row.retired_at = None
        session.add(row)
        if materials is not None:
            session.flush()
            # Replaced as a whole: a case keeps the materials it was given (case_materials).
            session.execute(delete(Material).where(Material.item_code == code))
            session.expire(row, ["materials"])
            session.add_all(Material(item_code=code, position=position, **m)
                            for position, m in enumerate(materials[code]))
    for code, row in existing.items():
        if code not in wanted and row.retired_at is None:
            row.retired_at = now
            counts["retired"] += 1
    session.flush()
    return counts


def _window_fields(spec: dict, position: int) -> dict:
    return {"name": spec["name"], "name_en": spec["name_en"], "position": position}


def _bundle_fields(spec: dict) -> dict:
    return {"name": spec["name"], "name_en": spec["name_en"], "window_code": spec["window"],
            "description": spec.get("description", ""), "description_en": spec.get("description_en", ""),
            "item_codes": spec["items"]}


def _item_fields(spec: dict) -> dict:
    initials, full = pinyin_keys(spec["name"])
    return {
        "name": spec["name"], "name_en": spec["name_en"], "type": spec["type"], "level": spec.get("level", "county"),
        "window_code": spec["window"], "department_code": spec["department"], "audience": spec.get("audience", []),
        "legal_days": spec["legal_days"], "promised_days": spec["promised_days"], "visits": spec.get("visits", 0),
        "fees": spec.get("fees", []), "channels": spec.get("channels", []), "kiosk": bool(spec.get("kiosk", True)),
        "where_instead": spec.get("where_instead", ""), "where_instead_en": spec.get("where_instead_en", ""),
        "result": spec.get("result", {}), "conditions": spec.get("conditions", []),
        "conditions_en": spec.get("conditions_en", []), "form": spec.get("form", []),
        "pinyin_initials": initials, "pinyin_full": full,
    }


def _material_rows(spec: dict) -> list[dict]:
    return [{"code": m["code"], "name": m["name"], "name_en": m["name_en"], "necessity": m["necessity"],
             "forms": m.get("forms", []), "source": m.get("source", "applicant"),
             "licence_type_code": m.get("licence_type_code", ""), "copies": m.get("copies", 1),
             "blank_form": bool(m.get("blank_form")), "sample": bool(m.get("sample"))}
            for m in spec.get("materials", [])]


def _material_state(item: Item) -> list[dict]:
    """The item's materials as _material_rows gives them, to tell whether the file changed them."""
    keys = ("code", "name", "name_en", "necessity", "forms", "source", "licence_type_code", "copies",
            "blank_form", "sample")
    return [{key: getattr(m, key) for key in keys} for m in item.materials]


def current_version(session: Session) -> CatalogueVersion | None:
    """The last load; None before the first."""
    return session.scalar(select(CatalogueVersion).order_by(CatalogueVersion.number.desc()).limit(1))


def search_items(session: Session, query: str = "", window: str = "", type_: str = "",
                 audience: str = "", kiosk: bool | None = None) -> list[Item]:
    stmt = select(Item).where(Item.retired_at.is_(None)).order_by(Item.window_code, Item.code)
    if window:
        stmt = stmt.where(Item.window_code == window)
    if type_:
        stmt = stmt.where(Item.type == type_)
    if kiosk is not None:
        stmt = stmt.where(Item.kiosk == kiosk)
    items = list(session.scalars(stmt))
    if audience:
        items = [i for i in items if audience in (i.audience or [])]
    if query.strip():
        items = [i for i in items if matches_query(query, i.name, i.name_en, i.pinyin_initials, i.pinyin_full)]
    return items
