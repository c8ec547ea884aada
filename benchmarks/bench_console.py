"""The staff console at a county's size: every console page's latency with 100,000 cases on
PostgreSQL, against the back office's own /health and the sign-in form in the same run.

A private PostgreSQL cluster (tests/postgres.py) and a real back-office process on it
(EmbeddedBackoffice: migrated, the demo's catalogue, staff and cases seeded); then the
county's two years of cases, ratings, rectifications, 容缺 commitments, timelines and a
terminal fleet with long command histories, written with COPY (benchmarks/console_seed.py);
one case submitted by the demo kiosk with a scanned page, for the materials viewer. Each
role signs in through the real /console/sign-in form; then every page is requested in turn,
round after round, over HTTP on loopback, one request at a time (a member of staff waits
for each page), after warm-up rounds that are not counted.

Environment: BENCH_CONSOLE_CASES (default 100000), BENCH_CONSOLE_ROUNDS (requests per page,
default 60), BENCH_CONSOLE_TERMINALS (default 60), BENCH_CONSOLE_COMMANDS (per terminal,
default 400).
"""
from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

from benchmarks.bench_backoffice import pct
from benchmarks.console_seed import Seeded, seed
from benchmarks.machine_load import MachineLoad
from benchmarks.report import goal_line
from demo.embedded_backoffice import EmbeddedBackoffice

GOAL_P95_MS = 150.0
PASSWORD = "chengmai-demo"
FOOD = "469023-XK-SCJG-0031"  # 食品经营许可证核发: reviewed by 市场监管 (SCJG), two paper materials
APPROVER, DEPARTMENT = "approver-scjg", "SCJG"
WARM_UP_ROUNDS = 3
# Administration pages, measured when this back office has them (answered 200 to an admin).
ADMIN_PAGES = ("/console/admin", "/console/admin/staff", "/console/admin/calendar", "/console/admin/catalogue")


@dataclass
class Page:
    label: str
    role: str  # who requests it: a username, "" for no one signed in
    path: str
    baseline: bool = False
    latencies_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # the back-office process's, per answer
    sizes: list[int] = field(default_factory=list)
    errors: int = 0


@dataclass
class Measured:
    cases: int
    rounds: int
    pages: list[Page]
    seeded: Seeded
    seed_s: float
    notes: list[str] = field(default_factory=list)
    machine: str = ""


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    if not found:
        raise RuntimeError("the sign-in form has no CSRF token")
    return found.group(1)


def signed_in(base: str, username: str, language: str = "zh_CN") -> requests.Session:
    """A browser's session after the real sign-in form: its cookie, its CSRF token."""
    http = requests.Session()
    form = http.get(base + "/console/sign-in", timeout=30)
    answer = http.post(base + "/console/sign-in", data={"csrf": csrf_of(form.text), "username": username,
                                                         "password": PASSWORD}, allow_redirects=False, timeout=30)
    if answer.status_code != 303:
        raise RuntimeError(f"{username} could not sign in: {answer.status_code}")
    if language != "zh_CN":
        http.get(base + f"/console/language/{language}", allow_redirects=False, timeout=30)
    return http


def scanned_case(server: EmbeddedBackoffice) -> tuple[str, int]:
    """A case the demo kiosk submits with a scanned page on its first paper material: its
    number and that material's place, for the viewer."""
    from PIL import Image

    from services.api import TerminalSignature
    from tests.api.submissions import WANG, application

    guide = requests.get(f"{server.url}/v1/catalogue/items/{FOOD}", timeout=30).json()
    body = application(guide, WANG)
    page = io.BytesIO()
    Image.new("RGB", (1240, 1754), (250, 250, 245)).save(page, "JPEG", quality=85)  # an A4 page at 150 dpi
    paper = next(m for m in body["materials"] if m["form"] != "electronic")
    paper.update(content_b64=base64.b64encode(page.getvalue()).decode(), content_type="image/jpeg")
    auth = TerminalSignature("CM-KIOSK-0001", server.terminal_secret_file.read_text())
    answer = requests.post(f"{server.url}/v1/cases", data=json.dumps(body, ensure_ascii=False).encode(), auth=auth,
                           headers={"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
                           timeout=60)
    answer.raise_for_status()
    case = answer.json()["case"]
    index = next(i for i, m in enumerate(case["materials"], start=1) if m["has_content"])
    return case["number"], index


def pages_for(seeded: Seeded, scanned: str, material: int) -> list[Page]:
    pages = [
        Page("Back office /health (baseline)", "", "/health", baseline=True),
        Page("Sign-in form (baseline: a console page, no query)", "", "/console/sign-in", baseline=True),
        Page("Comprehensive window queue (综合受理)", "clerk01", "/console/queue"),
        Page("Case page, at the front desk", "clerk01", f"/console/cases/{scanned}"),
        Page("Materials viewer", "clerk01", f"/console/cases/{scanned}/materials/{material}"),
        Page("Materials viewer: one page's watermarked image", "clerk01",
             f"/console/cases/{scanned}/materials/{material}/pages/1.jpg"),
        Page("Department review queue (后台分类审批)", APPROVER, "/console/department"),
        Page("Supervision dashboard (统一督办)", "supervisor01", "/console/supervision"),
        Page("Supervision dashboard, in English", "supervisor01:en", "/console/supervision"),
        Page("Fleet list", "supervisor01", "/console/fleet"),
        Page("Terminal page", "supervisor01", f"/console/fleet/{seeded.terminal}"),
        Page("Case page, delivered, whole timeline", "supervisor01", f"/console/cases/{seeded.closed}"),
        Page("Queue, as an administrator", "admin", "/console/queue"),
        Page("Welcome page", "admin", "/console/welcome"),
    ]
    if DEPARTMENT in seeded.in_review:
        pages.insert(7, Page("Case page, in review", APPROVER, f"/console/cases/{seeded.in_review[DEPARTMENT]}"))
    return pages


def measure(cases: int, rounds: int, terminals: int = 60, commands: int = 400, postgres=None) -> Measured:
    """The whole run; on `postgres` (a started tests.postgres.PostgresServer) if given,
    else on a cluster of its own."""
    from tests.postgres import PostgresServer

    with tempfile.TemporaryDirectory(prefix="bench-console-") as tmp, contextlib.ExitStack() as stack:
        pg = postgres or stack.enter_context(PostgresServer())
        url = pg.create_database(f"bench_console_{uuid.uuid4().hex[:8]}")
        server = EmbeddedBackoffice(database=Path(tmp) / "unused.db", database_url=url,
                                    log_file=Path(tmp) / "backoffice.log")
        server.start(timeout=120)
        try:
            began = time.perf_counter()
            seeded = seed(url, cases, terminals, commands)
            seed_s = time.perf_counter() - began
            print(f"seeded {seeded.rows} in {seed_s:.0f} s", flush=True)
            number, material = scanned_case(server)
            pages = pages_for(seeded, number, material)
            machine = time_pages(server.url, pages, rounds, server.pid)
            return Measured(cases, rounds, pages, seeded, seed_s, machine=machine)
        finally:
            server.stop()


def cpu_ms(pid: int | None) -> float:
    """CPU time the process has had so far, all its threads, from the scheduler's
    nanosecond counters (/proc/PID/task/*/schedstat; /proc's ticks are 10 ms)."""
    if pid is None:
        return 0.0
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[0])
        except (OSError, ValueError, IndexError):  # a thread that ended meanwhile
            pass
    return total / 1e6


def time_pages(base: str, pages: list[Page], rounds: int, server_pid: int | None = None) -> str:
    """Signs each role in, then requests every page in turn, round after round; the
    latencies go into the pages, and with the server's pid the CPU time each answer cost
    it (one request at a time, so the server's CPU between two readings is that page's).
    Returns how busy the machine was meanwhile."""
    sessions: dict[str, requests.Session] = {"": requests.Session()}
    for role in {p.role for p in pages if p.role}:
        username, _, language = role.partition(":")
        sessions[role] = signed_in(base, username, language or "zh_CN")
    for path in ADMIN_PAGES:
        if sessions.setdefault("admin", signed_in(base, "admin")).get(
                base + path, allow_redirects=False, timeout=30).status_code == 200:
            pages.append(Page(f"Administration: {path.removeprefix('/console/')}", "admin", path))
    with MachineLoad() as load:
        for n in range(WARM_UP_ROUNDS + rounds):
            for page in pages:
                cpu_before = cpu_ms(server_pid)
                started = time.perf_counter()
                answer = sessions[page.role].get(base + page.path, allow_redirects=False, timeout=60)
                elapsed = (time.perf_counter() - started) * 1000
                cpu = cpu_ms(server_pid) - cpu_before
                if n < WARM_UP_ROUNDS:
                    if answer.status_code != 200:
                        raise RuntimeError(f"{page.path} as {page.role or 'no one'} answered {answer.status_code}")
                    continue
                page.latencies_ms.append(elapsed)
                if server_pid is not None:
                    page.cpu_ms.append(cpu)
                page.sizes.append(len(answer.content))
                page.errors += answer.status_code != 200
    return load.note("one client, the back office and PostgreSQL")


def run() -> str:
    cases = int(os.environ.get("BENCH_CONSOLE_CASES", 100_000))
    rounds = int(os.environ.get("BENCH_CONSOLE_ROUNDS", 60))
    terminals = int(os.environ.get("BENCH_CONSOLE_TERMINALS", 60))
    commands = int(os.environ.get("BENCH_CONSOLE_COMMANDS", 400))
    return report(measure(cases, rounds, terminals, commands))


def report(m: Measured) -> str:
    health = next(p for p in m.pages if p.path == "/health")
    base_p95 = pct(health.latencies_ms, 95)
    rows = m.seeded.rows
    lines = [
        f"## Console pages at {m.cases:,} cases",
        "",
        f"Command: `BENCH_CONSOLE_CASES={m.cases} BENCH_CONSOLE_ROUNDS={m.rounds} .venv/bin/python -m benchmarks "
        "console`",
        "",
        f"A private PostgreSQL 15 cluster on loopback (tests/postgres.py: fsync off) and one back-office process "
        "on it (uvicorn, as `kiosk-backoffice serve`), migrated and seeded with the demo's catalogue, staff and "
        f"cases; then, with COPY in {m.seed_s:.0f} s (benchmarks/console_seed.py): "
        + ", ".join(f"{n:,} {table.replace('_', ' ')}" for table, n in rows.items())
        + ". Cases were received over two years (more lately), the old ones mostly delivered or closed and a "
        "few still open long overdue, the recent ones across the lifecycle; 一件事 bundles with parts in review; "
        "容缺 commitments coming due and expired; ratings of delivered cases with the bad ones' rectifications; "
        "terminals heartbeating, some silent with their last commands still queued. Then VACUUM ANALYZE, as "
        "autovacuum would have run long since. One case submitted by the demo kiosk with a scanned A4 page "
        "opens the viewer.",
        "",
        f"Each role signed in through the real /console/sign-in form; every page then requested in turn, "
        f"{m.rounds} rounds after {WARM_UP_ROUNDS} uncounted ones, one request at a time over HTTP (the time to the "
        "last byte of the answer). Baselines in the same run: the back office's /health (one `SELECT 1`) and "
        "the sign-in form (a console page rendered with no query). The back office's CPU time per answer "
        "(its process's threads, from the scheduler's counters; PostgreSQL's own work not included) does not "
        "grow when other work shares the machine, as the latencies do.",
        "",
        "| page | as | p50 ms | p95 ms | p95 / health p95 | back-office CPU ms, median | answer KB | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for p in m.pages:
        p50, p95 = pct(p.latencies_ms, 50), pct(p.latencies_ms, 95)
        size = sum(p.sizes) / len(p.sizes) / 1024 if p.sizes else 0
        cpu = f"{pct(p.cpu_ms, 50):.1f}" if p.cpu_ms else "—"
        lines.append(f"| {p.label} | {p.role.replace(':en', ' (en)') or '—'} | {p50:.1f} | {p95:.1f} "
                     f"| {p95 / base_p95:.1f}× | {cpu} | {size:.1f} | {p.errors} |")
    judged = [p for p in m.pages if not p.baseline]
    worst = max(judged, key=lambda p: pct(p.latencies_ms, 95))
    worst_p95 = pct(worst.latencies_ms, 95)
    errors = sum(p.errors for p in judged)
    lines += ["", goal_line(
        f"every console page p95 under {GOAL_P95_MS:.0f} ms at {m.cases:,} cases on PostgreSQL",
        f"slowest p95 {worst_p95:.1f} ms ({worst.label}), {worst_p95 / base_p95:.1f}x /health's p95, "
        f"{errors} errors", worst_p95 < GOAL_P95_MS and errors == 0)]
    lines += [f"- {note}" for note in m.notes]
    if m.machine:
        lines += ["", m.machine]
    return "\n".join(lines) + "\n"
