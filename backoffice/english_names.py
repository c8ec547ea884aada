"""English names of what cases refer to: items, bundles, departments, e-licences.

A case keeps its names in Chinese, as they were when it happened; the kiosk's English
screens need the catalogue's English names beside them. They are loaded once per answer
(three small queries however many cases it lists), never once per case."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from .cases import FRONT_DESK, FRONT_DESK_EN
from .catalogue_cache import DEPARTMENT_NAMES, CatalogueVersionView
from .models import Bundle, Case, Item, Licence, Material

# How the back office joins the departments of a parallel review (并联审批) into one name.
JOINED_ZH, JOINED_EN = "、", "; "


@dataclass(frozen=True)
class EnglishNames:
    items: dict[str, str] = field(default_factory=dict)  # item code -> English name
    bundles: dict[str, str] = field(default_factory=dict)  # bundle code -> English name
    departments: dict[str, str] = field(default_factory=dict)  # Chinese department name -> English name
    licences: dict[str, str] = field(default_factory=dict)  # e-licence type code -> English name
    materials: dict[tuple[str, str], str] = field(default_factory=dict)  # (item code, material code) -> name

    @classmethod
    def for_cases(cls, session: Session, cases: Iterable[Case]) -> EnglishNames:
        """For case summaries (their parts are not touched: no lazy load per case)."""
        cases = list(cases)
        return cls.load(session, {c.item_code for c in cases}, {c.bundle_code for c in cases})

    @classmethod
    def for_case(cls, session: Session, case: Case) -> EnglishNames:
        """For one case's detail or receipt: the items of its parts and the materials too."""
        item_codes = {case.item_code, *(p.item_code for p in case.parts)}
        names = cls.load(session, item_codes, {case.bundle_code})
        materials = _rows(session, select(Material.item_code, Material.code, Material.name_en), Material.item_code,
                          item_codes)
        return replace(names, materials={(item, code): name for item, code, name in materials})

    @classmethod
    def for_submission(cls, session: Session, items: list[Item], bundle: Bundle | None,
                       catalogue: CatalogueVersionView | None = None) -> EnglishNames:
        """For a case just checked: as for_case, from the catalogue entries the check
        loaded (their materials too), the departments from the server's catalogue view."""
        return cls(items={i.code: i.name_en for i in items}, bundles={bundle.code: bundle.name_en} if bundle else {},
                   departments=_departments(session, catalogue), licences=_licences((i.result for i in items)),
                   materials={(i.code, m.code): m.name_en for i in items for m in i.materials})

    @classmethod
    def load(cls, session: Session, item_codes: set[str | None], bundle_codes: set[str | None]) -> EnglishNames:
        items = _rows(session, select(Item.code, Item.name_en, Item.result), Item.code, item_codes)
        bundles = _rows(session, select(Bundle.code, Bundle.name_en), Bundle.code, bundle_codes)
        return cls(items={code: name for code, name, _result in items}, bundles=dict(bundles),
                   departments=_departments(session), licences=_licences(result for _code, _name, result in items))

    def item(self, case: Case) -> str:
        """The item's, or for a "一件事" case the bundle's, English name."""
        if case.bundle_code:
            return self.bundles.get(case.bundle_code, "")
        return self.items.get(case.item_code or "", "")

    def part(self, item_code: str) -> str:
        return self.items.get(item_code, "")

    def department(self, name: str) -> str:
        """By the Chinese name a case or timeline entry keeps (a parallel review's names
        one by one); "" unless every one is known, so the kiosk falls back to the Chinese."""
        english = [self.departments.get(part, "") for part in name.split(JOINED_ZH)]
        return JOINED_EN.join(english) if all(english) else ""

    def licence(self, licence: Licence) -> str:
        return self.licences.get(licence.type_code, "")

    def material(self, case: Case, material_code: str) -> str:
        """A case material's English name; in a bundle its code is "ITEM-CODE/M01"."""
        item_code, _slash, code = material_code.rpartition("/")
        return self.materials.get((item_code or case.item_code or "", code), "")


def _departments(session: Session, catalogue: CatalogueVersionView | None = None) -> dict[str, str]:
    names = catalogue.department_names(session) if catalogue is not None else \
        dict(session.execute(DEPARTMENT_NAMES).all())
    return {**names, FRONT_DESK[1]: FRONT_DESK_EN}  # the intake window is no catalogue department


def _licences(results: Iterable[dict | None]) -> dict[str, str]:
    """E-licence type code -> English name, from items' results."""
    return {(result or {}).get("licence_type_code", ""): (result or {}).get("name_en", "") for result in results}


def _rows(session: Session, query, key, codes: set[str | None]) -> list[tuple]:
    wanted = sorted(code for code in codes if code)
    return session.execute(query.where(key.in_(wanted))).all() if wanted else []
