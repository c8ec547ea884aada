"""Back office under a county's terminal fleet: 1,000 terminals heartbeating every 30 s plus
20 submissions and 10 citizens' reads of their own cases a second, both under the citizen's
presence grant, on SQLite and on PostgreSQL, against a bare FastAPI endpoint.

Each server is a separate process on loopback (the back office through EmbeddedBackoffice,
the bare endpoint through uvicorn), so the figures include HTTP, signing checks and the
database. The load is open-loop: every request has a planned start time, and its latency
is counted from that time, so a server that falls behind cannot hide it by slowing the
client down. Environment: BENCH_BACKOFFICE_SECONDS (load per server, default 60),
BENCH_BACKOFFICE_TERMINALS (default 1000), BENCH_BACKOFFICE_SUBMISSIONS (per second,
default 20), BENCH_BACKOFFICE_READS (per second, default 10), BENCH_BACKOFFICE_DATABASES
(default "sqlite,postgresql"), BENCH_BACKOFFICE_WORKERS (server processes on PostgreSQL,
`serve --workers`, default 1; SQLite always serves from one).
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

from benchmarks.report import goal_line
from demo.embedded_backoffice import EmbeddedBackoffice, free_port
from devices.processes import stop_process
from domain.signing import HEADER_PRESENCE_GRANT
from services.api import TerminalSignature

HEARTBEAT_INTERVAL_S = 30.0
GOAL_P99_MS = 200.0
ITEM = "469023-XK-SCJG-0031"  # 食品经营许可证核发: kiosk-eligible, e-licence materials, a form
APPLICANTS = [  # demo people with a mobile number on file, so a code can confirm them
    {"kind": "person", "document_number": "469023195801041234", "name": "王建国"},
    {"kind": "person", "document_number": "469023198501010026", "name": "李秀英"},
]
ADMIN, DEMO_PASSWORD = "admin", "chengmai-demo"
# Terminals with a citizen at the glass: each holds a presence grant for every applicant,
# got as a kiosk gets one (a code texted to the demo's phone, typed back).
GRANT_TERMINALS = 20
WORKERS = 64  # client threads; enough that a slow answer never delays the next planned request

BARE_APP = """
import sys
from typing import Any

import uvicorn
from fastapi import Body, FastAPI

app = FastAPI()


@app.post("/v1/echo")
def echo(payload: dict[str, Any] = Body(...)):
    return {"ok": True, "server_time": 0}


uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="warning")
"""


@dataclass
class Request:
    kind: str  # "heartbeat" | "submission" | "cases" | "bare"
    at: float  # planned start, seconds from the start of the run
    terminal: int


@dataclass
class Result:
    kind: str
    latency_s: float  # from the planned start
    lag_s: float  # how late the client actually sent it
    status: int  # 0 for a transport error


@dataclass
class Run:
    label: str
    seconds: float
    results: list[Result]
    rss_start_kb: int = 0
    rss_end_kb: int = 0
    cpu_s: float = 0.0
    machine_busy_pct: float = 0.0  # the whole machine (all cores), others' processes included
    client_cpu_s: float = 0.0  # this benchmark process while it drove the load
    notes: list[str] = field(default_factory=list)

    def kinds(self) -> list[str]:
        return sorted({r.kind for r in self.results})

    def of(self, kind: str | None = None) -> list[Result]:
        return [r for r in self.results if kind is None or r.kind == kind]


# --- load ------------------------------------------------------------------------------------
def plan(seconds: float, terminals: int, submissions_per_s: float, reads_per_s: float = 0.0,
         bare: bool = False) -> list[Request]:
    """Terminal i heartbeats at i/terminals * 30 s and every 30 s after; submissions and
    reads come evenly spaced, each from the next terminal with a citizen at the glass."""
    out: list[Request] = []
    for i in range(terminals):
        t = i / terminals * HEARTBEAT_INTERVAL_S
        while t < seconds:
            out.append(Request("heartbeat", t, i))
            t += HEARTBEAT_INTERVAL_S
    for kind, rate in (("submission", submissions_per_s), ("cases", reads_per_s)):
        if rate > 0:
            step = 1.0 / rate
            for n in range(int(seconds * rate)):
                out.append(Request(kind, n * step + step / 2, n % min(terminals, GRANT_TERMINALS)))
    if bare:
        out = [Request("bare", r.at, r.terminal) for r in out]
    return sorted(out, key=lambda r: r.at)


def drive(requests_plan: list[Request], send, workers: int = WORKERS) -> list[Result]:
    """Sends each request at its planned time from a pool of client threads."""
    global _last_machine_busy, _last_client_cpu
    busy0, total0 = machine_busy()
    client0 = time.process_time()
    results: list[Result] = []
    lock = threading.Lock()
    local = threading.local()

    def one(req: Request, start: float) -> None:
        if not hasattr(local, "http"):
            local.http = requests.Session()
        planned = start + req.at
        sent = time.perf_counter()
        try:
            status = send(local.http, req)
        except requests.RequestException:
            status = 0
        done = time.perf_counter()
        with lock:
            results.append(Result(req.kind, done - planned, sent - planned, status))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        start = time.perf_counter()
        for req in requests_plan:
            delay = start + req.at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, req, start)
    busy1, total1 = machine_busy()
    _last_machine_busy = (busy1 - busy0) / max(total1 - total0, 1e-9) * 100
    _last_client_cpu = time.process_time() - client0
    return results


_last_machine_busy = 0.0
_last_client_cpu = 0.0  # the client shares the machine's cores with the server: it is reported


def heartbeat_body(terminal: int) -> bytes:
    return json.dumps({"app_version": "0.1.0", "uptime_s": 3600 + terminal, "outbox_length": 0,
                       "devices": {"idcard": {"status": "online"}, "receipt_printer": {
                           "status": "online", "media": "ok"}, "scanner": {"status": "online"}}}).encode()


def application(guide: dict, person: dict) -> dict:
    """A complete application from the item's published guide, as the kiosk builds it."""
    from tests.api.submissions import application as build

    return build(guide, person)


class Fleet:
    """The simulated terminals of one back office: ids, secrets, request bodies, and the
    grants of the citizens at the glass of the first GRANT_TERMINALS."""

    def __init__(self, base: str, ids: list[str], secrets: list[str], submissions: list[bytes],
                 grants: list[list[str]]):
        self.base, self.ids, self.secrets, self.submissions = base, ids, secrets, submissions
        self.grants = grants  # per terminal with a citizen at the glass, one per applicant
        self.heartbeats = [heartbeat_body(i) for i in range(len(ids))]
        self.searches = [json.dumps({"applicant": p["document_number"]}).encode() for p in APPLICANTS]
        self._turn = 0

    def send(self, http: requests.Session, req: Request) -> int:
        auth = TerminalSignature(self.ids[req.terminal], self.secrets[req.terminal])
        headers = {"Content-Type": "application/json"}
        if req.kind == "heartbeat":
            url, body = self.base + "/v1/terminals/heartbeat", self.heartbeats[req.terminal]
        else:
            self._turn += 1
            who = self._turn % len(APPLICANTS)
            headers[HEADER_PRESENCE_GRANT] = self.grants[req.terminal][who]
            if req.kind == "cases":
                url, body = self.base + "/v1/cases/search", self.searches[who]
            else:
                url, body = self.base + "/v1/cases", self.submissions[who]
                headers["Idempotency-Key"] = uuid.uuid4().hex
        return http.post(url, data=body, headers=headers, auth=auth, timeout=30).status_code


def grants_for(server: EmbeddedBackoffice, ids: list[str], secrets: list[str]) -> list[list[str]]:
    """Each applicant's grant at each terminal with a citizen at the glass."""
    from services.api import BackofficeClient
    from tests.presence import confirm

    out = []
    for terminal_id, secret in zip(ids[:GRANT_TERMINALS], secrets[:GRANT_TERMINALS]):
        api = BackofficeClient(server.url, timeout=30, terminal_id=terminal_id, secret=secret)
        out.append([confirm(api, server.phone_inbox, p["document_number"]) for p in APPLICANTS])
        api.close()
    return out


def register_fleet(base: str, count: int) -> tuple[list[str], list[str]]:
    answer = requests.post(base + "/v1/auth/token", json={"username": ADMIN, "password": DEMO_PASSWORD}, timeout=30)
    answer.raise_for_status()
    token = answer.json()["access_token"]
    ids = [f"BENCH-{i:05d}" for i in range(count)]
    local = threading.local()

    def register(terminal_id: str) -> str:
        if not hasattr(local, "http"):
            local.http = requests.Session()
            local.http.headers["Authorization"] = f"Bearer {token}"
        r = local.http.post(base + "/v1/terminals", json={"id": terminal_id, "name": "benchmark terminal"},
                            headers={"Idempotency-Key": f"register-{terminal_id}"}, timeout=60)
        r.raise_for_status()
        return r.json()["secret"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        secrets = list(pool.map(register, ids))
    return ids, secrets


def beat_once(fleet: Fleet, terminals: int) -> None:
    """Every terminal beats once before the run, as a fleet in service has done within the
    last 30 s: the server has then verified each secret it will be asked about, as it has
    at steady state (auth.KnownSecrets), and the run does not measure a restart instead."""
    local = threading.local()

    def beat(terminal: int) -> None:
        if not hasattr(local, "http"):
            local.http = requests.Session()
        status = fleet.send(local.http, Request("heartbeat", 0, terminal))
        if status != 200:
            raise RuntimeError(f"warm-up heartbeat answered {status}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(beat, range(terminals)))


# --- servers ---------------------------------------------------------------------------------
def proc_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / os.sysconf("SC_CLK_TCK"), total / os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """The process and its children (a server's worker processes), as they are now."""
    out = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            out += tree(int(child))
    return out


def tree_cpu_s(pid: int) -> float:
    return sum(proc_cpu_s(p) for p in tree(pid))


def tree_rss_kb(pid: int) -> int:
    return sum(proc_rss_kb(p) for p in tree(pid))


def run_backoffice(label: str, work: Path, database_url: str | None, seconds: float, terminals: int,
                   submissions_per_s: float, reads_per_s: float, workers: int = 1) -> Run:
    server = EmbeddedBackoffice(database=work / "backoffice.db", database_url=database_url,
                                log_file=work / "backoffice.log", workers=workers)
    server.start(timeout=120)
    try:
        began = time.perf_counter()
        ids, secrets = register_fleet(server.url, terminals)
        registered_s = time.perf_counter() - began
        guide = requests.get(f"{server.url}/v1/catalogue/items/{ITEM}", timeout=30).json()
        submissions = [json.dumps(application(guide, p), ensure_ascii=False).encode() for p in APPLICANTS]
        fleet = Fleet(server.url, ids, secrets, submissions, grants_for(server, ids, secrets))
        # Warm-up, not measured: every kind once through each code path, and a check that
        # the requests are valid (a benchmark of refusals would be worthless).
        with requests.Session() as http:
            for kind in ("heartbeat", "submission", "cases"):
                for n in range(5):
                    status = fleet.send(http, Request(kind, 0, n))
                    if status not in (200, 201):
                        raise RuntimeError(f"warm-up {kind} answered {status}; see {server.log_file}")
        beat_once(fleet, len(ids))
        pid = server._process.pid
        # With several workers, theirs: the supervising process only watches them.
        rss_start, cpu_start = tree_rss_kb(pid), tree_cpu_s(pid)
        results = drive(plan(seconds, terminals, submissions_per_s, reads_per_s), fleet.send)
        measured = Run(label, seconds, results, rss_start, tree_rss_kb(pid), tree_cpu_s(pid) - cpu_start,
                       _last_machine_busy, _last_client_cpu)
        measured.notes.append(f"{terminals} terminals registered over HTTP in {registered_s:.1f} s")
        return measured
    finally:
        server.stop()


def run_bare(seconds: float, terminals: int, submissions_per_s: float, reads_per_s: float) -> Run:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", BARE_APP, str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.post(base + "/v1/echo", json={}, timeout=1).raise_for_status()
                break
            except requests.RequestException:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the bare FastAPI server did not start") from None
                time.sleep(0.1)
        body = heartbeat_body(0)
        secret = "bare-endpoint-secret"

        def send(http: requests.Session, req: Request) -> int:
            # Signed like a terminal's request so the client does the same work.
            auth = TerminalSignature(f"BENCH-{req.terminal:05d}", secret)
            return http.post(base + "/v1/echo", data=body, headers={"Content-Type": "application/json"},
                             auth=auth, timeout=30).status_code

        rss_start, cpu_start = proc_rss_kb(proc.pid), proc_cpu_s(proc.pid)
        results = drive(plan(seconds, terminals, submissions_per_s, reads_per_s, bare=True), send)
        return Run("bare FastAPI", seconds, results, rss_start, proc_rss_kb(proc.pid),
                   proc_cpu_s(proc.pid) - cpu_start, _last_machine_busy, _last_client_cpu)
    finally:
        stop_process(proc)


# --- report ----------------------------------------------------------------------------------
def _uvicorn_stack() -> str:
    """What uvicorn runs on here, for both servers alike (it picks these up when installed)."""
    import importlib.util

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"{loop} and {http} for both servers"


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def summary(results: list[Result], seconds: float) -> dict:
    latencies = [r.latency_s * 1000 for r in results]
    return {
        "n": len(results),
        "rate": len(results) / seconds,
        "errors": sum(1 for r in results if not 200 <= r.status < 300),
        "p50": pct(latencies, 50), "p95": pct(latencies, 95), "p99": pct(latencies, 99),
        "max": max(latencies) if latencies else float("nan"),
        "mean": statistics.fmean(latencies) if latencies else float("nan"),
        "lag99": pct([r.lag_s * 1000 for r in results], 99),
    }


def run() -> str:
    seconds = float(os.environ.get("BENCH_BACKOFFICE_SECONDS", 60))
    terminals = int(os.environ.get("BENCH_BACKOFFICE_TERMINALS", 1000))
    submissions_per_s = float(os.environ.get("BENCH_BACKOFFICE_SUBMISSIONS", 20))
    reads_per_s = float(os.environ.get("BENCH_BACKOFFICE_READS", 10))
    databases = [d.strip() for d in os.environ.get("BENCH_BACKOFFICE_DATABASES", "sqlite,postgresql").split(",")
                 if d.strip()]
    workers = int(os.environ.get("BENCH_BACKOFFICE_WORKERS", 1))
    target = {"heartbeat": terminals / HEARTBEAT_INTERVAL_S, "submission": submissions_per_s, "cases": reads_per_s}
    target_total = sum(target.values())

    runs: list[Run] = []
    skipped: list[str] = []
    print(f"bare FastAPI: {seconds:.0f} s at {target_total:.1f} requests/s", flush=True)
    bare = run_bare(seconds, terminals, submissions_per_s, reads_per_s)
    with tempfile.TemporaryDirectory(prefix="bench-backoffice-") as tmp:
        for database in databases:
            work = Path(tmp) / database
            work.mkdir()
            print(f"back office on {database}: {seconds:.0f} s", flush=True)
            if database == "sqlite":
                runs.append(run_backoffice("SQLite", work, None, seconds, terminals, submissions_per_s, reads_per_s))
            elif database == "postgresql":
                try:
                    from tests.postgres import PostgresServer, PostgresUnavailable
                except ImportError as exc:  # run outside the source tree
                    skipped.append(f"PostgreSQL: {exc}")
                    continue
                try:
                    with PostgresServer() as pg:
                        url = pg.create_database("bench_backoffice")
                        label = "PostgreSQL 15" + (f", {workers} processes" if workers > 1 else "")
                        measured = run_backoffice(label, work, url, seconds, terminals, submissions_per_s,
                                                  reads_per_s, workers)
                        measured.notes.append("private cluster on loopback, fsync off (tests/postgres.py)")
                        runs.append(measured)
                except PostgresUnavailable as exc:
                    skipped.append(f"PostgreSQL: {exc}")
    return report(bare, runs, skipped, seconds, terminals, submissions_per_s, reads_per_s, target, workers)


def command() -> str:
    """The benchmark's settings as given, in front of its command."""
    return "".join(f"{name}={os.environ[name]} " for name in sorted(os.environ) if name.startswith("BENCH_BACKOFFICE_"))


def report(bare: Run, runs: list[Run], skipped: list[str], seconds: float, terminals: int,
           submissions_per_s: float, reads_per_s: float, target: dict[str, float], workers: int = 1) -> str:
    bare_all = summary(bare.results, seconds)
    lines = [
        "## Back office under a terminal fleet",
        "",
        "Command: `%s.venv/bin/python -m benchmarks backoffice`" % command(),
        "",
        f"Load, open-loop for {seconds:.0f} s per server: {terminals} terminals each sending a signed "
        f"heartbeat every {HEARTBEAT_INTERVAL_S:.0f} s ({target['heartbeat']:.1f}/s) plus "
        f"{submissions_per_s:g} signed submissions/s of `{ITEM}` (食品经营许可证核发), each with its own "
        f"Idempotency-Key, so every one creates a case, plus {reads_per_s:g} reads/s of a citizen's own cases "
        f"(`POST /v1/cases/search`, each read audited; the two applicants pile up hundreds of cases, of "
        f"which a read answers the newest 50 and the count); submissions and reads come from {GRANT_TERMINALS} "
        "terminals with a citizen at the glass, each under that citizen's presence grant (got beforehand "
        "as a kiosk gets one: a code texted to the demo's phone, typed back). "
        + (f"On SQLite one server process, on PostgreSQL {workers} (`kiosk-backoffice serve --workers "
           f"{workers}`; CPU and RSS are the workers' together)" if workers > 1 else "One server process")
        + f" (uvicorn, as `kiosk-backoffice serve`; {_uvicorn_stack()}), client threads in the benchmark "
        "process, loopback. "
        "Latency runs from each request's "
        "planned start to the end of its answer. Baseline: a bare FastAPI app with one trivial sync "
        "JSON endpoint, served by uvicorn in its own process, hit at the same total rate "
        "with the same client and signed the same way. Terminals are registered over HTTP beforehand, "
        "and each beats once before the run, as a fleet in service has within the last 30 s.",
        "",
        "| server | requests | target /s | achieved /s | errors | p50 ms | p95 ms | p99 ms | max ms "
        "| p99 / bare p99 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]

    def row(name: str, s: dict, tgt: float) -> str:
        ratio = s["p99"] / bare_all["p99"] if bare_all["p99"] else float("nan")
        return (f"| {name} | {s['n']} | {tgt:.1f} | {s['rate']:.1f} | {s['errors']} | {s['p50']:.1f} "
                f"| {s['p95']:.1f} | {s['p99']:.1f} | {s['max']:.1f} | {ratio:.1f}× |")

    total = sum(target.values())
    lines.append(row("bare FastAPI (all)", bare_all, total))
    for r in runs:
        for kind in r.kinds():
            lines.append(row(f"{r.label}: {kind}", summary(r.of(kind), seconds), target[kind]))
        lines.append(row(f"{r.label}: all", summary(r.of(), seconds), total))
    lines += ["", "| server | RSS at start of load | RSS at end | server CPU during load | server CPU per request "
              "| CPU per request / bare | client CPU during load | whole machine busy | client send lag p99 |",
              "|---|---|---|---|---|---|---|---|---|"]
    bare_per_request = max(bare.cpu_s / max(len(bare.results), 1), 1e-9)
    for r in [bare, *runs]:
        per_request = r.cpu_s / max(len(r.results), 1)
        lines.append(f"| {r.label} | {r.rss_start_kb / 1024:.0f} MiB | {r.rss_end_kb / 1024:.0f} MiB "
                     f"| {r.cpu_s:.1f} s ({r.cpu_s / seconds * 100:.0f} % of one core) "
                     f"| {per_request * 1000:.2f} ms | {per_request / bare_per_request:.1f}× "
                     f"| {r.client_cpu_s:.1f} s ({r.client_cpu_s / seconds * 100:.0f} % of one core) "
                     f"| {r.machine_busy_pct:.0f} % of {os.cpu_count()} cores "
                     f"| {summary(r.results, seconds)['lag99']:.1f} ms |")
    lines.append("")
    for r in runs:
        s = summary(r.of(), seconds)
        kept_rate = s["rate"] >= 0.95 * total
        met = s["p99"] < GOAL_P99_MS and s["errors"] == 0 and kept_rate
        why = []
        if s["p99"] >= GOAL_P99_MS:
            why.append(f"p99 {s['p99']:.0f} ms")
        if s["errors"]:
            why.append(f"{s['errors']} failed requests")
        if not kept_rate:
            why.append(f"only {s['rate']:.1f} of {total:.1f} requests/s")
        lines.append(goal_line(
            f"{r.label}: {'one server process' if ',' not in r.label else 'the server processes'} hold"
            f"{'s' if ',' not in r.label else ''} {total:.1f} requests/s from {terminals} terminals with p99 under "
            f"{GOAL_P99_MS:.0f} ms and no errors",
            f"p99 {s['p99']:.1f} ms over {s['n']} requests, {s['errors']} errors, {s['rate']:.1f} requests/s, "
            f"{s['p99'] / bare_all['p99']:.1f}x the bare endpoint's p99" + (f" ({'; '.join(why)})" if why else ""),
            met))
    for r in runs:
        for note in r.notes:
            lines.append(f"- {r.label}: {note}.")
    for note in skipped:
        lines.append(f"- not run: {note}")
    lines.append("- *Whole machine busy* counts every process on the machine (server, client, PostgreSQL, "
                 "and anything else running at the time); figures taken while other work loads the "
                 "machine are pessimistic.")
    return "\n".join(lines) + "\n"
