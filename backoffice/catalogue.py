"""The item catalogue (事项实施清单): loading the county's data file, and search by Chinese
text or pinyin initials (e.g. "spjy" finds 食品经营许可)."""
from __future__ import annotations

from pathlib import Path

from pypinyin import Style, lazy_pinyin
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from domain.catalogue_search import matches_query

from .catalogue_check import read_catalogue
from .models import Bundle, Department, Item, Material, Window
from .settings import REPO_ROOT

DEFAULT_CATALOGUE = REPO_ROOT / "assets" / "seed" / "catalogue.json"


def pinyin_keys(name: str) -> tuple[str, str]:
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()
    full = "".join(lazy_pinyin(name, errors="ignore")).lower()
    return initials, full


def load_catalogue(session: Session, path: Path = DEFAULT_CATALOGUE) -> dict[str, int]:
    """Replace the catalogue with the data file's (items referenced by cases are updated
    in place, never deleted). A file with problems changes nothing: CatalogueInvalid."""
    data, _raw = read_catalogue(Path(path))
    for position, w in enumerate(data["windows"]):
        session.merge(Window(code=w["code"], name=w["name"], name_en=w["name_en"], position=position))
    for d in data["departments"]:
        session.merge(Department(code=d["code"], name=d["name"], name_en=d["name_en"]))
    session.flush()
    for spec in data["items"]:
        initials, full = pinyin_keys(spec["name"])
        item = session.get(Item, spec["code"]) or Item(code=spec["code"])
        item.name, item.name_en = spec["name"], spec["name_en"]
        item.type, item.level = spec["type"], spec.get("level", "county")
        item.window_code, item.department_code = spec["window"], spec["department"]
        item.audience = spec.get("audience", [])
        item.legal_days, item.promised_days = spec["legal_days"], spec["promised_days"]
        item.visits, item.fees, item.channels = spec.get("visits", 0), spec.get("fees", []), spec.get("channels", [])
        item.kiosk = bool(spec.get("kiosk", True))
        item.where_instead, item.where_instead_en = spec.get("where_instead", ""), spec.get("where_instead_en", "")
        item.result = spec.get("result", {})
        item.conditions, item.conditions_en = spec.get("conditions", []), spec.get("conditions_en", [])
        item.form = spec.get("form", [])
        item.pinyin_initials, item.pinyin_full = initials, full
        session.add(item)
        session.flush()
        session.execute(delete(Material).where(Material.item_code == item.code))
        for position, m in enumerate(spec.get("materials", [])):
            session.add(Material(
                item_code=item.code, code=m["code"], name=m["name"], name_en=m["name_en"],
                necessity=m["necessity"], forms=m.get("forms", []), source=m.get("source", "applicant"),
                licence_type_code=m.get("licence_type_code", ""), copies=m.get("copies", 1),
                blank_form=bool(m.get("blank_form")), sample=bool(m.get("sample")), position=position,
            ))
    for b in data.get("bundles", []):
        session.merge(Bundle(code=b["code"], name=b["name"], name_en=b["name_en"], window_code=b["window"],
                             description=b.get("description", ""), description_en=b.get("description_en", ""),
                             item_codes=b["items"]))
    session.commit()
    return {"windows": len(data["windows"]), "departments": len(data["departments"]),
            "items": len(data["items"]), "bundles": len(data.get("bundles", []))}


def search_items(session: Session, query: str = "", window: str = "", type_: str = "",
                 audience: str = "", kiosk: bool | None = None) -> list[Item]:
    stmt = select(Item).order_by(Item.window_code, Item.code)
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
