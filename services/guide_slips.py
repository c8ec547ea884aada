"""An item's guide (一次性告知) in print: a receipt-printer summary as a SlipDocument, and
the A4 guide's model (services.documents.guide.ItemGuide) from the catalogue's JSON. The
badge words for a material live here so the screen, the slip and the A4 page agree."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from domain.i18n import N_
from domain.slips import Field, Heading, Line, Rule, SlipDocument

from .documents.guide import GuideMaterial, ItemGuide

Translate = Callable[[str], str]

BADGE_REQUIRED = N_("Required")
BADGE_OPTIONAL = N_("Optional")
BADGE_DEFERRABLE = N_("容缺 allowed: may be supplied later")
BADGE_E_LICENCE = N_("No paper needed: from your e-licence")
BADGE_SHARED = N_("Shared by departments, nothing to bring")
FORMS = {"original": N_("Original"), "copy": N_("Copy"), "electronic": N_("Electronic")}
TYPES_EN = {"01": "Administrative licensing", "05": "Administrative payment", "07": "Administrative confirmation",
            "08": "Administrative reward", "09": "Administrative adjudication",
            "10": "Other administrative power", "20": "Public service"}


def _loc(obj: dict | None, key: str, english: bool) -> str:
    if not obj:
        return ""
    if english and obj.get(f"{key}_en"):
        return str(obj[f"{key}_en"])
    return str(obj.get(key) or "")


def material_badges(material: dict) -> list[str]:
    """Message ids, most important first: what the citizen must do about this material."""
    badges = []
    necessity, source = material.get("necessity"), material.get("source")
    if source == "data_sharing":
        badges.append(BADGE_SHARED)
    elif source == "e_licence":
        badges.append(BADGE_E_LICENCE)
    if necessity == "deferrable":
        badges.append(BADGE_DEFERRABLE)
    elif necessity == "optional":
        badges.append(BADGE_OPTIONAL)
    elif source not in ("data_sharing", "e_licence"):
        badges.append(BADGE_REQUIRED)
    return badges


def fees_text(guide: dict, _: Translate, english: bool) -> str:
    fees = guide.get("fees") or []
    parts = []
    for fee in fees:
        name, standard = _loc(fee, "name", english), _loc(fee, "standard", english)
        text = name if standard in ("", "0") else f"{name} {standard}"
        exemption = _loc(fee, "exemption", english)
        parts.append(f"{text}（{exemption}）" if exemption else text)
    return "；".join(parts) or _("Free of charge")


def promised_text(days: int, date: dt.date | None, _: Translate) -> str:
    text = _("{days} working days").format(days=days)
    if date is not None:
        return text + "，" + _("by {date} if you apply today").format(date=date.isoformat())
    return text + "，" + _("the date will be confirmed")


def guide_slip(guide: dict, promised: dt.date | None, terminal_id: str, now: dt.datetime,
               _: Translate, english: bool = False) -> SlipDocument:
    blocks: list = [
        Line(_loc(guide, "name", english), align="center"),
        Rule(),
        Field(_("Item code"), str(guide.get("code", ""))),
        Field(_("Department"), _loc(guide.get("department"), "name", english)),
        Field(_("Promised time limit"), promised_text(int(guide.get("promised_days", 0)), promised, _)),
        Field(_("Legal time limit"), _("{days} working days").format(days=guide.get("legal_days", 0))),
        Field(_("Visits required"), str(guide.get("visits", 1))),
        Field(_("Fees"), fees_text(guide, _, english)),
        Rule(),
        Heading(_("Materials")),
    ]
    for i, m in enumerate(guide.get("materials") or [], 1):
        blocks.append(Line(f"{i}. {_loc(m, 'name', english)}"))
        blocks.append(Line("   " + "；".join(_(b) for b in material_badges(m))))
    if not guide.get("kiosk") and _loc(guide, "where_instead", english):
        blocks += [Rule(), Heading(_("Where to apply")), Line(_loc(guide, "where_instead", english))]
    blocks += [
        Rule(),
        Line(_("Hotline {hotline}").format(hotline="12345"), align="center"),
        Line(f"{_('Terminal')} {terminal_id}  {now:%Y-%m-%d %H:%M}", align="center"),
    ]
    return SlipDocument(title=_("Service guide"), blocks=tuple(blocks), printed_at=now)


def guide_for_pdf(guide: dict, _: Translate, english: bool = False) -> ItemGuide:
    materials = []
    for m in guide.get("materials") or []:
        forms = m.get("forms") or ["original"]
        materials.append(GuideMaterial(
            name=_loc(m, "name", english), necessity=str(m.get("necessity", "required")),
            form=forms[0] if forms[0] in FORMS else "original", copies=int(m.get("copies", 1)),
            note="；".join(_(b) for b in material_badges(m) if b in (BADGE_E_LICENCE, BADGE_SHARED))))
    conditions = guide.get("conditions_en" if english and guide.get("conditions_en") else "conditions") or []
    return ItemGuide(
        item_code=str(guide.get("code", "")), name=_loc(guide, "name", english),
        item_type=TYPES_EN.get(guide.get("type", ""), "") if english else str(guide.get("type_name", "")),
        department=_loc(guide.get("department"), "name", english),
        legal_days=int(guide.get("legal_days", 0)), promised_days=int(guide.get("promised_days", 0)),
        visits=int(guide.get("visits", 1)), fees=fees_text(guide, _, english),
        conditions=tuple(conditions), materials=tuple(materials), channels=tuple(guide.get("channels") or ()))
