"""Who is calling: terminals sign every request (HMAC-SHA256, fresh timestamp, one-time
nonce); staff present bearer tokens and act within their role."""
from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Callable

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import String, bindparam, case, delete, exists, func, insert, null, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain import signing

from . import audit
from .db import stands_alone, statements_stand_alone
from .driver_statement import DriverStatement
from .errors import Forbidden, Unauthorized
from .models import LoginFailure, Staff, StaffToken, Terminal, TerminalNonce, utcnow
from .security import totp
from .security.crypto import check_password, hash_password, needs_rehash, token_hash, unknown_user_hash

ROLES = ("clerk", "approver", "supervisor", "admin")

log = logging.getLogger(__name__)


async def get_db(request: Request):
    """The request's session. Async so FastAPI does not spend two thread-pool hops on it:
    making a Session does no I/O, and closing one only does when an error left a
    transaction open (every step commits its own), which is then rolled back off the loop."""
    session = request.app.state.sessions()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


@dataclass(frozen=True)
class Caller:
    kind: str  # "terminal" | "staff"
    name: str  # terminal id or username
    role: str = ""  # staff role
    department_code: str = ""
    signed_with_previous: bool = False  # a terminal still on its secret from before a rotation
    # The request's nonce when its endpoint writes it (with_replay_guard); else written already.
    replay_guard: "ReplayGuard | None" = field(default=None, compare=False, hash=False)

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"


@dataclass
class ReplayGuard:
    """A verified request's nonce, written by its endpoint's first statement instead of on
    its own (with_replay_guard): one round trip fewer for the fleet's heartbeats. Only
    where statements stand alone (PostgreSQL), so that statement commits it at once.

    `secret_enc`: the terminal's secret the signature was checked with came from this
    process's memory (KnownSecrets), not from the database just now; the statement writes
    the nonce only while it is still the terminal's current secret and the terminal is
    enabled, and else fails, and `recheck` (the full check, from the database) decides."""
    terminal_id: str
    nonce: str
    written: bool = False
    secret_enc: str = ""
    recheck: Callable[[], None] | None = field(default=None, repr=False)


# Built once, on the tables rather than the mapped classes: every terminal request runs
# them, and building, keying and ORM-compiling them cost more CPU than the database's answer.
_nonces, _terminals = TerminalNonce.__table__, Terminal.__table__
# The nonce's terminal is NULL (refused by the column) when the secret the signature was
# checked with is no longer the terminal's, or the terminal was disabled meanwhile.
_KEY_STILL_CURRENT = or_(bindparam("guard_secret", type_=String) == "", exists().where(
    _terminals.c.id == bindparam("guard_terminal", type_=String),
    _terminals.c.secret_enc == bindparam("guard_secret"), _terminals.c.disabled.is_(False)))
_GUARD_INSERT = insert(_nonces).from_select(["terminal_id", "nonce", "seen_at"], select(
    case((_KEY_STILL_CURRENT, bindparam("guard_terminal")), else_=null()),
    bindparam("guard_nonce", type_=String), bindparam("guard_at", type_=_nonces.c.seen_at.type)))
_GUARD = DriverStatement(_GUARD_INSERT)
NOT_NULL_VIOLATION = "23502"  # PostgreSQL's SQLSTATE


def with_replay_guard(statement):
    """The statement writing the request's nonce first, in a CTE of its own: PostgreSQL runs
    it whatever the statement matches, and a nonce already seen fails the whole statement,
    as does a secret from memory that is no longer the terminal's (ReplayGuard)."""
    return statement.add_cte(_GUARD_INSERT.cte("replay_guard"))


def execute_guarded(session: Session, statement: DriverStatement, values: dict, guard: ReplayGuard) -> list:
    """Runs a statement made by with_replay_guard, its rows; a replayed request is refused
    as the signature check refuses one. Where the secret from memory was no longer current, the
    statement wrote nothing: the full check runs and, if it passes, the statement again."""
    while True:
        try:
            rows = statement.rows(session, {
                **values, "guard_terminal": guard.terminal_id, "guard_nonce": guard.nonce, "guard_at": utcnow(),
                "guard_secret": guard.secret_enc})
        except IntegrityError as exc:
            session.rollback()
            if guard.secret_enc and guard.recheck and getattr(exc.orig, "sqlstate", "") == NOT_NULL_VIOLATION:
                guard.recheck()  # refuses as the signature check does
                guard.secret_enc = ""
                continue
            raise _unauthorized("replayed request") from None
        guard.written = True
        return rows


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


_TERMINAL_KEYS = select(_terminals.c.secret_enc, _terminals.c.disabled, _terminals.c.secret_previous_enc,
                        _terminals.c.secret_previous_until).where(_terminals.c.id == bindparam("terminal_id"))
_NONCE = insert(_nonces)


class KnownSecrets:
    """Per process (app.state): each terminal's current secret as last verified against the
    database, decrypted, so a terminal request's signature is checked without reading it
    again (the nonce's statement then checks the secret is still current: ReplayGuard).
    The process holds the key that decrypts every secret anyway; keeping some decrypted
    gives nobody who can read its memory anything more."""

    MAX = 100_000  # terminals: a province's fleet many times over; past it, start again

    def __init__(self):
        self._secrets: dict[str, tuple[str, str]] = {}

    def get(self, terminal_id: str) -> tuple[str, str] | None:
        return self._secrets.get(terminal_id)

    def remember(self, terminal_id: str, secret_enc: str, secret: str) -> None:
        if len(self._secrets) >= self.MAX:
            self._secrets.clear()
        self._secrets[terminal_id] = (secret_enc, secret)

    def forget(self, terminal_id: str) -> None:
        self._secrets.pop(terminal_id, None)


def _terminal_from_signature(request: Request, session: Session, body: bytes, keep_connection: bool = False) -> Caller:
    """keep_connection: leave the session on its connection for the route's own statements
    that stand alone (db.statements_stand_alone); where they do (PostgreSQL) the nonce is
    left to the route's first statement (Caller.replay_guard, with_replay_guard). On
    PostgreSQL a secret verified before in this process is checked from memory
    (KnownSecrets), for every route: the nonce's statement checks it is still current."""
    h = request.headers
    terminal_id = h.get(signing.HEADER_TERMINAL, "")
    timestamp = h.get(signing.HEADER_TIMESTAMP, "")
    nonce = h.get(signing.HEADER_NONCE, "")
    signature = h.get(signing.HEADER_SIGNATURE, "")
    if not (terminal_id and timestamp and nonce and signature) or len(nonce) > 64:
        raise _unauthorized("missing or malformed signature headers")
    settings = request.app.state.settings
    try:
        skew = abs(time.time() - int(timestamp))
    except ValueError:
        raise _unauthorized("bad timestamp") from None
    if skew > settings.signature_window_s:
        raise _unauthorized("stale timestamp: check the terminal clock")

    def signed_with(secret: str) -> bool:
        expected = signing.sign(secret, request.method, request.url.path, request.url.query, timestamp, nonce, body)
        return hmac.compare_digest(expected, signature)

    # Core statements, not ORM objects: every terminal request passes here. The nonce
    # INSERT alone is the replay guard, so it needs no transaction around it.
    statements_stand_alone(session)
    alone = stands_alone(session)
    guarded = keep_connection and alone
    known = _known_secrets(request) if alone else None
    remembered = known.get(terminal_id) if known is not None else None
    if known is not None and remembered is not None and signed_with(remembered[1]):
        rechecked: list[bool] = []  # whether signed with the previous secret, once checked

        def recheck() -> None:
            known.forget(terminal_id)
            rechecked.append(_check_against_the_database(request, session, terminal_id, signed_with))

        guard = ReplayGuard(terminal_id, nonce, secret_enc=remembered[0], recheck=recheck)
        if guarded:
            return Caller("terminal", terminal_id, replay_guard=guard)
        # The nonce now, on its own, written only while the remembered secret is current.
        execute_guarded(session, _GUARD, {}, guard)
        return Caller("terminal", terminal_id, signed_with_previous=any(rechecked))
    on_previous = _check_against_the_database(request, session, terminal_id, signed_with, known)
    # The nonce table is the replay guard; it is in the database so every server process
    # sees it. Old nonces are pruned by the sweep once outside the timestamp window.
    if guarded:
        return Caller("terminal", terminal_id, signed_with_previous=on_previous,
                      replay_guard=ReplayGuard(terminal_id, nonce))
    try:
        session.execute(_NONCE, {"terminal_id": terminal_id, "nonce": nonce})
        if not keep_connection:  # else the route's own commit ends the one transaction (one write lock on SQLite)
            session.commit()
    except IntegrityError:
        session.rollback()
        raise _unauthorized("replayed request") from None
    return Caller("terminal", terminal_id, signed_with_previous=on_previous)


def _known_secrets(request: Request) -> KnownSecrets:
    state = request.app.state
    if getattr(state, "known_secrets", None) is None:
        state.known_secrets = KnownSecrets()
    return state.known_secrets


def _check_against_the_database(request: Request, session: Session, terminal_id: str,
                                signed_with: Callable[[str], bool], known: KnownSecrets | None = None) -> bool:
    """The signature against the terminal's secrets as the database holds them now: True
    when made with the previous one, still in its overlap; 401 or 403 otherwise. A
    current secret verified here is remembered in `known`."""
    row = session.execute(_TERMINAL_KEYS, {"terminal_id": terminal_id}).first()
    if row is None:
        raise _unauthorized("unknown terminal")
    secret_enc, disabled, previous_enc, previous_until = row
    vault = request.app.state.vault
    previous = bool(previous_enc) and previous_until is not None and previous_until > utcnow()
    secret = vault.decrypt(secret_enc, "terminal-secret")
    if signed_with(secret):
        on_previous = False
        if previous_enc:  # the new secret is in use: the old one's overlap ends now
            session.execute(update(Terminal).where(Terminal.id == terminal_id).values(
                secret_previous_enc="", secret_previous_until=None))
    elif previous and signed_with(vault.decrypt(previous_enc, "terminal-secret")):
        on_previous = True
    else:
        raise _unauthorized("bad signature")
    if disabled:  # told only to the terminal itself, once its signature is right
        raise HTTPException(403, "this terminal is disabled: ask the county's IT to enable it")
    if known is not None and not on_previous:
        known.remember(terminal_id, secret_enc, secret)
    return on_previous


def _staff_from_token(request: Request, session: Session) -> Caller | None:
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        return None
    staff = staff_of_token(session, auth[7:].strip())
    if staff is None:
        raise _unauthorized("invalid or expired token")
    return staff


def staff_of_token(session: Session, token: str) -> Caller | None:
    """The staff member a live token is for; None when it is unknown, expired or its
    account disabled. The API's bearer tokens and the console's session cookie alike."""
    row = session.get(StaffToken, token_hash(token)) if token else None
    now = utcnow()
    if row is None or row.expires_at < now or not row.staff.active or (row.idle_until and row.idle_until < now):
        return None
    staff = row.staff
    return Caller("staff", staff.username, staff.role, staff.department_code)


def role_may(who: Caller, allowed: tuple[str, ...] | list[str]) -> bool:
    """Whether a staff member's role is among `allowed` (an admin may do whatever any staff
    role may). The one rule for the API's routes and the console's pages."""
    staff_roles = [r for r in allowed if r in ROLES]
    return who.kind == "staff" and (who.role in staff_roles or (who.role == "admin" and bool(staff_roles)))


def identify(request: Request, session: Session, body: bytes, allowed: tuple[str, ...],
             keep_connection: bool = False) -> Caller:
    """The caller, if among `allowed`: staff by their token, a terminal by its signature
    over `body` (keep_connection: see _terminal_from_signature)."""
    staff = _staff_from_token(request, session)
    if staff is not None:
        if role_may(staff, allowed):
            return staff
        raise HTTPException(403, f"role {staff.role} may not do this")
    if request.headers.get(signing.HEADER_SIGNATURE):
        terminal = _terminal_from_signature(request, session, body, keep_connection)
        if "terminal" in allowed:
            return terminal
        raise HTTPException(403, "terminals may not do this")
    raise _unauthorized("sign the request or present a staff token")


def caller(*allowed: str):
    """Dependency: a signed terminal ("terminal") and/or staff with one of the roles
    (an admin may do whatever any staff role may)."""

    def identify_in_own_transaction(request: Request, session: Session, body: bytes) -> Caller:
        # FastAPI runs dependencies and the route as separate steps in its thread pool. A
        # transaction left open between steps keeps SQLite's write lock (BEGIN IMMEDIATE)
        # while the next step waits for a free thread, possibly behind threads waiting for
        # that very lock; so each step ends its own transaction.
        try:
            return identify(request, session, body, allowed)
        finally:
            if session.in_transaction():
                session.commit()

    async def dependency(request: Request, session: Session = Depends(get_db)) -> Caller:
        # The body is read here, on the event loop; the database work runs in the thread
        # pool like the routes'. Blocking queries on the event loop stall every request,
        # and on SQLite a transaction opened there (BEGIN IMMEDIATE) held the write lock
        # across an await while the loop waited on that same lock for another request.
        body = await request.body()
        return await run_in_threadpool(identify_in_own_transaction, request, session, body)

    dependency.identifies_caller = True  # the OpenAPI document lists 401 and 403 for it
    dependency.allowed = allowed  # routes.one_step identifies the caller itself
    return dependency


# Sign-in throttling: free tries, then a wait that doubles with each further failure (up
# to the window). Per account from one address, per address, and per account from all
# addresses: an attacker's failures slow the attacker, not the clerk at another desk, and
# no number of failures locks an account for good.
THROTTLE_BASE_S = 30
FREE_TRIES = {"account_here": 5, "address": 20, "account": 50}


def login(session: Session, settings, username: str, password: str, client: str = "", *,
          totp_code: str = "", vault=None, idle_s: int | None = None) -> tuple[str, Staff, dt.datetime]:
    """A new token for the account; for roles in `settings.mfa_roles` only with the
    authenticator's current code too (`vault` opens its secret). With `idle_s` (the
    console's sessions) it also ends once unused that long (staff_accounts.keep_alive)."""
    now = utcnow()
    wait = _throttled(session, settings, username, client[:64], now)
    if wait > 0:
        log.warning("staff sign-in throttled", extra={"client": client[:64], "wait_s": wait})
        raise HTTPException(429, "too many failed sign-ins; wait and try again", headers={"Retry-After": str(wait)})
    staff = session.scalar(select(Staff).where(Staff.username == username))
    usable = staff is not None and staff.active
    # The same work whether or not the account exists, so the answer's time tells nothing.
    right = check_password(password, staff.password_hash if usable else unknown_user_hash())
    if not (usable and right):
        session.add(LoginFailure(username=username, client=client[:64]))
        session.commit()
        # Not the name typed: a password typed into the name field would reach the log.
        log.warning("staff sign-in refused", extra={"client": client[:64], "reason": "password"})
        raise _unauthorized("wrong username or password")
    if staff.role in settings.mfa_roles:
        _check_second_factor(session, vault, staff, totp_code, client[:64])
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)  # an older hash, replaced now it is known
    session.execute(delete(LoginFailure).where(LoginFailure.username == username,
                                               LoginFailure.client == client[:64]))
    staff.last_sign_in_at = now
    token = secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(seconds=settings.token_ttl_s)
    idle_until = utcnow() + dt.timedelta(seconds=idle_s) if idle_s else None
    session.add(StaffToken(token_hash=token_hash(token), staff_id=staff.id, expires_at=expires,
                           idle_until=idle_until))
    session.commit()
    log.info("staff signed in", extra={"account": staff.username, "role": staff.role, "client": client[:64]})
    return token, staff, expires



def _check_second_factor(session: Session, vault, staff: Staff, code: str, client: str) -> None:
    """The password was right; the account's role also needs the authenticator's code. A
    wrong code counts as a failed sign-in (throttled like a wrong password); a code whose
    time step was already used is refused, so one seen cannot be used again."""
    if not staff.totp_secret_enc:
        raise Forbidden("this account needs an authenticator before it can sign in: "
                        "the county's IT enrols it with kiosk-backoffice enroll-totp", code="totp_not_enrolled")
    if not code.strip():
        raise Unauthorized("enter the six-digit code from your authenticator", code="totp_required")
    step = totp.matching_step(vault.decrypt(staff.totp_secret_enc, "staff-totp"), code, staff.totp_last_step)
    if step is None:
        session.add(LoginFailure(username=staff.username, client=client))
        session.commit()
        log.warning("staff sign-in refused", extra={"client": client, "reason": "totp"})
        raise Unauthorized("wrong or already used one-time code", code="totp_wrong")
    staff.totp_last_step = step


def enroll_second_factor(session: Session, vault, username: str, actor: str) -> str | None:
    """A new authenticator secret for the account (an earlier one stops working); None
    when there is no such account. The secret is shown once, to be scanned, and kept
    only encrypted."""
    staff = session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        return None
    secret = totp.new_secret()
    staff.totp_secret_enc = vault.encrypt(secret, "staff-totp")
    staff.totp_last_step = 0
    audit.record(session, actor, "staff.totp_enrol", username)
    session.commit()
    return secret


def _throttled(session: Session, settings, username: str, client: str, now: dt.datetime) -> int:
    """Seconds to wait before another try (0: go ahead)."""
    since = now - dt.timedelta(seconds=settings.login_window_s)
    scopes = {"account_here": (LoginFailure.username == username, LoginFailure.client == client),
              "address": (LoginFailure.client == client,), "account": (LoginFailure.username == username,)}
    wait = 0.0
    for scope, conditions in scopes.items():
        count, last = session.execute(select(func.count(), func.max(LoginFailure.at)).where(
            LoginFailure.at >= since, *conditions)).one()
        extra = count - FREE_TRIES[scope]
        if extra >= 0 and last is not None:
            delay = min(THROTTLE_BASE_S * 2 ** min(extra, 16), settings.login_window_s)
            wait = max(wait, (last + dt.timedelta(seconds=delay) - now).total_seconds())
    return max(0, int(wait + 0.999))
