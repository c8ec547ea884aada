"""HTTP client for the county back office.

Every failure the network or the server can produce becomes one of three exceptions the
kiosk can explain to a citizen: unreachable, refused (a problem+json answer), or a broken
answer that does not parse. Nothing here logs an ID number.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol
from urllib.parse import quote, unquote, urlsplit

from domain import signing
from domain.cases import (
    CaseDetail,
    CaseList,
    CaseStatus,
    CaseSummary,
    LicenceRef,
    NextStep,
    Shipment,
    ShipmentStep,
    TimelineEntry,
)
from domain.receipts import ApplicationReceipt, DeferredMaterial, MaterialForm, ReceivedMaterial

from .keyholder.protocol import TIMESTAMP_OUT_OF_BOUNDS, KeyHolderError, KeyHolderRefused
from .transport import ServerClock, TransportSettings, check_url

if TYPE_CHECKING:
    import requests

# The back office reads five frames through its face model (about a second on two cores)
# and may ask the provincial real-person service: more than an ordinary answer's wait.
FACE_TIMEOUT_S = 20.0


class BackofficeError(Exception):
    """Base class: the request did not produce the data the kiosk asked for."""


class BackofficeUnavailable(BackofficeError):
    """No answer: network down, server stopped, or a timeout."""


class BackofficeRefused(BackofficeError):
    def __init__(self, status: int, title: str, detail: str = "", problems: list | None = None,
                 extra: dict | None = None):
        super().__init__(f"{status} {title}")
        self.status = status
        self.title = title
        self.detail = detail  # for staff and logs; citizens get a translated message
        self.problems = problems or []  # every field or material that is wrong, at once
        self.extra = extra or {}  # the problem's other members: code, tries_left, retry_after_s...

    @property
    def code(self) -> str:
        """The problem's machine-readable reason, where the back office gives one."""
        return str(self.extra.get("code", ""))


class BackofficeBadResponse(BackofficeError):
    """The server answered, but not with what the API promises."""


class RequestSigner(Protocol):
    def sign(self, method: str, path: str, query: str, timestamp: str, nonce: str, body_sha256: str) -> str:
        """domain/signing.py's signature of a request whose body has this SHA-256 (hex)."""


class SecretSigner:
    """The terminal secret held in this process (the demo, tests, a kiosk without a key holder)."""

    def __init__(self, secret: str):
        self.secret = secret

    def sign(self, method: str, path: str, query: str, timestamp: str, nonce: str, body_sha256: str) -> str:
        return signing.sign_digest(self.secret, method, path, query, timestamp, nonce, body_sha256)


class TerminalSignature:
    """Signs every request as the back office requires: HMAC-SHA256 over method, path,
    query, timestamp, a one-time nonce and the body's hash. A requests auth: called with
    each prepared request. `secret` is the secret itself or a signer holding it (the key
    holder, services/keyholder/client.py)."""

    def __init__(self, terminal_id: str, secret: str | RequestSigner, clock=time.time):
        self.terminal_id = terminal_id
        self.signer: RequestSigner = SecretSigner(secret) if isinstance(secret, str) else secret
        self.clock = clock
        # Called when a key holder refuses the timestamp: it has not learnt the back
        # office's time, or not lately (BackofficeClient._sync_key_holder_clock).
        self.resync: Callable[[], None] | None = None

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        url = urlsplit(str(request.url))
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        if not isinstance(body, bytes):
            raise TypeError("a signed request's body is bytes or text, not a stream")
        timestamp = str(int(self.clock()))
        nonce = secrets.token_hex(16)
        request.headers[signing.HEADER_TERMINAL] = self.terminal_id
        request.headers[signing.HEADER_TIMESTAMP] = timestamp
        request.headers[signing.HEADER_NONCE] = nonce
        fields = (str(request.method), unquote(url.path), url.query, timestamp, nonce, hashlib.sha256(body).hexdigest())
        try:
            request.headers[signing.HEADER_SIGNATURE] = self.signer.sign(*fields)
        except KeyHolderRefused as refused:
            if refused.code != TIMESTAMP_OUT_OF_BOUNDS or self.resync is None:
                raise
            try:
                self.resync()
            except Exception:  # the back office out of reach too: the refusal is the answer
                raise refused from None
            request.headers[signing.HEADER_SIGNATURE] = self.signer.sign(*fields)
        return request


def _unsigned(request):
    """A request's auth that leaves it unsigned, on a session that signs the others."""
    return request


class BackofficeClient:
    def __init__(self, base_url: str, timeout: float = 5.0, session: requests.Session | None = None,
                 terminal_id: str = "", secret: str | RequestSigner = "", transport: TransportSettings | None = None,
                 clock: ServerClock | None = None):
        """Raises PlainHttpRefused (a ValueError) for plain http beyond loopback unless the
        transport settings allow it: before any connection is made. `secret`: the terminal
        secret, or the key holder's client that signs with it."""
        settings = transport or TransportSettings()
        self.base_url = check_url(base_url, settings.allow_plain_http).rstrip("/")
        self.timeout = timeout
        self.clock = clock or ServerClock()  # its offset_s is the readiness report's clock line
        # Told after every request whether the back office answered (any status) or not: the
        # app's online/offline state (kiosk/offline.py Reachability) follows real traffic.
        self.on_reachable: Callable[[bool], None] | None = None
        self.answered_last: bool | None = None  # the last request's answer came (None: none sent yet)
        self._settings = settings
        self._signature = TerminalSignature(terminal_id, secret, clock=self.clock.now) if terminal_id and secret \
            else None
        if self._signature is not None:
            self._signature.resync = self._sync_key_holder_clock
        self._session: requests.Session | None = session
        self._session_ready = False
        self._session_lock = threading.Lock()

    @property
    def _http(self) -> requests.Session:
        """The HTTP session, set up with the first request (services/http_session.py): the
        kiosk's start does not import requests."""
        if not self._session_ready:
            with self._session_lock:
                if not self._session_ready:
                    from .http_session import make_session

                    self._session = make_session(self._settings, self.clock, self._signature, self._session)
                    self._session_ready = True
        assert self._session is not None
        return self._session

    def _sync_key_holder_clock(self) -> None:
        """Has the key holder learn the back office's time: its challenge, signed over by
        the back office with the time (an unsigned request: the clock may be what is
        wrong), handed back to it."""
        signer = self._signature.signer if self._signature is not None else None
        challenge_of, note = getattr(signer, "clock_challenge", None), getattr(signer, "note_signed_time", None)
        if self._signature is None or challenge_of is None or note is None:
            return
        terminal_id = self._signature.terminal_id
        challenge = challenge_of()
        answer = self._http.get(f"{self.base_url}/v1/terminals/{quote(terminal_id, safe='')}/time",
                                params={"challenge": challenge}, timeout=self.timeout, auth=_unsigned)
        answer.raise_for_status()
        body = answer.json()
        note(terminal_id, challenge, str(body["server_time"]), list(body["signatures"]))

    def note_server_time(self, epoch_seconds: float) -> None:
        """The heartbeat answer's server_time keeps the signing clock in step."""
        self.clock.note_server_time(epoch_seconds)

    def close(self) -> None:
        if self._session_ready and self._session is not None:
            self._session.close()

    def health(self) -> dict[str, Any]:
        return self._get_json("/health")

    def qr_keys(self) -> dict[str, str]:
        """Key id -> public key of every key that verifies QR codes, the signing one first."""
        body = self._get_json("/v1/keys/qr")
        try:
            listed = body.get("keys")
            if listed is None:  # a back office from before keys had ids
                return {"": str(body["public_key"])}
            keys = sorted(listed, key=lambda k: not k["current"])
            return {str(k["key_id"]): str(k["public_key"]) for k in keys}
        except (KeyError, TypeError, AttributeError):
            raise BackofficeBadResponse("keys: malformed") from None

    def rotate_secret(self) -> dict:
        """Has the back office give this terminal a new secret: {secret, previous_valid_until}.
        The caller keeps it, then `use_secret`s it; the old one works meanwhile."""
        body = self._post_json("/v1/terminals/me/secret", {})
        if not isinstance(body, dict) or not isinstance(body.get("secret"), str) or len(body["secret"]) < 32:
            raise BackofficeBadResponse("rotated secret: malformed")
        return body

    def use_secret(self, secret: str) -> None:
        """Signs every request from now on with `secret` (held here, not by a key holder)."""
        if self._signature is None:
            raise ValueError("this client signs nothing: it has no terminal id")
        self._signature.signer = SecretSigner(secret)

    @property
    def signer(self) -> RequestSigner | None:
        return None if self._signature is None else self._signature.signer

    def track(self, token: str) -> CaseDetail:
        """The masked detail of the case a receipt's QR code names (no card needed)."""
        return self._detail(self._get_json("/v1/track", params={"token": token}))

    # --- presence: the citizen at the glass confirms it is them (a one-time code) ----------
    def request_code(self, session_ref: str, document_number: str, name: str, language: str,
                     phone: str = "") -> dict:
        """Has the back office text a code to the citizen's phone on file (or to `phone`,
        once it answered 409 phone_needed): {challenge, phone_masked, resend_after_s, ...}."""
        return self._post_json("/v1/presence/codes", {"session": session_ref, "id_number": document_number,
                                                      "name": name, "language": language, "phone": phone})

    def redeem_code(self, session_ref: str, challenge: str, code: str) -> dict:
        """The code the citizen typed: {grant, scopes, expires_in_s}; 422 wrong, 410 spent."""
        return self._post_json("/v1/presence/grants", {"session": session_ref, "challenge": challenge, "code": code})

    def passport_challenge(self, session_ref: str) -> dict:
        """Eight bytes for the passport's chip to sign: {challenge, nonce (hex), expires_in_s}."""
        return self._post_json("/v1/presence/passport-challenges", {"session": session_ref})

    def prove_passport(self, session_ref: str, challenge: str, sod: bytes, dg1: bytes, dg15: bytes | None,
                       aa_signature: bytes | None, dg2: bytes | None = None) -> dict:
        """What the chip gave, for the back office to verify: {grant, scopes, evidence, ...};
        403 names the check the chip failed, 410 a spent challenge."""
        def text(data: bytes | None) -> str:
            return base64.b64encode(data or b"").decode("ascii")

        return self._post_json("/v1/presence/passport-grants", {
            "session": session_ref, "challenge": challenge, "sod": text(sod), "dg1": text(dg1), "dg15": text(dg15),
            "dg2": text(dg2), "aa_signature": text(aa_signature)})

    def face_challenge(self, session_ref: str, document_kind: str, document_number: str, name: str,
                       consent_version: str, actions: tuple[str, ...] = ("turn_left", "turn_right")) -> dict:
        """A head turn or a blink to ask of the citizen (one of `actions`, those the kiosk
        can ask), who consented to the face check (the text's version is audited):
        {challenge, actions, frames_wanted, expires_in_s, tries}."""
        return self._post_json("/v1/presence/face-challenges", {
            "session": session_ref, "document_kind": document_kind, "document_number": document_number,
            "name": name, "consent_version": consent_version, "actions": list(actions)})

    def face_grant(self, session_ref: str, challenge: str, frames: list[bytes] | tuple[bytes, ...],
                   infrared: list[bytes] | tuple[bytes, ...] = ()) -> dict:
        """The JPEGs taken while the citizen did as asked (and the infrared eye's, where the
        camera has one); the back office decides: {grant, scopes, outcome, score, ...}, or
        403 with the reason's code and tries_left."""
        def text(jpegs) -> list[str]:
            return [base64.b64encode(jpeg).decode("ascii") for jpeg in jpegs]

        body = {"session": session_ref, "challenge": challenge, "frames": text(frames)}
        if infrared:
            body["infrared"] = text(infrared)
        return self._post_json("/v1/presence/face-grants", body, timeout=FACE_TIMEOUT_S)

    def end_grant(self, grant: str, reason: str) -> None:
        self._post_json("/v1/presence/grants/end", {"reason": reason}, grant=grant)

    def list_cases(self, document_number: str, grant: str = "") -> CaseList:
        body = self._post_json("/v1/cases/search", {"applicant": document_number}, grant=grant)
        try:
            return CaseList([_summary(item) for item in body["cases"]], int(body.get("total", 0)))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackofficeBadResponse(f"case list: {type(exc).__name__}") from None

    def get_case(self, number: str, grant: str = "") -> CaseDetail:
        return self._detail(self._get_json(f"/v1/cases/{quote(number, safe='')}", grant=grant))

    def _detail(self, body: Any) -> CaseDetail:
        try:
            return CaseDetail(
                **_summary_fields(body),
                item_code=str(body["item_code"]),
                applicant_masked=str(body["applicant_masked"]),
                tracking_token=str(body.get("tracking_token", "")),
                timeline=tuple(_timeline_entry(e) for e in body["timeline"]),
                next_step=_next_step(body.get("next_step")),
                licences=tuple(LicenceRef(str(l["identifier"]), str(l.get("name", "")), str(l.get("status", "valid")),
                                          str(l.get("name_en", ""))) for l in body.get("licences") or ()),
                phone_masked=str(body.get("phone_masked", "")),
                delivery_method=str((body.get("delivery") or {}).get("method", "")),
                delivery_address_masked=str((body.get("delivery") or {}).get("address_masked", "")),
                shipment=_shipment(body.get("shipment")),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackofficeBadResponse(f"case detail: {type(exc).__name__}") from None

    # --- catalogue (public guides) -------------------------------------------------------
    def windows(self) -> list[dict]:
        return self._get_json("/v1/catalogue/windows")["windows"]

    def items(self, **filters: str) -> list[dict]:
        """Filters: q (Chinese, pinyin initials, English), window, type, audience, kiosk."""
        return self._get_json("/v1/catalogue/items", params={k: v for k, v in filters.items() if v != ""})["items"]

    def guide(self, item_code: str) -> dict:
        return self._get_json(f"/v1/catalogue/items/{quote(item_code, safe='')}")

    def bundles(self) -> list[dict]:
        return self._get_json("/v1/catalogue/bundles")["bundles"]

    def catalogue_version(self) -> int:
        """The number of the back office's current catalogue (0 before its first load)."""
        number = self._get_json("/v1/catalogue/version").get("number")
        if not isinstance(number, int) or isinstance(number, bool):
            raise BackofficeBadResponse("catalogue version: no number")
        return number

    def towns(self) -> list[dict]:
        """Chengmai's towns, each with its villages and communities: [{code, name, villages:
        [{code, name}]}] by the NBS's 12-digit codes, for a result's postal address."""
        towns = self._get_json("/v1/addresses/towns").get("towns")
        if not isinstance(towns, list) or not all(isinstance(t, dict) and t.get("code") and t.get("name")
                                                  and isinstance(t.get("villages"), list) for t in towns):
            raise BackofficeBadResponse("towns: malformed")
        return towns

    def calendar(self) -> dict:
        """The county's working-day calendar: the years imported from the State Council's
        arrangements and their days, so the kiosk promises the same dates offline."""
        return self._get_json("/v1/calendar")

    # --- creating things (every POST carries an Idempotency-Key: retries never duplicate) -
    def submit(self, application: dict, idempotency_key: str,
               grant: str = "") -> tuple[CaseDetail, ApplicationReceipt]:
        body = self._post_json("/v1/cases", application, idempotency_key, grant=grant)
        try:
            return self._detail(body["case"]), _receipt(body["receipt"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackofficeBadResponse(f"submission: {type(exc).__name__}") from None

    def rate(self, number: str, level: int, reasons: list[str], comment: str, idempotency_key: str,
             grant: str = "") -> dict:
        return self._post_json(f"/v1/cases/{quote(number, safe='')}/rating",
                               {"level": level, "reasons": reasons, "comment": comment}, idempotency_key, grant=grant)

    def check_in(self, token: str) -> dict:
        """Appointment check-in: the ticket number and window (repeating it is harmless)."""
        return self._post_json("/v1/appointments/check-in", {"token": token})

    def case_action(self, number: str, action: str, grant: str = "", **params: Any) -> CaseDetail:
        """Terminal actions on a case: supplement, deliver, withdraw."""
        return self._detail(self._post_json(
            f"/v1/cases/{quote(number, safe='')}/actions/{action}", params, grant=grant))

    def licence_pdf(self, identifier: str, grant: str = "") -> bytes:
        response = self._request("GET", f"/v1/licences/{quote(identifier, safe='')}/pdf",
                                 headers=_presenting(grant))
        if not response.content.startswith(b"%PDF"):
            raise BackofficeBadResponse("licence: not a PDF")
        return response.content

    def receipt(self, number: str, grant: str = "") -> ApplicationReceipt:
        body = self._get_json(f"/v1/cases/{quote(number, safe='')}/receipt", grant=grant)
        try:
            return _receipt(body)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackofficeBadResponse(f"receipt: {type(exc).__name__}") from None

    # --- the fleet (services/heartbeat.py) -------------------------------------------------
    def whoami(self) -> dict:
        """The back office's record of this terminal, by a signed request that changes nothing."""
        body = self._get_json("/v1/terminals/me")
        if not isinstance(body, dict) or "id" not in body:
            raise BackofficeBadResponse("terminal: no id")
        return body

    def heartbeat(self, report: dict) -> dict:
        """The kiosk's state; the answer is {server_time, in_service, commands, catalogue_version}."""
        body = self._post_json("/v1/terminals/heartbeat", report)
        if not isinstance(body, dict) or not isinstance(body.get("commands"), list):
            raise BackofficeBadResponse("heartbeat: no command list")
        return body

    def ack_command(self, command_id: int, result: str, outcome: str = "done") -> None:
        """outcome: done, failed, or unavailable (this kiosk cannot do it)."""
        self._post_json(f"/v1/terminals/commands/{int(command_id)}/ack", {"result": result, "outcome": outcome})

    def upload_diagnostics(self, bundle: bytes, command_id: int | None = None) -> dict:
        params = {"command_id": str(command_id)} if command_id is not None else None
        return self._json(self._request("POST", "/v1/terminals/diagnostics", data=bundle, params=params,
                                        headers={"Content-Type": "application/zip"}))

    # --- releases (kiosk/ops/updates/): checked by the kiosk, the back office only hands them out ---
    def release_manifest(self, version: str) -> bytes:
        """The signed manifest as published, byte for byte."""
        return self._request("GET", f"/v1/releases/{quote(version, safe='')}/manifest").content

    def release_bundle(self, version: str, path: Path, timeout_s: float = 300.0) -> None:
        """The release's tarball, written to path."""
        response = self._request("GET", f"/v1/releases/{quote(version, safe='')}/bundle", timeout=timeout_s)
        path.write_bytes(response.content)

    # --- plumbing ------------------------------------------------------------------------
    def _get_json(self, path: str, params: dict[str, str] | None = None, grant: str = "") -> Any:
        return self._json(self._request("GET", path, params=params, headers=_presenting(grant)))

    def _post_json(self, path: str, body: dict, idempotency_key: str | None = None, grant: str = "",
                   timeout: float | None = None) -> Any:
        headers = _presenting(grant)
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return self._json(self._request("POST", path, json=body, headers=headers, timeout=timeout or self.timeout))

    def _request(self, method: str, path: str, **kw) -> requests.Response:
        http = self._http
        from .http_session import RequestException, failure_reason  # loaded with the session

        try:
            timeout = kw.pop("timeout", self.timeout)
            response = http.request(method, self.base_url + path, timeout=timeout, **kw)
        except RequestException as exc:
            self._reachable(False)
            raise BackofficeUnavailable(failure_reason(exc)) from None
        except KeyHolderError as exc:  # nothing was sent: the request could not be signed
            raise BackofficeUnavailable(f"key holder: {exc}") from None
        self._reachable(True)
        if response.status_code >= 400:
            title, detail, problems, extra = "", "", [], {}
            try:
                problem = response.json()
                title, detail = str(problem.get("title", "")), str(problem.get("detail", ""))
                problems = list(problem.get("problems") or [])
                extra = {k: v for k, v in problem.items() if k not in ("type", "title", "status", "detail", "problems")}
            except (ValueError, AttributeError, TypeError):
                pass
            raise BackofficeRefused(response.status_code, title or response.reason or "", detail, problems, extra)
        return response

    def _reachable(self, answered: bool) -> None:
        self.answered_last = answered
        if self.on_reachable is not None:
            self.on_reachable(answered)

    @staticmethod
    def _json(response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise BackofficeBadResponse("body is not JSON") from None


def _summary_fields(item: dict) -> dict:
    """English names are optional: an older back office sends only the Chinese."""
    promised = item.get("promised_date")
    return dict(
        number=str(item["number"]),
        item_name=str(item["item_name"]),
        item_name_en=str(item.get("item_name_en") or ""),
        status=CaseStatus(item["status"]),
        department=str(item["department"]),
        department_en=str(item.get("department_en") or ""),
        received_at=dt.datetime.fromisoformat(item["received_at"]),
        promised_date=dt.date.fromisoformat(promised) if promised else None,
        light=str(item.get("light") or ""),
        sms_notices=item.get("sms_notices") is True,
    )



def _presenting(grant: str) -> dict[str, str]:
    """The headers of a request made for the citizen holding `grant` (none without one).
    Each call names its grant: the outbox's thread delivers an earlier citizen's rating
    while the next citizen holds the glass."""
    return {signing.HEADER_PRESENCE_GRANT: grant} if grant else {}

def _summary(item: dict) -> CaseSummary:
    return CaseSummary(**_summary_fields(item))


def _receipt(body: dict) -> ApplicationReceipt:
    promised = body.get("promised_date")
    return ApplicationReceipt(
        case_number=str(body["case_number"]),
        received_at=dt.datetime.fromisoformat(body["received_at"]),
        terminal_id=str(body.get("terminal_id", "")),
        item_name=str(body["item_name"]),
        item_name_en=str(body.get("item_name_en") or ""),
        item_code=str(body.get("item_code", "")),
        applicant_masked=str(body["applicant_masked"]),
        materials=tuple(ReceivedMaterial(str(m["name"]), MaterialForm(m.get("form", "copy")),
                                         int(m.get("copies", 1)), str(m.get("licence_id", "")),
                                         str(m.get("name_en") or ""))
                        for m in body.get("materials", [])),
        deferred=tuple(DeferredMaterial(str(d["name"]), dt.date.fromisoformat(d["due"]) if d.get("due") else None,
                                        str(d.get("name_en") or ""))
                       for d in body.get("deferred", [])),
        commitment_signed=bool(body.get("commitment_signed")),
        promised_days=int(body.get("promised_days", 0)),
        promised_date=dt.date.fromisoformat(promised) if promised else None,
        tracking_token=str(body.get("tracking_token", "")),
        hotline=str(body.get("hotline", "12345")),
        issuing_office=str(body.get("issuing_office", "")),
        issuing_office_en=str(body.get("issuing_office_en") or ""),
        delivery_method=str(body.get("delivery_method") or ""),
        delivery_address_masked=str(body.get("delivery_address_masked") or ""),
    )


def _shipment(body: dict | None) -> Shipment | None:
    """A posted result's waybill and tracking (an older back office sends none)."""
    if not body:
        return None
    steps = tuple(ShipmentStep(str(s["step"]), dt.datetime.fromisoformat(s["at"]), str(s.get("place", "")))
                  for s in body.get("steps") or ())
    return Shipment(str(body.get("courier", "")), str(body["waybill"]), str(body.get("status", "")), steps)


def _next_step(step: dict | None) -> NextStep | None:
    if not step:
        return None
    entries = step.get("items") or []
    due = step.get("due")
    return NextStep(str(step["action"]), dt.date.fromisoformat(due) if due else None,
                    tuple(_step_item(e, "") for e in entries), tuple(_step_item(e, "_en") for e in entries))


def _step_item(entry: dict, suffix: str) -> str:
    """One thing to do: a deficiency ("material：problem") or a material to supply. With
    suffix "_en" its English, each part falling back to the Chinese."""
    def part(key: str) -> str:
        return str(entry.get(key + suffix) or entry.get(key) or "")

    if entry.get("problem"):
        colon = ": " if suffix else "："
        return f"{part('material')}{colon}{part('problem')}" if entry.get("material") else part("problem")
    return part("name") or str(entry.get("material", ""))


def _timeline_entry(entry: dict) -> TimelineEntry:
    return TimelineEntry(
        at=dt.datetime.fromisoformat(entry["at"]),
        status=CaseStatus(entry["status"]),
        department=str(entry["department"]),
        note=str(entry.get("note", "")),
        department_en=str(entry.get("department_en") or ""),
        note_en=str(entry.get("note_en") or ""),
    )
