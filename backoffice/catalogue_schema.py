"""The shape of the catalogue data file (assets/seed/catalogue.json), as pydantic models.

Pydantic rather than a JSON Schema file: the back office already depends on it, and the
same models give every problem with its path at once (catalogue_check.py turns them into
plain words); `catalogue_json_schema()` still hands editors a JSON Schema made from them.
Everything is strict (no "3" for 3, no 1 for true) and unknown keys are refused, so a
misspelt key is reported instead of silently falling back to its default."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

ItemType = Literal["01", "05", "07", "08", "09", "10", "20"]  # the "6+1" types of administrative power
Necessity = Literal["required", "deferrable", "optional"]
MaterialForm = Literal["original", "copy", "electronic"]
MaterialSource = Literal["applicant", "e_licence", "data_sharing"]
Audience = Literal["person", "company"]
Channel = Literal["kiosk", "online", "window", "appointment", "delivery"]
ResultType = Literal["licence", "approval", "certificate", "payment", "record", "none"]
FieldType = Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
FieldFormat = Literal["", "phone", "id_number", "credit_code", "date"]

Text = Annotated[str, StringConstraints(min_length=1)]  # names and codes: present and not empty


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class WindowSpec(Strict):
    code: str = Field(min_length=1, max_length=8)
    name: Text
    name_en: Text


class DepartmentSpec(Strict):
    code: str = Field(min_length=1, max_length=16)
    name: Text
    name_en: Text


class FeeSpec(Strict):
    name: str
    standard: str
    exemption: str
    name_en: str = ""
    standard_en: str = ""
    exemption_en: str = ""


class ResultSpec(Strict):
    name: Text
    name_en: Text
    type: ResultType
    licence_type_code: str = ""


class ChoiceSpec(Strict):
    key: Text
    name: Text
    name_en: Text


class FormFieldSpec(Strict):
    code: Text
    label: Text
    label_en: Text
    datatype: FieldType
    format: FieldFormat = ""
    required: bool = False
    values: list[ChoiceSpec] = []


class MaterialSpec(Strict):
    code: str = Field(min_length=1, max_length=16)
    name: Text
    name_en: Text
    necessity: Necessity
    forms: list[MaterialForm] = []
    source: MaterialSource = "applicant"
    licence_type_code: str = Field("", max_length=32)
    copies: int = Field(1, ge=0)
    blank_form: bool = False
    sample: bool = False


class ItemSpec(Strict):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=300)
    type: ItemType
    level: str = Field("county", min_length=1, max_length=16)
    window: Text
    department: Text
    audience: list[Audience] = []
    legal_days: int = Field(ge=0)
    promised_days: int = Field(ge=0)
    visits: int = Field(0, ge=0)
    fees: list[FeeSpec] = []
    channels: list[Channel] = []
    kiosk: bool = True
    where_instead: str = ""
    where_instead_en: str = ""
    result: ResultSpec | None = None
    conditions: list[str] = []
    conditions_en: list[str] = []
    materials: list[MaterialSpec] = []
    form: list[FormFieldSpec] = []


class BundleSpec(Strict):
    code: str = Field(min_length=1, max_length=16)
    name: Text
    name_en: Text
    window: Text
    items: list[str] = Field(min_length=1)
    description: str = ""
    description_en: str = ""


class CatalogueSpec(Strict):
    """The whole file. Top-level keys starting with "_" are comments (catalogue_check
    drops them before validating)."""
    windows: list[WindowSpec] = Field(min_length=1)
    departments: list[DepartmentSpec] = Field(min_length=1)
    items: list[ItemSpec] = Field(min_length=1)
    bundles: list[BundleSpec] = []


def catalogue_json_schema() -> dict[str, Any]:
    """The file's JSON Schema (draft 2020-12, as pydantic writes it), for editors and tools;
    assets/seed/catalogue.schema.json is this, written by `python -m backoffice.catalogue_schema`."""
    schema = CatalogueSpec.model_json_schema()
    schema["patternProperties"] = {"^_": {}}  # the "_comment" keys, which the models never see
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


if __name__ == "__main__":
    import json

    print(json.dumps(catalogue_json_schema(), ensure_ascii=False, indent=2))
