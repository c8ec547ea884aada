"""The catalogue on the wire (routes/catalogue.py). Fees, forms and results are the
county's catalogue content as loaded: their usual members are listed, others may follow."""
from __future__ import annotations

from typing import Any, Literal

from .wire import Open, Wire

Audience = Literal["person", "company"]


class NamedOut(Wire):
    code: str
    name: str
    name_en: str


class WindowsOut(Wire):
    windows: list[NamedOut]


class TypesOut(Wire):
    types: list[NamedOut]  # the 6+1 types of administrative power


class ItemSummaryOut(Wire):
    code: str
    name: str
    name_en: str
    type: str
    type_name: str  # "" for a type code the back office does not know
    window: str
    department_code: str
    audience: list[Audience]
    kiosk: bool  # may be submitted at a self-service terminal
    promised_days: int
    visits: int
    pinyin_initials: str
    pinyin_full: str


class ItemsOut(Wire):
    items: list[ItemSummaryOut]
    count: int


class FeeOut(Open):
    name: str = ""
    name_en: str = ""
    standard: str = ""
    standard_en: str = ""
    exemption: str = ""
    exemption_en: str = ""


class FormFieldOut(Open):
    """A field of the application form the kiosk shows."""
    code: str
    label: str = ""
    label_en: str = ""
    datatype: str = "string"  # string, number, singlevaluelist, multivaluelist, datetime
    format: str = ""
    required: bool = False
    values: list[dict[str, Any]] = []  # the choices of a list field, each with its `key`


class ResultOut(Open):
    name: str = ""
    name_en: str = ""
    type: str = ""
    licence_type_code: str = ""  # an e-licence is issued on completion


class DepartmentOut(Wire):
    code: str
    name: str
    name_en: str


class GuideMaterialOut(Wire):
    code: str
    name: str
    name_en: str
    necessity: Literal["required", "optional", "deferrable"]
    forms: list[str]
    source: Literal["applicant", "e_licence", "data_sharing"]
    licence_type_code: str
    copies: int
    blank_form: bool
    sample: bool


class ItemGuideOut(ItemSummaryOut):
    """一次性告知: everything an applicant needs to know, at once."""
    level: str
    legal_days: int
    fees: list[FeeOut]
    channels: list[str]
    where_instead: str
    where_instead_en: str
    result: ResultOut
    conditions: list[str]
    conditions_en: list[str]
    department: DepartmentOut | None
    materials: list[GuideMaterialOut]
    form: list[FormFieldOut]


class BundleOut(Wire):
    """A "一件事" bundle: several items applied for at once."""
    code: str
    name: str
    name_en: str
    window: str
    description: str
    description_en: str
    items: list[ItemSummaryOut]
    promised_days: int


class BundlesOut(Wire):
    bundles: list[BundleOut]


class CatalogueVersionOut(Wire):
    number: int  # 0 before the first load
    sha256: str  # of the data file loaded
    loaded_at: str | None
    added: int  # windows, items and bundles the load added, changed (or brought back) and retired
    changed: int
    retired: int
