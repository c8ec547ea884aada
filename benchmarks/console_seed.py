"""A county's worth of cases written straight into a back office's PostgreSQL database
with COPY, for the console benchmark: a hundred thousand cases take seconds this way, where
submitting them over HTTP would take hours.

The spread is a county's after two years: cases received every day over 730 days, most of
the old ones delivered or otherwise closed, a few still open long past their promised date,
the recent ones across the lifecycle (received, accepted, in review, awaiting correction,
suspended, decided, completed); every department's items; 一件事 bundles with parts in
review; 容缺 materials with their commitments; each case's timeline; ratings of delivered
cases, the bad ones with their rectifications; terminals with heartbeats, open and cleared
alerts and long command histories, some still queued. Personal data is as the back office
keeps it: keyed lookups and masked forms (the ciphertexts stay empty: no page decrypts a
seeded case's applicant).

The catalogue, the staff and the demo's own cases come from the server's `--seed-demo`; this
adds to them, with case numbers above the daily counters (which it moves on) so cases
submitted afterwards get fresh numbers."""
from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import psycopg

from backoffice.cases import FRONT_DESK
from domain.county import CST
from domain.workdays import CalendarUnknown, default_calendar

DAYS = 730  # received dates over two years
RECENT_DAYS = 45  # cases received within this many days are mostly still in hand
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
REASONS = ["态度差", "等待时间长", "材料要求不清", "一次性告知不到位", "办理超时", "系统故障"]
# (status, weight) for cases received recently, and for older ones (most long closed; the few
# still open are overdue, as a county's backlog is).
RECENT = [("received", 12), ("accepted", 14), ("in_review", 30), ("correction_required", 8), ("suspended", 4),
          ("decided", 8), ("completed", 10), ("delivered", 10), ("not_accepted", 2), ("withdrawn", 2)]
OLDER = [("delivered", 82), ("completed", 1.5), ("not_accepted", 5), ("withdrawn", 5), ("terminated", 4),
         ("in_review", 0.6), ("accepted", 0.2), ("suspended", 0.4), ("correction_required", 0.3)]
ON_TIME = 0.85  # of the recent cases whose promised date has passed, the share already settled
PATHS = {  # the statuses a case went through to reach its own, for its timeline
    "received": ["received"], "not_accepted": ["received", "not_accepted"],
    "withdrawn": ["received", "withdrawn"], "correction_required": ["received", "correction_required"],
    "accepted": ["received", "accepted"], "in_review": ["received", "accepted", "in_review"],
    "suspended": ["received", "accepted", "in_review", "suspended"],
    "decided": ["received", "accepted", "in_review", "decided"],
    "completed": ["received", "accepted", "in_review", "decided", "completed"],
    "delivered": ["received", "accepted", "in_review", "decided", "completed", "delivered"],
    "terminated": ["received", "accepted", "in_review", "terminated"],
}
OPEN = {"received", "accepted", "in_review", "correction_required", "suspended", "decided"}
COMMANDS = ["restart", "refresh_catalogue", "send_outbox", "upload_diagnostics", "out_of_service", "in_service"]


@dataclass
class Seeded:
    """What the benchmark needs to find again: a case per role to open, a terminal."""
    cases: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    in_review: dict[str, str] = field(default_factory=dict)  # department code -> a case in review there
    front_desk: str = ""  # a received case (a clerk may open it)
    closed: str = ""  # a delivered case with its whole timeline (supervisors open any)
    terminal: str = ""  # a terminal with a long command history, some still queued


def psycopg_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


class _Ids:
    """Explicit ids per table (children name their parents), from each table's current max."""

    def __init__(self, conn: psycopg.Connection, tables: Iterable[str]):
        self.next = {t: conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {t}").fetchone()[0] for t in tables}

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


def _copy(conn: psycopg.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    count = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


class _Promised:
    """Promised dates on the official working-day calendar, each (day, days) worked out once."""

    def __init__(self):
        self.calendar, self.known = default_calendar(), {}

    def date(self, received: dt.date, days: int) -> dt.date:
        key = (received, days)
        if key not in self.known:
            try:
                self.known[key] = self.calendar.add_working_days(received, days)
            except CalendarUnknown:
                self.known[key] = received + dt.timedelta(days=days * 7 // 5 + 1)
        return self.known[key]


def seed(database_url: str, cases: int, terminals: int = 60, commands_per_terminal: int = 400,
         seed_value: int = 2026) -> Seeded:
    rnd = random.Random(seed_value)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    today = dt.datetime.now(CST).date()
    out = Seeded(cases=cases)
    with psycopg.connect(psycopg_url(database_url)) as conn:
        items = _items(conn)
        bundles = _bundles(conn, items)
        ids = _Ids(conn, ["cases", "case_events", "case_materials", "case_parts", "ratings", "rectifications",
                          "terminal_commands", "alerts"])
        applicants = [(f"{rnd.getrandbits(256):064x}", rnd.choice(SURNAMES) + "*" + rnd.choice(SURNAMES))
                      for _ in range(max(50, cases // 3))]
        promised = _Promised()
        case_rows, event_rows, material_rows, part_rows, rating_rows, rect_rows = [], [], [], [], [], []
        per_day: dict[str, int] = {}
        for n in range(cases):
            age = int(rnd.random() ** 1.3 * DAYS)  # more cases lately, as the kiosks spread
            received_day = today - dt.timedelta(days=age)
            received_at = (dt.datetime.combine(received_day, dt.time(8, 0)) + dt.timedelta(
                seconds=rnd.randrange(10 * 3600)) - dt.timedelta(hours=8))  # 08:00-18:00 CST, as UTC
            status = _weighted(rnd, RECENT if age < RECENT_DAYS else OLDER)
            bundle = bundles and rnd.random() < 0.02 and status in OPEN | {"completed", "delivered"}
            if bundle:
                code, name, parts = rnd.choice(bundles)
                item = parts[0]
                item_code, bundle_code, item_name = None, code, name
                department_code, department_name = FRONT_DESK
            else:
                item = rnd.choice(items)
                item_code, bundle_code, item_name = item["code"], None, item["name"]
                department_code, department_name = item["department_code"], item["department_name"]
            prefix = received_day.strftime("%Y%m%d")
            per_day[prefix] = per_day.get(prefix, 0) + 1
            number = f"469023-{prefix}-{per_day[prefix] + 50000:05d}"
            case_id = ids.take("cases")
            promised_date = promised.date(received_day, item["promised_days"])
            if status in OPEN and promised_date < today and age < RECENT_DAYS and rnd.random() < ON_TIME:
                status = "delivered"  # most cases are settled within their promised time
            deferred = any(m["necessity"] == "deferrable" for m in item["materials"]) and rnd.random() < 0.25
            deferred_pending = deferred and status in OPEN
            deferred_due = promised.date(received_day, 5) if deferred else None
            if deferred_pending and status in ("accepted", "in_review") and age < RECENT_DAYS:
                deferred_due = today + dt.timedelta(days=rnd.randrange(-2, 8))  # some coming due, a few expired
            path = PATHS[status]
            step = max(1, (min(age, 20) * 86400) // max(1, len(path)))
            times = [received_at + dt.timedelta(seconds=i * rnd.randrange(step // 2 + 1, step + 2)) for i in
                     range(len(path))]
            times = [min(t, now - dt.timedelta(minutes=len(path) - i)) for i, t in enumerate(times)]
            completed_at = times[path.index("completed")] if "completed" in path else None
            lookup, masked = rnd.choice(applicants)
            case_rows.append((
                case_id, number, item_code, bundle_code, item_name, status,
                "approved" if "decided" in path else "", department_code, department_name,
                "kiosk" if rnd.random() < 0.7 else "counter", "", "person", lookup, masked,
                f"4690********{rnd.randrange(10000):04d}", f"139****{rnd.randrange(10000):04d}", received_at,
                received_day if "accepted" in path else None, item["promised_days"], promised_date, False,
                received_day if status in ("suspended", "correction_required") else None, 0, deferred_pending,
                deferred_due, deferred, None, status in OPEN and today > promised_date, completed_at,
                "card_read" if rnd.random() < 0.1 else "sms_on_file", 1, "", "", "", "", ""))
            for i, (state, at) in enumerate(zip(path, times)):
                event_rows.append((ids.take("case_events"), case_id, at, "" if i == 0 else state, state,
                                   department_name, "", "", "terminal:CM-KIOSK-0001" if i == 0 else "staff:clerk01"))
            for m in item["materials"][:4]:
                is_deferred = deferred and m["necessity"] == "deferrable"
                material_rows.append((ids.take("case_materials"), case_id, m["code"], m["name"],
                                      (m["forms"] or ["copy"])[0], m["copies"], "", is_deferred,
                                      deferred_due if is_deferred else None,
                                      None if is_deferred and deferred_pending else received_at, "", ""))
            if bundle:
                for part in parts:
                    part_status = "in_review" if status == "in_review" else \
                        "approved" if status in ("decided", "completed", "delivered") else "pending"
                    part_rows.append((ids.take("case_parts"), case_id, part["code"], part["name"],
                                      part["department_code"], part_status, ""))
            if status == "delivered" and rnd.random() < 0.4:
                level = _weighted(rnd, [(5, 70), (4, 15), (3, 7), (2, 4), (1, 4)])
                rating_id = ids.take("ratings")
                rated_at = times[-1] + dt.timedelta(minutes=rnd.randrange(1, 600))
                reasons = rnd.sample(REASONS, rnd.randrange(1, 3)) if level <= 2 else []
                rating_rows.append((rating_id, case_id, level, json.dumps(reasons, ensure_ascii=False), "",
                                    "kiosk", "", min(rated_at, now), department_code))
                if level <= 2:
                    rated_day = received_day + dt.timedelta(days=min(age, 20))
                    state = ("open" if rnd.random() < 0.5 else "called_back") if age < RECENT_DAYS else \
                        _weighted(rnd, [("closed", 70), ("rectified", 25), ("appealed", 5)])
                    rect_rows.append((ids.take("rectifications"), rating_id, state,
                                      promised.date(rated_day, 1), promised.date(rated_day, 5), "", "", ""))
            if status == "received" and not bundle and not out.front_desk:
                out.front_desk = number
            if status == "in_review" and not bundle:
                out.in_review.setdefault(department_code, number)
            if status == "delivered" and not bundle and age > 60:
                out.closed = out.closed or number
        rows = out.rows
        rows["cases"] = _copy(conn, "cases", [
            "id", "number", "item_code", "bundle_code", "item_name", "status", "decision", "department_code",
            "department_name", "channel", "terminal_id", "applicant_kind", "applicant_lookup", "applicant_masked",
            "applicant_id_masked", "phone_masked", "received_at", "accepted_on", "promised_days", "promised_date",
            "promised_date_pending", "paused_on", "paused_working_days", "deferred_pending", "deferred_due",
            "commitment_signed", "correction", "overdue", "completed_at", "presence_evidence", "version",
            "applicant_id_enc", "applicant_name_enc", "phone_enc", "answers_enc", "tracking_token"], case_rows)
        rows["case_events"] = _copy(conn, "case_events", [
            "id", "case_id", "at", "action", "status", "department", "note", "note_en", "actor"], event_rows)
        rows["case_materials"] = _copy(conn, "case_materials", [
            "id", "case_id", "material_code", "name", "form", "copies", "licence_id", "deferred", "deferred_due",
            "supplied_at", "content_type", "content_sha256"], material_rows)
        rows["case_parts"] = _copy(conn, "case_parts", [
            "id", "case_id", "item_code", "item_name", "department_code", "status", "note"], part_rows)
        rows["ratings"] = _copy(conn, "ratings", [
            "id", "case_id", "level", "reasons", "comment", "channel", "terminal_id", "created_at",
            "department_code"], rating_rows)
        rows["rectifications"] = _copy(conn, "rectifications", [
            "id", "rating_id", "status", "callback_due", "rectify_due", "response", "appeal_reason",
            "appeal_decision"], rect_rows)
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO case_counters (prefix, value) VALUES (%s, %s) ON CONFLICT (prefix) "
                            "DO UPDATE SET value = greatest(case_counters.value, excluded.value)",
                            [(prefix, count + 50000) for prefix, count in per_day.items()])
        out.terminal = _fleet(conn, rnd, ids, now, terminals, commands_per_terminal, rows)
        for table in ids.next:  # the sequences past the ids written here
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                         f"(SELECT coalesce(max(id), 1) FROM {table}))")
        conn.commit()
    with psycopg.connect(psycopg_url(database_url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # as autovacuum would have long since: statistics and visibility
    return out


def _fleet(conn: psycopg.Connection, rnd: random.Random, ids: _Ids, now: dt.datetime, count: int,
           commands_per_terminal: int, rows: dict[str, int]) -> str:
    """Terminals heartbeating (a few silent), each with a long history of commands, the
    silent ones' last still queued, and alerts raised and cleared over the weeks. Returns
    the terminal whose page the benchmark opens: the first silent one (else the first)."""
    terminal_rows, command_rows, alert_rows = [], [], []
    names = [f"CM-KIOSK-{t + 101:04d}" for t in range(count)]
    silent_ones = names[5::12]
    for t, terminal_id in enumerate(names):
        registered = now - dt.timedelta(days=rnd.randrange(30, DAYS))
        silent = terminal_id in silent_ones
        seen = now - (dt.timedelta(hours=rnd.randrange(2, 72)) if silent else dt.timedelta(seconds=rnd.randrange(30)))
        media = "out" if t % 17 == 3 else "low" if t % 7 == 2 else "ok"
        devices = {"idcard": {"state": "online"}, "scanner": {"state": "online"},
                   "receipt_printer": {"state": "online", "media": media}}
        reported = {"outbox": {"pending": rnd.randrange(3), "parked": 0, "oldest_pending_s": None},
                    "in_service": True, "screen": "attract", "ui_responsive": True, "heartbeat_s": 30,
                    "commands_waiting": [], "disk_free_mb": rnd.randrange(600, 40000), "catalogue_version": 1}
        terminal_rows.append((terminal_id, f"自助终端 {t + 101}", f"澄迈县 第{t % 14 + 1}便民服务点", "seeded", "",
                              True, False, "", registered, seen, "0.1.0", rnd.randrange(86400 * 7), 0,
                              json.dumps(devices), json.dumps(reported)))
        for c in range(commands_per_terminal):
            created = registered + (now - registered) * (c / commands_per_terminal)
            queued = silent and c >= commands_per_terminal - 40  # sent while it was silent: still waiting
            acked = None if queued else created + dt.timedelta(seconds=rnd.randrange(20, 90))
            command_rows.append((ids.take("terminal_commands"), terminal_id, rnd.choice(COMMANDS), created,
                                 "管理员", acked, acked, "" if queued else "ok", "" if queued else "done", ""))
        for a in range(rnd.randrange(5, 40)):
            raised = now - dt.timedelta(hours=rnd.randrange(1, 24 * 60))
            cleared = raised + dt.timedelta(minutes=rnd.randrange(5, 600))
            alert_rows.append((ids.take("alerts"), rnd.choice(["paper_out", "terminal_silent", "disk_low"]),
                               terminal_id, "打印机缺纸", "", raised, cleared, 0))
        if silent:
            alert_rows.append((ids.take("alerts"), "terminal_silent", terminal_id, "终端心跳中断", "", seen +
                               dt.timedelta(minutes=10), None, 0))
    rows["terminals"] = _copy(conn, "terminals", [
        "id", "name", "location", "secret_enc", "secret_previous_enc", "in_service", "disabled", "disabled_reason",
        "registered_at", "last_seen_at", "app_version", "uptime_s", "outbox_length", "devices", "reported"],
        terminal_rows)
    rows["terminal_commands"] = _copy(conn, "terminal_commands", [
        "id", "terminal_id", "command", "created_at", "created_by", "delivered_at", "acked_at", "result", "outcome",
        "argument"], command_rows)
    rows["alerts"] = _copy(conn, "alerts", [
        "id", "kind", "subject", "message", "department_code", "raised_at", "cleared_at", "notify_attempts"],
        alert_rows)
    return (silent_ones or names)[0]


def _weighted(rnd: random.Random, choices):
    values, weights = zip(*choices)
    return rnd.choices(values, weights)[0]


def _items(conn: psycopg.Connection) -> list[dict]:
    """The catalogue's items still offered, with their department's name and their materials."""
    materials: dict[str, list[dict]] = {}
    for item_code, code, name, necessity, forms, copies in conn.execute(
            "SELECT item_code, code, name, necessity, forms, copies FROM materials ORDER BY item_code, position"):
        materials.setdefault(item_code, []).append({"code": code, "name": name, "necessity": necessity,
                                                    "forms": forms or [], "copies": copies})
    return [{"code": code, "name": name, "department_code": dep, "department_name": dep_name,
             "promised_days": days, "materials": materials.get(code, [])}
            for code, name, dep, dep_name, days in conn.execute(
                "SELECT i.code, i.name, i.department_code, d.name, i.promised_days FROM items i "
                "JOIN departments d ON d.code = i.department_code WHERE i.retired_at IS NULL ORDER BY i.code")]


def _bundles(conn: psycopg.Connection, items: list[dict]) -> list[tuple[str, str, list[dict]]]:
    by_code = {i["code"]: i for i in items}
    out = []
    for code, name, item_codes in conn.execute("SELECT code, name, item_codes FROM bundles WHERE retired_at IS NULL"):
        parts = [by_code[c] for c in item_codes or [] if c in by_code]
        if parts:
            out.append((code, name, parts))
    return out
