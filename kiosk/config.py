"""Kiosk configuration: a TOML file, a hardware profile TOML per kiosk model, and
environment overrides of the form KIOSK__SECTION__KEY=value (e.g.
KIOSK__BACKOFFICE__URL=https://10.0.0.5:8700)."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devices.printer.receipt import ReceiptPrinterProfile
from domain.flags import is_on
from kiosk.journeys.presence_policy import PresencePolicy
from kiosk.paths import CONFIG_DIR, resolve
from services.transport import TransportSettings, check_url, normalise_pin

if TYPE_CHECKING:
    from services.keyholder.client import KeyHolderClient

DEFAULT_CONFIG = CONFIG_DIR / "kiosk.toml"
CONFIG_ENV = "KIOSK_CONFIG"  # the file to read instead (an installed kiosk: /etc/chengmai-kiosk/kiosk.toml)
ENV_PREFIX = "KIOSK__"
DEFAULT_BACKOFFICE_URL = "http://127.0.0.1:8700"


@dataclass(frozen=True)
class HardwareProfile:
    model: str
    idcard_driver: str
    receipt_printer_target: Path
    receipt_printer: ReceiptPrinterProfile
    window_size: tuple[int, int]
    # Every section of the profile file, so each device package can read its own
    # settings (e.g. sections["scanner"]) without this module knowing them all.
    sections: dict[str, Any] = field(default_factory=dict)
    # tcp://host:9100, serial:///dev/ttyUSB0?baudrate=19200, usb://VID:PID (devices.printer.transports)


@dataclass(frozen=True)
class KioskConfig:
    terminal_id: str
    language: str
    idle_timeout_s: float
    idle_warning_s: float
    demo: bool
    var_dir: Path
    backoffice_url: str
    backoffice_timeout_s: float
    terminal_secret_file: Path
    demo_people_file: Path
    # The demo's phone: the texts its back office sends, shown on the demo panel so the
    # one-time codes can be typed. The demo back office (demo/embedded_backoffice.py)
    # keeps it beside the terminal secret it hands the kiosk.
    demo_phone_inbox: Path
    font_path: Path | None
    profile: HardwareProfile
    raw: dict[str, Any] = field(repr=False, default_factory=dict)
    backoffice_transport: TransportSettings = field(default_factory=TransportSettings)
    heartbeat_s: float = 30.0  # [fleet] heartbeat_s: how often the back office hears from the kiosk
    # [backoffice] key_holder_socket: the key holder (services/keyholder/) signs and seals
    # instead of this process; None (the demo, `make run`) keeps the keys in files it reads.
    key_holder_socket: Path | None = None
    # [presence]: how each journey asks the citizen at the glass to show it is them.
    presence_policy: PresencePolicy = field(default_factory=PresencePolicy)

    def terminal_secret(self) -> str:
        """Read when the app starts; an unregistered kiosk gets "" and the back office says so."""
        try:
            return self.terminal_secret_file.read_text().strip()
        except OSError:
            return ""

    def key_holder(self) -> KeyHolderClient | None:
        """A client of the configured key holder (it connects when first asked), or None."""
        if self.key_holder_socket is None:
            return None
        from services.keyholder.client import KeyHolderClient

        return KeyHolderClient(self.key_holder_socket)

    def terminal_credentials(self, key_holder: KeyHolderClient | None = None) -> str | KeyHolderClient:
        """What signs this terminal's requests: the key holder when there is one (this
        process then never reads the secret), else the secret from its file."""
        key_holder = key_holder or self.key_holder()
        return key_holder if key_holder is not None else self.terminal_secret()


def load_config(path: Path | None = None, overrides: dict[str, Any] | None = None,
                environ: dict[str, str] | None = None) -> KioskConfig:
    env = os.environ if environ is None else environ
    data = tomllib.loads(Path(path or env.get(CONFIG_ENV) or DEFAULT_CONFIG).read_text(encoding="utf-8"))
    _apply_env(data, env)
    for dotted, value in (overrides or {}).items():
        section, key = dotted.split(".", 1)
        data.setdefault(section, {})[key] = value

    kiosk = data.get("kiosk", {})
    backoffice = data.get("backoffice", {})
    profile_name = kiosk.get("hardware_profile", "sim")
    var_dir = resolve(kiosk.get("var_dir", "var"))
    profile = load_profile(CONFIG_DIR / "profiles" / f"{profile_name}.toml", var_dir)
    font = kiosk.get("font_path")
    transport = _transport(backoffice)
    secret_file = var_dir / backoffice.get("terminal_secret_file", "terminal.secret")
    key_holder_socket = str(backoffice.get("key_holder_socket", "") or "")
    return KioskConfig(
        terminal_id=str(kiosk.get("terminal_id", "CM-KIOSK-0001")),
        language=str(kiosk.get("language", "zh_CN")),
        idle_timeout_s=float(kiosk.get("idle_timeout_s", 90)),
        idle_warning_s=max(20.0, float(kiosk.get("idle_warning_s", 30))),  # WCAG: >= 20 s to respond
        demo=is_on(kiosk.get("demo", False)),  # the demo is asked for (config/kiosk.toml does)
        var_dir=var_dir,
        backoffice_url=str(backoffice.get("url", DEFAULT_BACKOFFICE_URL)),
        backoffice_timeout_s=float(backoffice.get("timeout_s", 5)),
        terminal_secret_file=secret_file,
        demo_people_file=resolve(kiosk.get("demo_people_file", "assets/seed/demo.json")),
        demo_phone_inbox=secret_file.parent / kiosk.get("demo_phone_inbox", "demo-phone.jsonl"),
        font_path=resolve(font) if font else None,
        profile=profile,
        raw=data,
        backoffice_transport=transport,
        heartbeat_s=max(1.0, float(data.get("fleet", {}).get("heartbeat_s", 30))),
        key_holder_socket=var_dir / key_holder_socket if key_holder_socket else None,
        presence_policy=PresencePolicy.from_config(data.get("presence")),
    )


def _transport(backoffice: dict[str, Any]) -> TransportSettings:
    """Refuses at start-up (PlainHttpRefused, a ValueError) a URL the client would refuse."""
    ca_file = backoffice.get("ca_file")
    settings = TransportSettings(
        ca_file=resolve(ca_file) if ca_file else None,
        pin_sha256=normalise_pin(str(backoffice.get("pin_sha256", ""))),
        allow_plain_http=is_on(backoffice.get("allow_plain_http", False)),
    )
    check_url(str(backoffice.get("url", DEFAULT_BACKOFFICE_URL)), settings.allow_plain_http)
    return settings


def load_profile(path: Path, var_dir: Path) -> HardwareProfile:
    """Relative file paths in a profile (a printer's spool folder) are under `var_dir`."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    printer = data.get("receipt_printer", {})
    width, height = data.get("display", {}).get("size", [1080, 1920])
    return HardwareProfile(
        model=str(data.get("model", path.stem)),
        idcard_driver=str(data.get("idcard", {}).get("driver", "sim")),
        receipt_printer_target=var_dir / printer.get("target", "printer"),
        receipt_printer=ReceiptPrinterProfile.from_section(printer),
        window_size=(int(width), int(height)),
        sections=data,
    )


def _apply_env(data: dict[str, Any], environ: dict[str, str]) -> None:
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        parts = name[len(ENV_PREFIX):].lower().split("__")
        if len(parts) == 2 and all(parts):
            data.setdefault(parts[0], {})[parts[1]] = value



