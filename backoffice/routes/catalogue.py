"""The catalogue: seven windows, items with filters and search, an item's full guide
(一次性告知), "一件事" bundles, and the version of the catalogue (kiosks compare their copy's).
Public: guides are published information. What the last catalogue load retired is gone
from every list here, and a retired item's guide is 404 "no longer offered"; cases that
name it keep their names and materials (cases.py)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..auth import get_db
from ..catalogue import current_version, search_items
from ..errors import NotFound
from ..models import Bundle, Item, Window
from ..openapi_docs import answers, problems
from ..schemas.catalogue import BundlesOut, CatalogueVersionOut, ItemGuideOut, ItemsOut, TypesOut, WindowsOut

router = APIRouter(prefix="/v1/catalogue", tags=["catalogue"])
TYPES = {"01": ("行政许可", "Administrative licensing"), "05": ("行政给付", "Administrative payment"),
         "07": ("行政确认", "Administrative confirmation"), "08": ("行政奖励", "Administrative reward"),
         "09": ("行政裁决", "Administrative adjudication"), "10": ("其他行政权力", "Other administrative power"),
         "20": ("公共服务", "Public service")}


def item_summary(item: Item) -> dict:
    return {"code": item.code, "name": item.name, "name_en": item.name_en, "type": item.type,
            "type_name": TYPES.get(item.type, ("", ""))[0], "window": item.window_code,
            "department_code": item.department_code, "audience": item.audience, "kiosk": item.kiosk,
            "promised_days": item.promised_days, "visits": item.visits,
            # so a kiosk's offline copy of the catalogue searches as the back office does
            "pinyin_initials": item.pinyin_initials, "pinyin_full": item.pinyin_full}


def item_guide(item: Item) -> dict:
    body = item_summary(item)
    body.update({
        "level": item.level, "legal_days": item.legal_days, "fees": item.fees, "channels": item.channels,
        "where_instead": item.where_instead, "where_instead_en": item.where_instead_en,
        "result": item.result, "conditions": item.conditions, "conditions_en": item.conditions_en,
        "department": {"code": item.department.code, "name": item.department.name,
                       "name_en": item.department.name_en} if item.department else None,
        "materials": [{"code": m.code, "name": m.name, "name_en": m.name_en, "necessity": m.necessity,
                       "forms": m.forms, "source": m.source, "licence_type_code": m.licence_type_code,
                       "copies": m.copies, "blank_form": m.blank_form, "sample": m.sample} for m in item.materials],
        "form": item.form,
    })
    return body


@router.get("/windows", responses=answers(WindowsOut))
def windows(session: Session = Depends(get_db)):
    rows = session.scalars(select(Window).where(Window.retired_at.is_(None)).order_by(Window.position))
    return {"windows": [{"code": w.code, "name": w.name, "name_en": w.name_en} for w in rows]}


@router.get("/types", responses=answers(TypesOut))
def types():
    return {"types": [{"code": k, "name": v[0], "name_en": v[1]} for k, v in TYPES.items()]}


@router.get("/items", responses=answers(ItemsOut))
def items(q: str = Query("", max_length=50), window: str = "", type: str = "",
          audience: str = Query("", pattern="^(|person|company)$"), kiosk: bool | None = None,
          session: Session = Depends(get_db)):
    """Filter by window, 6+1 type, audience and kiosk eligibility; `q` searches Chinese
    names, pinyin initials ("spjy"), full pinyin and English names."""
    found = search_items(session, q, window, type, audience, kiosk)
    return {"items": [item_summary(i) for i in found], "count": len(found)}


@router.get("/items/{code}", responses={**answers(ItemGuideOut), **problems(404)})
def guide(code: str, session: Session = Depends(get_db)):
    item = session.scalar(select(Item).where(Item.code == code).options(selectinload(Item.materials)))
    if item is None:
        raise NotFound(f"no item {code}")
    if item.retired_at is not None:
        raise NotFound(f"item {code} is no longer offered")
    return item_guide(item)


@router.get("/bundles", responses=answers(BundlesOut))
def bundles(session: Session = Depends(get_db)):
    out = []
    for b in session.scalars(select(Bundle).where(Bundle.retired_at.is_(None)).order_by(Bundle.code)):
        members = [i for i in (session.get(Item, c) for c in b.item_codes) if i is not None and i.retired_at is None]
        out.append({"code": b.code, "name": b.name, "name_en": b.name_en, "window": b.window_code,
                    "description": b.description, "description_en": b.description_en,
                    "items": [item_summary(i) for i in members],
                    "promised_days": max((i.promised_days for i in members), default=0)})
    return {"bundles": out}


@router.get("/version", responses=answers(CatalogueVersionOut))
def version(session: Session = Depends(get_db)):
    """The catalogue's current version: kiosks whose copy is older fetch it again (the
    heartbeat's answer carries the number too). Number 0 before the first load."""
    current = current_version(session)
    if current is None:
        return {"number": 0, "sha256": "", "loaded_at": None, "added": 0, "changed": 0, "retired": 0}
    return {"number": current.number, "sha256": current.sha256, "loaded_at": current.loaded_at.isoformat() + "Z",
            "added": current.added, "changed": current.changed, "retired": current.retired}
