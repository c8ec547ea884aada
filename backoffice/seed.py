"""Loads demo people's cases from a JSON data file (assets/seed/demo.json)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.domain.cases import CaseStatus
from kiosk.domain.ids import mask_name

from . import models
from .privacy import applicant_lookup
from .schemas import CST
from .settings import REPO_ROOT

DEFAULT_SEED = REPO_ROOT / "assets" / "seed" / "demo.json"


def seed_demo(session: Session, lookup_key: bytes, path: Path = DEFAULT_SEED,
              today: dt.date | None = None) -> int:
    """Insert the demo cases unless the database already has cases; returns how many."""
    if session.scalar(select(func.count()).select_from(models.Case)):
        return 0
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    today = today or dt.datetime.now(CST).date()
    people = {p["key"]: p for p in data["people"]}
    for spec in data["cases"]:
        person = people[spec["applicant"]]
        case = models.Case(
            number=spec["number"],
            item_code=spec["item_code"],
            item_name=spec["item_name"],
            applicant_lookup=applicant_lookup(lookup_key, person["document_number"]),
            applicant_masked=mask_name(person["name"]),
            status=CaseStatus(spec["status"]).value,
            department=spec["department"],
            received_at=_utc(today, spec["received"]),
            promised_date=today - dt.timedelta(days=spec["promised"]["day"]),
        )
        for step in spec["timeline"]:
            case.events.append(
                models.CaseEvent(
                    at=_utc(today, step),
                    status=CaseStatus(step["status"]).value,
                    department=step["department"],
                    note=step.get("note", ""),
                )
            )
        session.add(case)
    session.commit()
    return len(data["cases"])


def _utc(today: dt.date, when: dict) -> dt.datetime:
    """A relative CST moment from the seed file as naive UTC, the way the database keeps it."""
    hour, minute = (int(x) for x in when.get("time", "09:00").split(":"))
    local = dt.datetime.combine(today - dt.timedelta(days=when["day"]), dt.time(hour, minute), CST)
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)
