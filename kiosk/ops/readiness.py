"""The hardware readiness report, in the manner of ATMs and unattended voting terminals:
one line per device, then the back office and the machine, each READY, DEGRADED or
NOT READY with the reason and what a technician should do; the overall verdict is the
worst line.

NOT READY: a device a citizen journey needs is not usable, or the back office does not
answer. DEGRADED: the kiosk works but something needs attention (paper low, speech
without audio output, low disk or memory, a slow back office).

No Kivy: `kiosk-diag report` prints this, and the maintenance screen is to show it from
the running app's own devices. Nothing personal goes in: device details are staff-facing
by contract (devices.health) and are passed through services.redact all the same.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from dataclasses import asdict, dataclass, replace
from enum import Enum
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from devices.health import DeviceState, DeviceStatus, MediaState, SelfTestResult
from services.api import BackofficeClient, BackofficeError, BackofficeRefused, BackofficeUnavailable, RequestSigner
from services.heartbeat import HeartbeatState
from services.heartbeat import read_state as read_heartbeat_state
from services.keyholder.client import KeyHolderClient
from services.keyholder.protocol import KeyHolderError
from services.outbox import read_stats as read_outbox_stats
from services.redact import redact
from services.transport import CLOCK_WARNING_S, TransportSettings

if TYPE_CHECKING:  # only for annotations: importing the device packages is the caller's cost
    from kiosk.config import KioskConfig
    from kiosk.hardware import Devices

DISTRIBUTION = "chengmai-kiosk"  # [project] name in pyproject.toml
DISK_LOW_BYTES = 1 << 30  # captured pages, PDFs and logs go under var_dir
MEMORY_LOW_BYTES = 256 << 20
BACKOFFICE_SLOW_MS = 2000.0  # citizens wait on every call; this is already a long wait
OUTBOX_STALE_S = 3600.0  # applications kept longer than this: the county should know
FIRST_FRAME_S = 3.0  # a missing camera is known only once it failed to deliver a frame


class Verdict(str, Enum):
    READY = "ready"
    DEGRADED = "degraded"
    NOT_READY = "not_ready"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").upper()


_RANK = {Verdict.READY: 0, Verdict.DEGRADED: 1, Verdict.NOT_READY: 2}


def worst(verdicts) -> Verdict:
    return max(verdicts, key=_RANK.__getitem__, default=Verdict.READY)


@dataclass(frozen=True)
class DeviceRole:
    label: str
    required: bool  # some citizen journey cannot do without it
    diag: str  # the command that looks closer
    when_missing: str = ""  # what to do about NO_DEVICE, when the generic advice is wrong


# In report order; the keys are the attributes of kiosk.hardware.Devices.
DEVICES = {
    "idcard": DeviceRole("ID card reader", True, "kiosk-diag idcard status"),
    "receipt_printer": DeviceRole("Receipt printer", True, "kiosk-diag printer status"),
    "document_printer": DeviceRole("Document printer", True, "kiosk-diag doc print FILE.pdf"),
    "scanner": DeviceRole("QR scanner", True, "kiosk-diag qr live"),
    # Every spoken prompt is also on the screen, so a kiosk without speech still serves.
    "speech": DeviceRole("Speech", False, "kiosk-diag tts say 你好",
                         when_missing="check the speakers and the sound card (aplay -l)"),
    "doccam": DeviceRole("Document camera", True, "kiosk-diag doccam capture"),
    # Face verification always offers another way (the SMS code, the staffed window).
    "face": DeviceRole("Face camera", False, "kiosk-diag face status",
                       when_missing="connect the face camera, or correct [face] source in the hardware profile; "
                                    "citizens verify by SMS code or at the staffed window meanwhile"),
}
ON_DEMAND = ("doccam", "face")  # cameras that run only while a screen needs them

MEDIA_ACTIONS = {
    MediaState.OUT: "load a new paper roll",
    MediaState.JAMMED: "clear the paper jam",
    MediaState.LOW: "replace the paper roll soon",
}
STATE_ACTIONS = {
    DeviceState.OFFLINE: "check its power and its cable or network",
    DeviceState.NO_DEVICE: "connect the device, or correct its port or driver in the hardware profile",
    DeviceState.HARDWARE_ERROR: "power-cycle the device; replace it if the fault stays",
    DeviceState.USER_ERROR: "close the cover and clear the paper path",
}


@dataclass(frozen=True)
class SelfTest:
    passed: bool
    detail: str


@dataclass(frozen=True)
class DeviceCheck:
    device: str  # the Devices attribute: idcard, receipt_printer, ...
    label: str
    required: bool
    driver: str
    state: str  # devices.health.DeviceState value
    media: str | None
    detail: str  # the device's own words: port, paper, last error
    verdict: Verdict
    reason: str
    action: str  # empty when there is nothing to do
    self_test: SelfTest | None = None


@dataclass(frozen=True)
class BackofficeCheck:
    url: str
    reachable: bool
    latency_ms: float | None  # None when nothing answered
    detail: str
    verdict: Verdict
    reason: str
    action: str
    clock_offset_s: float | None = None  # back office minus kiosk, from its answer's Date


@dataclass(frozen=True)
class SystemCheck:
    var_dir: str
    disk_free_bytes: int | None
    disk_total_bytes: int | None
    process_rss_bytes: int | None  # the process that made the report
    memory_total_bytes: int | None
    memory_available_bytes: int | None
    system_uptime_s: float | None
    process_uptime_s: float | None
    verdict: Verdict
    reason: str
    action: str


@dataclass(frozen=True)
class OutboxCheck:
    """What waits to be sent (services/outbox.py): counts only, never a payload."""
    pending: int
    parked: int
    oldest_pending_s: float | None
    last_error: str
    verdict: Verdict
    reason: str
    action: str


@dataclass(frozen=True)
class ReadinessReport:
    verdict: Verdict
    generated_at: str  # ISO 8601, local time with its offset
    terminal_id: str
    profile_model: str
    app_version: str
    devices: tuple[DeviceCheck, ...]
    backoffice: BackofficeCheck
    system: SystemCheck
    outbox: OutboxCheck | None = None  # None before the first application was ever kept

    def to_dict(self) -> dict[str, Any]:
        return asdict(self, dict_factory=lambda items: {k: v.value if isinstance(v, Enum) else v
                                                        for k, v in items})


def build_report(devices: Devices, config: KioskConfig, *, self_test: bool = False) -> ReadinessReport:
    """Reads the devices as they are (open them first); self-tests are opt-in because a
    printer's may print a slip. Blocks for seconds (HTTP, camera): keep it off a UI thread."""
    checks = tuple(check_device(name, device, self_test) for name, device in present_devices(devices))
    backoffice = check_backoffice(config.backoffice_url, config.backoffice_timeout_s,
                                  config.backoffice_transport, (config.terminal_id, config.terminal_credentials()))
    backoffice = with_heartbeat(backoffice, read_heartbeat_state(config.var_dir))
    system = check_system(config.var_dir)
    from kiosk.offline import outbox_paths

    outbox = check_outbox(read_outbox_stats(outbox_paths(config)[0]))
    extra = [outbox.verdict] if outbox is not None else []
    return ReadinessReport(
        verdict=worst([c.verdict for c in checks] + [backoffice.verdict, system.verdict] + extra),
        generated_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        terminal_id=config.terminal_id,
        profile_model=config.profile.model,
        app_version=app_version(),
        devices=checks,
        backoffice=backoffice,
        system=system,
        outbox=outbox,
    )


def check_outbox(stats: dict[str, Any] | None) -> OutboxCheck | None:
    """Held items need a person; a queue older than OUTBOX_STALE_S means the back office
    has been out of reach for long (applicants hold only provisional references)."""
    if stats is None:
        return None
    pending, parked, oldest = stats["pending"], stats["parked"], stats["oldest_pending_s"]
    error = redact(str(stats.get("last_error", "")))[:120]
    if stats.get("set_aside"):
        return OutboxCheck(pending, parked, oldest, error, Verdict.DEGRADED,
                           f"a damaged outbox was set aside as {stats['set_aside'][-1]} and a fresh one started",
                           "keep that file (encrypted) for the county's IT: what it held may have to be made again")
    if parked:
        return OutboxCheck(pending, parked, oldest, error, Verdict.DEGRADED,
                           f"{parked} held: the back office refused them ({error})",
                           "check them with the county's help desk, then Send again in maintenance mode")
    if pending and oldest is not None and oldest > OUTBOX_STALE_S:
        return OutboxCheck(pending, parked, oldest, error, Verdict.DEGRADED,
                           f"{pending} waiting, the oldest for {oldest / 60:.0f} min ({error})",
                           "check the network link to the back office")
    reason = f"{pending} waiting to be sent" if pending else "nothing waiting"
    return OutboxCheck(pending, parked, oldest, error, Verdict.READY, reason, "")


def present_devices(devices: Devices) -> list[tuple[str, Any]]:
    return [(name, getattr(devices, name)) for name in DEVICES if getattr(devices, name, None) is not None]


def app_version() -> str:
    """The release this code came from (its RELEASE file, kiosk/ops/updates/layout.py),
    else the installed distribution's version."""
    try:
        return (Path(__file__).resolve().parents[2] / "RELEASE").read_text(encoding="utf-8").strip()[:32]
    except OSError:
        pass
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


# --- devices -----------------------------------------------------------------------------
def check_device(name: str, device: Any, run_self_test: bool = False) -> DeviceCheck:
    role = DEVICES[name]
    status, test = _probe(name, device, run_self_test)
    verdict, reason, action = judge_device(role, status, test)
    return DeviceCheck(
        device=name, label=role.label, required=role.required, driver=status.backend,
        state=status.state.value, media=status.media.value if status.media else None,
        detail=redact(status.detail), verdict=verdict, reason=redact(reason), action=action,
        self_test=SelfTest(test.passed, redact(test.detail)) if test else None,
    )


def _probe(name: str, device: Any, run_self_test: bool) -> tuple[DeviceStatus, SelfTestResult | None]:
    """A device that raises gets a line saying so; it must not end the whole report."""
    try:
        if name in ON_DEMAND and _not_opened(device.status()):
            return _probe_camera(device, run_self_test)
        test = device.self_test() if run_self_test else None
        return device.status(), test
    except Exception as exc:
        detail = f"raised {type(exc).__name__} while being checked"
        return DeviceStatus(name, "unknown", DeviceState.HARDWARE_ERROR, detail=detail), None


def _not_opened(status: DeviceStatus) -> bool:
    # The facades' shared wording for a device nobody opened yet.
    return status.state is DeviceState.OFFLINE and status.detail == "not opened"


def _probe_camera(camera: Any, run_self_test: bool) -> tuple[DeviceStatus, SelfTestResult | None]:
    """The document and face cameras run only while a screen needs them: open one for the
    check and wait for a first frame, because a missing camera shows only then."""
    camera.open()
    try:
        frame = camera.grabber.wait_newer(0, FIRST_FRAME_S)
        test = camera.self_test() if run_self_test else None
        status = camera.status()
        if frame is None and status.state is DeviceState.ONLINE:
            status = replace(status, state=DeviceState.HARDWARE_ERROR,
                             detail=f"no image within {FIRST_FRAME_S:.0f} s")
        return status, test
    finally:
        camera.close()


def judge_device(role: DeviceRole, status: DeviceStatus,
                 test: SelfTestResult | None) -> tuple[Verdict, str, str]:
    """(verdict, reason, action) for one device."""
    if not status.usable:
        verdict = Verdict.NOT_READY if role.required else Verdict.DEGRADED
        return verdict, _problem(status), f"{_action(role, status)}; then check with {role.diag}"
    if test is not None and not test.passed:
        verdict = Verdict.NOT_READY if role.required else Verdict.DEGRADED
        return verdict, f"self-test failed: {test.detail or 'no detail'}", f"look closer with {role.diag}"
    if status.media is MediaState.LOW:
        return Verdict.DEGRADED, _problem(status), MEDIA_ACTIONS[MediaState.LOW]
    return Verdict.READY, status.detail or status.state.value, ""


def _problem(status: DeviceStatus) -> str:
    words = status.detail or status.state.value.replace("_", " ")
    if status.media in MEDIA_ACTIONS and "paper" not in words:  # CUPS says "media-empty"
        return f"paper {status.media.value}; {words}"
    return words


def _action(role: DeviceRole, status: DeviceStatus) -> str:
    if status.media in (MediaState.OUT, MediaState.JAMMED):
        return MEDIA_ACTIONS[status.media]
    if status.state is DeviceState.NO_DEVICE and role.when_missing:
        return role.when_missing
    return STATE_ACTIONS.get(status.state, "restart the kiosk application")


# --- back office -------------------------------------------------------------------------
def check_backoffice(url: str, timeout_s: float, transport: TransportSettings | None = None,
                     credentials: tuple[str, str | RequestSigner] | None = None) -> BackofficeCheck:
    """GET /health: the cheapest call, unsigned, and it touches the database. With this
    terminal's (id, secret), then a signed call that changes nothing (GET /v1/terminals/me):
    a technician learns before leaving whether the back office takes this terminal."""
    shown = _without_credentials(url)
    terminal_id, secret = credentials or ("", "")
    try:
        client = BackofficeClient(url, timeout=timeout_s, transport=transport, terminal_id=terminal_id,
                                  secret=secret)
    except ValueError as exc:  # plain http beyond loopback
        return BackofficeCheck(shown, False, None, "", Verdict.NOT_READY, str(exc),
                               "correct the [backoffice] section of the kiosk config")
    unready = _key_holder_unready(shown, credentials)
    if unready is not None:
        client.close()
        return unready
    started = time.perf_counter()
    try:
        body = client.health()
        latency = _ms_since(started)
        if credentials is not None:
            refused = _credentials_refused(shown, client, credentials, latency)
            if refused is not None:
                return refused
    except BackofficeUnavailable as exc:
        return BackofficeCheck(shown, False, None, str(exc), Verdict.NOT_READY, f"no answer ({exc})",
                               "check the network, then the [backoffice] url of the kiosk config")
    except BackofficeRefused as exc:
        return BackofficeCheck(shown, True, _ms_since(started), exc.detail, Verdict.NOT_READY,
                               f"answered {exc.status} {exc.title}", "tell the county back-office team")
    except BackofficeError as exc:
        return BackofficeCheck(shown, True, _ms_since(started), str(exc), Verdict.NOT_READY,
                               "answered, but not as the back office does",
                               f"check that {shown} is the county back office")
    finally:
        client.close()
    return _judge_clock(_judge_health(shown, body, latency), client.clock)


def _key_holder_unready(url: str, credentials: tuple[str, str | RequestSigner] | None) -> BackofficeCheck | None:
    """With a key holder every request is signed by it, /health too: ask it first, so a
    silent or empty one is not taken for the network."""
    terminal_id, signer = credentials or ("", "")
    if not isinstance(signer, KeyHolderClient):
        return None
    try:
        if signer.has_secret():
            return None
    except KeyHolderError as exc:
        return BackofficeCheck(url, False, None, str(exc), Verdict.NOT_READY,
                               "the key holder does not answer: nothing can be signed",
                               "systemctl status chengmai-keyholder (journalctl -u chengmai-keyholder)")
    return BackofficeCheck(url, False, None, "", Verdict.NOT_READY,
                           f"no secret for terminal {terminal_id} in the key holder",
                           "register this terminal (kiosk-backoffice register-terminal) and put its secret in the "
                           "file [backoffice] terminal_secret_file names")


def _credentials_refused(url: str, client: BackofficeClient, credentials: tuple[str, str | RequestSigner],
                         latency_ms: float) -> BackofficeCheck | None:
    """NOT READY when the back office would not take this terminal's signed requests."""
    terminal_id, secret = credentials
    register = ("register this terminal (kiosk-backoffice register-terminal) and put its secret in the "
                "file [backoffice] terminal_secret_file names")
    if not secret:
        return BackofficeCheck(url, True, latency_ms, "", Verdict.NOT_READY,
                               f"no secret for terminal {terminal_id} on this kiosk", register)
    try:
        client.whoami()
    except BackofficeRefused as exc:
        if exc.status == 403:
            return BackofficeCheck(url, True, latency_ms, exc.detail, Verdict.NOT_READY,
                                   f"terminal {terminal_id} is disabled at the back office",
                                   "ask the county's IT why, and to enable it (kiosk-backoffice enable-terminal)")
        return BackofficeCheck(url, True, latency_ms, exc.detail, Verdict.NOT_READY,
                               f"refuses terminal {terminal_id}'s signature ({exc.detail or exc.status})", register)
    return None


def _judge_clock(check: BackofficeCheck, clock) -> BackofficeCheck:
    """The client signs with the server's time, so a wrong clock degrades, never stops."""
    if not clock.known:
        return check
    offset = round(clock.offset_s, 1)
    if abs(offset) <= CLOCK_WARNING_S or check.verdict is not Verdict.READY:
        return replace(check, clock_offset_s=offset)
    return replace(check, clock_offset_s=offset, verdict=Verdict.DEGRADED,
                   reason=f"kiosk clock {abs(offset):.0f} s off the back office's",
                   action="set the kiosk's clock (NTP); signed requests are corrected meanwhile")


def with_heartbeat(check: BackofficeCheck, heartbeat: HeartbeatState | None) -> BackofficeCheck:
    """A back office that answers /health may still refuse this terminal's signed requests
    (not registered, or another secret): the heartbeat (services/heartbeat.py) knows."""
    if heartbeat is None or not heartbeat.refused:
        return check
    since = dt.datetime.fromtimestamp(heartbeat.since).astimezone().isoformat(timespec="seconds")
    return replace(check, verdict=Verdict.NOT_READY,
                   reason=f"refuses this terminal's heartbeat since {since} ({heartbeat.detail}); {check.reason}",
                   action="register this terminal (kiosk-backoffice register-terminal) and put its secret "
                          "in the file [backoffice] terminal_secret_file names")


def _judge_health(url: str, body: Any, latency_ms: float) -> BackofficeCheck:
    detail = f"database {body.get('database', '?')}" if isinstance(body, dict) else ""
    if latency_ms > BACKOFFICE_SLOW_MS:
        return BackofficeCheck(url, True, latency_ms, detail, Verdict.DEGRADED,
                               f"slow answer ({latency_ms:.0f} ms)", "check the network link's quality")
    return BackofficeCheck(url, True, latency_ms, detail, Verdict.READY, f"answered in {latency_ms:.0f} ms", "")


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _without_credentials(url: str) -> str:
    """A URL with user:password@ must not end up on a technician's screen or in a ticket."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc)) if parts.username or parts.password else url


# --- the machine -------------------------------------------------------------------------
def check_system(var_dir: Path) -> SystemCheck:
    free, total = disk_space(var_dir)
    mem_total, mem_available = _meminfo()
    system_uptime = _system_uptime()
    problems = []  # (reason, action)
    if free is not None and free < DISK_LOW_BYTES:
        problems.append((f"disk nearly full under {var_dir}", "remove old logs and tour output there"))
    if mem_available is not None and mem_available < MEMORY_LOW_BYTES:
        problems.append(("little memory available", "restart the kiosk application between citizens"))
    return SystemCheck(
        var_dir=str(var_dir), disk_free_bytes=free, disk_total_bytes=total,
        process_rss_bytes=_kib_field("/proc/self/status", "VmRSS"),
        memory_total_bytes=mem_total, memory_available_bytes=mem_available,
        system_uptime_s=system_uptime, process_uptime_s=_process_uptime(system_uptime),
        verdict=Verdict.DEGRADED if problems else Verdict.READY,
        reason="; ".join(r for r, _ in problems) or "disk and memory sufficient",
        action="; ".join(a for _, a in problems),
    )


def disk_space(var_dir: Path) -> tuple[int | None, int | None]:
    """(free, total) bytes on the file system under `var_dir`; (None, None) unreadable."""
    path = Path(var_dir)
    while not path.exists() and path != path.parent:  # var/ is made on the first run
        path = path.parent
    try:
        usage = shutil.disk_usage(path)
    except OSError:
        return None, None
    return usage.free, usage.total


def _meminfo() -> tuple[int | None, int | None]:
    return _kib_field("/proc/meminfo", "MemTotal"), _kib_field("/proc/meminfo", "MemAvailable")


def _kib_field(path: str, key: str) -> int | None:
    """A "Key:  1234 kB" line of a /proc file, in bytes; None off Linux."""
    try:
        with open(path, encoding="ascii") as lines:
            for line in lines:
                name, _, value = line.partition(":")
                if name == key:
                    return int(value.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _system_uptime() -> float | None:
    try:
        return float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _process_uptime(system_uptime: float | None) -> float | None:
    """Field 22 of /proc/self/stat is the start time in clock ticks after boot; the command
    name before it may hold spaces, so fields are counted after its closing parenthesis."""
    if system_uptime is None:
        return None
    try:
        fields = Path("/proc/self/stat").read_text().rpartition(")")[2].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
    return round(system_uptime - started, 1)
