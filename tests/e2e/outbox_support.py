"""Applicants and applications for the outbox's chaos tests: one fresh applicant per
submission, so "exactly once" is the applicant's case count in the back office."""
from __future__ import annotations

from domain.ids import resident_id_check_char
from tests.api.submissions import application

FOOD = "469023-XK-SCJG-0031"


def applicant(n: int) -> dict:
    first17 = f"469023{1950 + n % 50:04d}0101{n % 1000:03d}"
    return {"kind": "person", "document_number": first17 + resident_id_check_char(first17), "name": "测试人"}


def application_for(guide: dict, person: dict) -> dict:
    return application(guide, person)
