"""`Idempotency-Key` on every creating POST: a retry with the same key and body gets the
first answer again; the same key with another body is refused. Kept in the database so
every server process sees it. A secret in an answer (a new terminal's) is shown once: it
is never stored, and a replay answers null in its place."""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .db import read_phase
from .driver_statement import DriverStatement
from .errors import ApiError, Invalid
from .models import IdempotencyRecord, utcnow


def idempotent(request: Request, session: Session, scope: str, fingerprint: str,
               produce: Callable[..., tuple[int, dict]], check: Callable[[], Any] | None = None,
               shown_once: tuple[str, ...] = (), look_first: bool = True) -> Response:
    """`check` (optional) reads and validates before anything is written; its result is
    handed to `produce`, which writes but does not commit: what it wrote and the key's
    record commit together, so of tries arriving together only one writes (the others'
    insert of the key fails, their work is rolled back and they answer the first's
    answer). Both run only when the key is new. The answer's members named in
    `shown_once` go to this caller only, never into the store.

    `look_first=False`, for a route whose retries are rare (the fleet's submissions): the
    key is not read before the work but only when the check refuses (a retry of a
    request that passed then is answered, not refused by today's checks) or its record
    cannot be written (a retry: the work is rolled back). One statement fewer a request."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 128:
        raise Invalid("an Idempotency-Key header (1-128 characters) is required")
    # Only a digest is kept: the request itself may carry an ID number.
    fingerprint = hashlib.sha256(fingerprint.encode()).hexdigest()
    with read_phase(session):
        stored = _find(session, scope, key) if look_first else None
        try:
            checked = check() if stored is None and check is not None else None
        except ApiError:
            stored = None if look_first else _find(session, scope, key)
            if stored is None:
                raise
    if stored is not None:
        return _replay(stored, fingerprint)
    try:
        status, body = produce(checked) if check is not None else produce()
        answer = json.dumps(body, ensure_ascii=False, default=str)
        kept = json.dumps({k: (None if k in shown_once else v) for k, v in body.items()}, ensure_ascii=False,
                          default=str) if shown_once else answer
        _STORE.rows(session, {"scope": scope, "key": key, "request_hash": fingerprint, "status_code": status,
                              "body": kept, "created_at": utcnow()})
        session.commit()
    except IntegrityError:
        # A try with the same key arriving together won (its key, or what it made, was
        # written first): ours is rolled back, theirs stands and is answered.
        session.rollback()
        stored = _find(session, scope, key)
        if stored is None:
            raise
        return _replay(stored, fingerprint)
    # The stored text is the answer (less what is shown once): a replay answers those bytes.
    return Response(answer.encode(), status_code=status, media_type="application/json")


# Built once: every creating POST runs both, and building a statement's cache key from
# values given inline cost more than running it.
_records = IdempotencyRecord.__table__
_STORE = DriverStatement(insert(_records).values(
    {name: bindparam(name, type_=_records.c[name].type) for name in _records.c.keys() if name != "id"}))
_FIND = DriverStatement(select(_records.c.request_hash, _records.c.status_code, _records.c.body).where(
    _records.c.scope == bindparam("scope"), _records.c.key == bindparam("key")))


def _find(session: Session, scope: str, key: str):
    """(request_hash, status_code, body) of the key's first answer, or None."""
    return _FIND.first(session, {"scope": scope, "key": key})


def _replay(stored, fingerprint: str) -> JSONResponse:
    if stored.request_hash != fingerprint:
        raise Invalid("this Idempotency-Key was already used with a different request")
    return JSONResponse(json.loads(stored.body), status_code=stored.status_code,
                        headers={"Idempotent-Replayed": "true"})
