"""Back-office settings: environment variables, with generated per-install secrets so a
demo works out of the box. In production every secret comes from the environment."""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    """Where the default SQLite database and generated secrets live."""
    return Path(os.environ.get("BACKOFFICE_VAR_DIR") or REPO_ROOT / "var")


@dataclass(frozen=True)
class Settings:
    database_url: str
    lookup_key: bytes  # HMAC pepper: find a person's cases without storing the ID in clear
    data_key: bytes  # 32 bytes, AES-GCM for personal data and terminal secrets at rest
    signing_seed: bytes  # 32 bytes, Ed25519 private key seed for QR tokens
    # Keys the audit chain (HMAC-SHA256): kept outside the database, so whoever can write
    # the database cannot rewrite the log and its chain after it (audit.py).
    audit_key: bytes = b""
    division_code: str = "469023"  # 澄迈县
    # The issuing authority's unified social credit code inside e-licence identifiers;
    # set BACKOFFICE_ISSUER_USCC to the county government's real code in production.
    issuer_uscc: str = "11469023MB12345676"
    signature_window_s: int = 300  # terminal requests older or newer than this are refused
    callback_days: int = 1  # working days to call back after a bad rating
    rectify_days: int = 15  # working days to rectify after a bad rating
    silent_terminal_s: int = 120  # a terminal this long without heartbeat raises an alert
    device_alert_after_s: int = 300  # a device a kiosk reports unable to serve this long raises one
    # Where alerts are sent (alert_delivery.py): "wecom:WEBHOOK_URL" (企业微信群机器人),
    # "webhook:URL" or "none"; the staff on duty @-mentioned by their mobile numbers.
    alert_channel: str = "none"
    alert_mention_mobiles: tuple[str, ...] = ()
    alert_poll_s: float = 20.0
    sms_poll_s: float = 10.0  # how soon a case's notice leaves after its change (poller.py)
    sms_quiet_hours: str = "21:00-08:00"  # no notices then (one-time codes still go); "" for none
    login_window_s: int = 900  # sign-in failures count this long (auth.py throttles on them)
    token_ttl_s: int = 8 * 3600
    # A console session not used this long is signed out (a desk left with a case open).
    console_idle_s: int = 15 * 60
    # Seeds of QR keys rotated out (BACKOFFICE_SIGNING_SEEDS_RETIRED, hex, comma-separated):
    # they sign nothing, but the codes they signed stay valid until the seed is dropped.
    signing_seeds_retired: tuple[bytes, ...] = ()
    tracking_token_days: int = 730  # a receipt's QR code tracks its case this long
    # After a terminal's secret is rotated, the old one still signs this long (or until
    # the new one is used): a kiosk offline then, or whose answer was lost, is not cut off.
    terminal_secret_overlap_s: int = 7 * 86400
    # Roles that sign in with a one-time code from an authenticator besides the password.
    mfa_roles: tuple[str, ...] = ("admin", "supervisor")
    # Who may read /metrics: the internal network's monitoring (BACKOFFICE_METRICS_FROM,
    # addresses or networks, comma-separated); the default is this machine only.
    metrics_from: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    # Presence grants (presence.py): citizens one terminal may ask codes for in an hour.
    presence_citizens_per_hour: int = 20
    presence_codes_per_citizen_hour: int = 5  # codes texted for one citizen, at any terminal
    # Where one-time codes and notices go: "aliyun" (BACKOFFICE_SMS_ALIYUN_* below),
    # "recording:PATH" (a file standing in for the phones: the demo and tests only), or
    # "none", where asking for a code answers 503.
    sms_provider: str = "none"
    sms_sign_name: str = "澄迈政务"
    sms_templates: tuple[tuple[str, str], ...] = ()  # (template name, the provider's template code)
    sms_aliyun_key_id: str = ""
    sms_aliyun_key_secret: str = ""
    sms_aliyun_endpoint: str = "https://dysmsapi.aliyuncs.com/"
    # 运营商三要素核验 for typed numbers: "aliyun" (the SMS AccessKey, BACKOFFICE_CARRIER_ALIYUN_*
    # below), "registry:PATH" (a file standing in: the demo and tests) or "none" (carrier_check.py).
    carrier_check: str = "none"
    carrier_aliyun_auth_code: str = ""  # 号码百科's authorisation id for ThreeElementsVerification
    carrier_aliyun_endpoint: str = "https://dytnsapi.aliyuncs.com/"
    # Results by post (courier.py): "emulator:URL" (the project's courier emulator: the demo
    # and tests), "ems" (EMS government mail through the gateway at BACKOFFICE_COURIER_EMS_URL)
    # or "none", where a posted result cannot be handed over.
    courier: str = "none"
    courier_ems_url: str = ""
    # The CSCA certificates ePassport chips are checked against (passport_auth.py): a PEM
    # file or a directory of certificate files; empty, and no passport proves presence.
    csca_trust_list: str = ""
    # The CSCAs' revocation lists (ICAO PKD, the states' own): a CRL file or a directory of
    # them, each checked against its CSCA's key and read at each proof; empty, none held.
    csca_crls: str = ""
    # A CSCA's latest CRL past its nextUpdate: "refuse" (the default: a revocation since then
    # would go unseen, and a refused chip costs the citizen only the code to the phone on
    # file) or "warn" (accepted, with a warning in the log, while a state's new CRL is late).
    csca_crl_stale: str = "refuse"
    # Face verification (presence_face.py): a live face matches its reference at or under this
    # distance of the face model's (face/compare.py says how 0.45 was chosen).
    face_match_threshold: float = 0.45
    # 实人认证 for resident ID cards (face/realperson.py): "aliyun" (金融级实人认证's
    # ContrastFaceVerify, BACKOFFICE_REAL_PERSON_ALIYUN_* below; its own AccessKey, or the
    # SMS one), "emulator:PATH" (a folder of reference photos named by ID number: the demo
    # and tests) or "none" (no face route for ID cards).
    real_person: str = "none"
    real_person_aliyun_key_id: str = ""
    real_person_aliyun_key_secret: str = ""
    real_person_aliyun_scene_id: str = ""  # the 认证场景 made in the provider's console
    real_person_aliyun_endpoint: str = "https://cloudauth.aliyuncs.com/"
    face_challenges_per_citizen_hour: int = 6  # head turns asked of one citizen, at any terminal
    # The face camera's infrared frames (face/infrared.py): "required" once every kiosk's face
    # camera has an infrared eye (a face check without them is refused), else "optional".
    face_infrared: str = "optional"

    @classmethod
    def from_env(cls, database_url: str | None = None) -> "Settings":
        url = database_url or os.environ.get("BACKOFFICE_DATABASE_URL")
        if not url:
            var_dir().mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{var_dir() / 'backoffice.db'}"
        keys = _install_secrets()
        env = os.environ
        return cls(
            database_url=url,
            lookup_key=(env.get("BACKOFFICE_LOOKUP_KEY") or keys["lookup_key"]).encode(),
            data_key=bytes.fromhex(env.get("BACKOFFICE_DATA_KEY") or keys["data_key"]),
            signing_seed=bytes.fromhex(env.get("BACKOFFICE_SIGNING_SEED") or keys["signing_seed"]),
            signing_seeds_retired=tuple(bytes.fromhex(seed.strip()) for seed in
                                        env.get("BACKOFFICE_SIGNING_SEEDS_RETIRED", "").split(",") if seed.strip()),
            tracking_token_days=int(env.get("BACKOFFICE_TRACKING_TOKEN_DAYS", 730)),
            terminal_secret_overlap_s=int(env.get("BACKOFFICE_TERMINAL_SECRET_OVERLAP_S", 7 * 86400)),
            audit_key=bytes.fromhex(env.get("BACKOFFICE_AUDIT_KEY") or _audit_key_file()),
            console_idle_s=int(env.get("BACKOFFICE_CONSOLE_IDLE_S", 15 * 60)),
            callback_days=int(env.get("BACKOFFICE_CALLBACK_DAYS", 1)),
            rectify_days=int(env.get("BACKOFFICE_RECTIFY_DAYS", 15)),
            device_alert_after_s=int(env.get("BACKOFFICE_DEVICE_ALERT_AFTER_S", 300)),
            alert_channel=env.get("BACKOFFICE_ALERT_CHANNEL", "none"),
            alert_mention_mobiles=tuple(m.strip() for m in env.get("BACKOFFICE_ALERT_MENTION", "").split(",")
                                        if m.strip()),
            alert_poll_s=float(env.get("BACKOFFICE_ALERT_POLL_S", 20)),
            sms_poll_s=float(env.get("BACKOFFICE_SMS_POLL_S", 10)),
            sms_quiet_hours=env.get("BACKOFFICE_SMS_QUIET_HOURS", "21:00-08:00"),
            issuer_uscc=env.get("BACKOFFICE_ISSUER_USCC", "11469023MB12345676"),
            metrics_from=tuple(n.strip() for n in env.get("BACKOFFICE_METRICS_FROM", "127.0.0.0/8,::1/128").split(",")
                               if n.strip()),
            mfa_roles=tuple(r.strip() for r in env.get("BACKOFFICE_MFA_ROLES", "admin,supervisor").split(",")
                            if r.strip()),
            presence_citizens_per_hour=int(env.get("BACKOFFICE_PRESENCE_CITIZENS_PER_HOUR", 20)),
            presence_codes_per_citizen_hour=int(env.get("BACKOFFICE_PRESENCE_CODES_PER_CITIZEN_HOUR", 5)),
            sms_provider=env.get("BACKOFFICE_SMS_PROVIDER", "none"),
            sms_sign_name=env.get("BACKOFFICE_SMS_SIGN_NAME", "澄迈政务"),
            sms_templates=tuple(tuple(pair.split("=", 1)) for pair in env.get("BACKOFFICE_SMS_TEMPLATES", "").split(",")
                                if "=" in pair),  # type: ignore[misc]
            sms_aliyun_key_id=env.get("BACKOFFICE_SMS_ALIYUN_KEY_ID", ""),
            sms_aliyun_key_secret=env.get("BACKOFFICE_SMS_ALIYUN_KEY_SECRET", ""),
            sms_aliyun_endpoint=env.get("BACKOFFICE_SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
            carrier_check=env.get("BACKOFFICE_CARRIER_CHECK", "none"),
            carrier_aliyun_auth_code=env.get("BACKOFFICE_CARRIER_ALIYUN_AUTH_CODE", ""),
            carrier_aliyun_endpoint=env.get("BACKOFFICE_CARRIER_ALIYUN_ENDPOINT", "https://dytnsapi.aliyuncs.com/"),
            courier=env.get("BACKOFFICE_COURIER", "none"),
            courier_ems_url=env.get("BACKOFFICE_COURIER_EMS_URL", ""),
            csca_trust_list=env.get("BACKOFFICE_CSCA_TRUST_LIST", ""),
            csca_crls=env.get("BACKOFFICE_CSCA_CRLS", ""),
            face_match_threshold=float(env.get("BACKOFFICE_FACE_MATCH_THRESHOLD", 0.45)),
            real_person=env.get("BACKOFFICE_REAL_PERSON", "none"),
            real_person_aliyun_key_id=env.get("BACKOFFICE_REAL_PERSON_ALIYUN_KEY_ID", ""),
            real_person_aliyun_key_secret=env.get("BACKOFFICE_REAL_PERSON_ALIYUN_KEY_SECRET", ""),
            real_person_aliyun_scene_id=env.get("BACKOFFICE_REAL_PERSON_ALIYUN_SCENE_ID", ""),
            real_person_aliyun_endpoint=env.get("BACKOFFICE_REAL_PERSON_ALIYUN_ENDPOINT",
                                                "https://cloudauth.aliyuncs.com/"),
            face_challenges_per_citizen_hour=int(env.get("BACKOFFICE_FACE_CHALLENGES_PER_CITIZEN_HOUR", 6)),
            face_infrared=_one_of(env.get("BACKOFFICE_FACE_INFRARED", "optional"), "BACKOFFICE_FACE_INFRARED",
                                  ("optional", "required")),
            csca_crl_stale=_one_of(env.get("BACKOFFICE_CSCA_CRL_STALE", "refuse"), "BACKOFFICE_CSCA_CRL_STALE",
                                   ("refuse", "warn")),
        )


def _one_of(value: str, name: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name} is one of {', '.join(allowed)}, not {value!r}")
    return value


def _audit_key_file() -> str:
    """The audit chain's key for when the environment gives none: 32 random bytes made once
    in its own 0600 file (an install made before the key existed gets one on its next start)."""
    return _made_once(var_dir() / "backoffice.audit-key", lambda: secrets.token_hex(32))


def _install_secrets() -> dict[str, str]:
    """Per-install secrets for when the environment gives none: generated once and kept
    (losing them makes lookups unfindable and encrypted data unreadable)."""
    return json.loads(_made_once(var_dir() / "backoffice.secrets.json", lambda: json.dumps(
        {"lookup_key": secrets.token_hex(32), "data_key": secrets.token_hex(32),
         "signing_seed": secrets.token_hex(32)})))


def _made_once(path: Path, content) -> str:
    """The file's text, written with `content()` (0600) the first time. Atomic: two
    processes starting together keep one version."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        made = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        made.write_text(content())
        made.chmod(0o600)
        try:
            os.link(made, path)
        except FileExistsError:
            pass
        made.unlink()
    return path.read_text().strip()
