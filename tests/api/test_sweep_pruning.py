"""The supervision sweep keeps the tables that only serve for a while from growing for
ever: staff tokens, login failures, idempotency records."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from backoffice.supervision import sweep
from tests.api.database import catalogued_app
from tests.api.test_deadlines import context_on

D = dt.date


def test_the_sweep_prunes_what_is_kept_only_for_a_while(tmp_path, monkeypatch):
    """Expired staff tokens, old login failures, month-old idempotency records and passport
    challenges a day past their expiry go; the recent ones stay (a retry within the month
    still answers its first case)."""
    from backoffice.models import IdempotencyRecord, LoginFailure, PassportChallenge, Staff, StaffToken, utcnow

    app = catalogued_app(tmp_path, monkeypatch)
    now = utcnow()
    with app.state.sessions() as session:
        staff = Staff(username="pruned.clerk", password_hash="x", role="clerk")
        session.add(staff)
        session.flush()
        session.add_all([
            StaffToken(token_hash="a" * 64, staff_id=staff.id, expires_at=now - dt.timedelta(minutes=1)),
            StaffToken(token_hash="b" * 64, staff_id=staff.id, expires_at=now + dt.timedelta(hours=8)),
            LoginFailure(username="pruned.clerk", at=now - dt.timedelta(days=1)),
            LoginFailure(username="pruned.clerk", at=now),
            IdempotencyRecord(scope="submit:terminal:T", key="old", request_hash="h", status_code=201, body="{}",
                              created_at=now - dt.timedelta(days=31)),
            IdempotencyRecord(scope="submit:terminal:T", key="new", request_hash="h", status_code=201, body="{}",
                              created_at=now - dt.timedelta(days=29)),
            *(PassportChallenge(id=name, terminal_id="T", session_ref="s", nonce="00" * 8, created_at=at,
                                expires_at=at + dt.timedelta(minutes=2))
              for name, at in (("old", now - dt.timedelta(days=2)), ("new", now))),
        ])
        session.commit()
        result = sweep(session, context_on(app, session, D(2026, 6, 1)))
        assert (result["tokens_pruned"], result["login_failures_pruned"], result["idempotency_pruned"]) == (1, 1, 1)
        assert [t.token_hash[0] for t in session.scalars(select(StaffToken))] == ["b"]
        assert [r.key for r in session.scalars(select(IdempotencyRecord))] == ["new"]
        assert result["passport_challenges_pruned"] == 1
        assert [c.id for c in session.scalars(select(PassportChallenge))] == ["new"]
