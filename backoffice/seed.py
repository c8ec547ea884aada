"""Demo data: the catalogue, staff, the demo terminal, and demo cases in every state.

Cases are made through the real lifecycle (submit, then each staff action), so the demo
exercises the same rules as production; afterwards their times are dated back as the
seed file says, so timelines look lived-in."""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.county import CST
from domain.ids import make_licence_id
from domain.lifecycle import Action

from .auth import Caller
from .cases import Context, _recompute_deadline, apply_action, submit
from .catalogue import DEFAULT_CATALOGUE, load_catalogue
from .models import Bundle, Case, Item, Staff
from .security.crypto import hash_password
from .settings import REPO_ROOT
from .terminals import register

DEFAULT_SEED = REPO_ROOT / "assets" / "seed" / "demo.json"
SEED_CALLER = Caller("staff", "seed", role="admin")
STATUS_ACTIONS = {
    "accepted": Action.ACCEPT, "correction_required": Action.REQUEST_CORRECTION, "in_review": Action.ROUTE,
    "suspended": Action.SUSPEND, "decided": Action.APPROVE, "completed": Action.COMPLETE,
    "delivered": Action.DELIVER, "not_accepted": Action.REFUSE, "withdrawn": Action.WITHDRAW,
    "terminated": Action.TERMINATE,
}


def demo_password() -> str:
    """Demo staff sign in with this (BACKOFFICE_DEMO_PASSWORD); never used outside a demo."""
    return os.environ.get("BACKOFFICE_DEMO_PASSWORD", "chengmai-demo")


def seed_demo(session: Session, ctx: Context, path: Path = DEFAULT_SEED, catalogue: Path = DEFAULT_CATALOGUE,
              terminal_secret: str | None = None, today: dt.date | None = None) -> dict:
    """Idempotent: each part is seeded only when its table is empty. Returns counts and,
    when the demo terminal was registered, its secret."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out: dict = {}
    if not session.scalar(select(func.count()).select_from(Item)):
        out["catalogue"] = load_catalogue(session, catalogue, actor="system:seed")
    if not session.scalar(select(func.count()).select_from(Staff)):
        for s in data.get("staff", []):
            session.add(Staff(username=s["username"], password_hash=hash_password(demo_password()),
                              role=s["role"], department_code=s.get("department", "")))
        session.commit()
        out["staff"] = len(data.get("staff", []))
    terminal = data.get("terminal")
    if terminal and terminal_secret is not None:
        out["terminal_secret"] = register(session, ctx.vault, terminal["id"], terminal.get("name", ""),
                                          terminal.get("location", ""), "system:seed", secret=terminal_secret)
        session.commit()
    if not session.scalar(select(func.count()).select_from(Case)):
        people = {p["key"]: p for p in data["people"]}
        today = today or dt.datetime.now(CST).date()
        for spec in data["cases"]:
            _seed_case(session, ctx, spec, people[spec["applicant"]], today)
        session.commit()
        out["cases"] = len(data["cases"])
    return out


def _seed_case(session: Session, ctx: Context, spec: dict, person: dict, today: dt.date) -> None:
    if spec.get("bundle_code"):
        items = [session.get(Item, code) for code in session.get_one(Bundle, spec["bundle_code"]).item_codes]
    else:
        items = [session.get(Item, spec["item_code"])]
    payload = {
        "item_code": spec.get("item_code"), "bundle_code": spec.get("bundle_code"),
        "applicant": {"kind": "person", "document_number": person["document_number"], "name": person["name"]},
        "contact_phone": person.get("phone", "13807561234"),
        "answers": {}, "materials": [], "deferred": [],
    }
    bundle = len(items) > 1
    for item in items:
        payload["answers"].update(demo_answers(item.form or [], person["document_number"]))
        for m in item.materials:
            key = f"{item.code}/{m.code}" if bundle else m.code
            if m.necessity == "deferrable" and spec.get("deferred"):
                payload["deferred"].append(key)
            elif m.source == "e_licence" and m.licence_type_code:
                payload["materials"].append({"code": key, "form": "electronic", "licence_id": make_licence_id(
                    m.licence_type_code, ctx.settings.issuer_uscc, f"2019{len(payload['materials']):07d}", 1)})
            elif m.source != "data_sharing" and m.necessity != "optional":
                payload["materials"].append({"code": key, "form": m.forms[0] if m.forms else "copy",
                                             "copies": m.copies})
    payload["commitment_signed"] = bool(payload["deferred"])
    caller = Caller("terminal", "CM-KIOSK-0001") if "自助终端" in spec["timeline"][0]["note"] else SEED_CALLER
    case = submit(session, ctx, payload, caller)
    for step in spec["timeline"][1:]:
        action = STATUS_ACTIONS[step["status"]]
        params = {"note": step.get("note", ""), "note_en": step.get("note_en", ""),
                  "deficiencies": step.get("deficiencies")}
        if action in (Action.APPROVE,) and case.parts:
            for part in case.parts:
                apply_action(session, ctx, case, Action.APPROVE, {"part": part.item_code}, SEED_CALLER)
            continue
        apply_action(session, ctx, case, action, params, SEED_CALLER)
        for part_code in step.get("parts_approved", []):
            apply_action(session, ctx, case, Action.APPROVE, {"part": part_code, "note": "准予", "note_en": "Approved"},
                         SEED_CALLER)
    case.number = spec["number"]
    case.tracking_token = ctx.signer.issue("case", case.number, ttl_s=ctx.settings.tracking_token_days * 86400)
    _date_back(case, spec["timeline"], today)
    _recompute_deadline(case, ctx.calendar)
    session.flush()


def _date_back(case: Case, timeline: list[dict], today: dt.date) -> None:
    times = [_utc(today, step) for step in timeline]
    case.received_at = times[0]
    for index, event in enumerate(case.events):
        event.at = times[min(index, len(times) - 1)]
        if index < len(timeline) and timeline[index].get("note"):
            event.note = timeline[index]["note"]
            event.note_en = timeline[index].get("note_en", "")
    if case.completed_at is not None:
        done = [t for step, t in zip(timeline, times) if step["status"] == "completed"]
        case.completed_at = done[0] if done else case.completed_at


def _utc(today: dt.date, when: dict) -> dt.datetime:
    """The seed's "that many days ago at that time", in the county's time, as stored (UTC);
    never later than now: just after the county's midnight, "today at 09:00" has not come."""
    hour, minute = (int(x) for x in when.get("time", "09:00").split(":"))
    local = dt.datetime.combine(today - dt.timedelta(days=when["day"]), dt.time(hour, minute), CST)
    now = dt.datetime.now(dt.timezone.utc)
    return min(local.astimezone(dt.timezone.utc), now).replace(tzinfo=None)


def demo_answers(form: list[dict], document_number: str) -> dict:
    """Plausible answers for an item's form schema, by field type, for a demo applicant
    (also used by the tests and the load benchmark to build valid applications)."""
    answers = {}
    for field in form:
        kind, fmt = field.get("datatype"), field.get("format", "")
        if kind == "singlevaluelist":
            value = field["values"][0]["key"]
        elif kind == "multivaluelist":
            value = [field["values"][0]["key"]]
        elif kind == "number":
            value = 1
        elif kind == "datetime":
            value = "2026-11-01T09:00:00+08:00"
        elif fmt == "phone":
            value = "13807561234"
        elif fmt == "id_number":
            value = document_number
        elif fmt == "credit_code":
            value = "91469023MA5T0000X0"
        else:
            value = "演示"
        answers[field["code"]] = value
    return answers
