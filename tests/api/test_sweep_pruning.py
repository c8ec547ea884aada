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


def test_the_sweep_deletes_a_passports_proven_face_once_it_expired(tmp_path, monkeypatch):
    """A DG2 face is kept for its face step only: gone the moment it expired, not a day later.
    Face challenges go a day after they expired, as the other challenges; frame digests after a year."""
    from backoffice.models import FaceChallenge, FaceFrameSeen, FaceReference, utcnow

    app = catalogued_app(tmp_path, monkeypatch)
    now = utcnow()
    with app.state.sessions() as session:
        session.add_all([
            *(FaceReference(id=name, terminal_id="T", session_ref="s", citizen_lookup="c", image_enc=b"sealed",
                            created_at=at, expires_at=at + dt.timedelta(minutes=5))
              for name, at in (("expired", now - dt.timedelta(minutes=6)), ("waiting", now))),
            *(FaceChallenge(id=name, terminal_id="T", session_ref="s", citizen_lookup="c", document_kind="passport",
                            action="turn_left", consent_version="v1", tries_left=3, created_at=at,
                            expires_at=at + dt.timedelta(minutes=2))
              for name, at in (("old", now - dt.timedelta(days=2)), ("new", now - dt.timedelta(hours=1)))),
            FaceFrameSeen(digest="a" * 64, seen_at=now - dt.timedelta(days=366)),
            FaceFrameSeen(digest="b" * 64, seen_at=now - dt.timedelta(days=300)),
        ])
        session.commit()
        result = sweep(session, context_on(app, session, D(2026, 6, 1)))
        assert (result["face_references_pruned"], result["face_challenges_pruned"], result["face_frames_pruned"]) \
            == (1, 1, 1)
        assert [r.id for r in session.scalars(select(FaceReference))] == ["waiting"]
        assert [c.id for c in session.scalars(select(FaceChallenge))] == ["new"]
        assert [f.digest[0] for f in session.scalars(select(FaceFrameSeen))] == ["b"]
