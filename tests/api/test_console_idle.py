"""A console session left unused ends by itself: a clerk who walks away from a case leaves
no open session behind. The deadline is the server's (staff_tokens.idle_until), moved on by
each page the session opens; the page itself leaves for the sign-in at the same time
(static/console.js), after offering to stay. Times are moved in the database, not waited."""
from __future__ import annotations

import datetime as dt
import re

from tests.api.database import execute_sql, query
from tests.api.test_console import browser  # noqa: F401  (the fixture)

CLERK_TOKENS = "staff_id = (SELECT id FROM staff WHERE username = 'clerk01')"


def deadlines(server) -> list[dt.datetime | None]:
    rows = query(server, f"SELECT idle_until FROM staff_tokens WHERE {CLERK_TOKENS}")
    return [r[0] if not isinstance(r[0], str) else dt.datetime.fromisoformat(r[0]) for r in rows]


def set_deadline(server, when: dt.datetime) -> None:
    execute_sql(server, f"UPDATE staff_tokens SET idle_until = :when WHERE idle_until IS NOT NULL AND {CLERK_TOKENS}",
                when=when)


def only_clerk(server, browser):
    """clerk01 signed in to the console, with no other console session of theirs."""
    execute_sql(server, f"DELETE FROM staff_tokens WHERE idle_until IS NOT NULL AND {CLERK_TOKENS}")
    return browser("clerk01")


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def test_a_console_session_has_an_idle_deadline_and_an_api_token_none(server, browser, staff):
    staff("clerk01")  # a bearer token from /v1/auth/token, as counter software signs in
    clerk = only_clerk(server, browser)
    found = deadlines(server)
    assert None in found, "the API's token has no idle deadline"
    console = [d for d in found if d is not None]
    assert len(console) == 1
    assert dt.timedelta(minutes=14) < console[0] - now() <= dt.timedelta(minutes=15, seconds=5)
    page = clerk.get("/console/queue").text
    # The page leaves for the sign-in a keep-alive step before the server's deadline.
    assert re.search(r'<body data-idle-seconds="840"', page)
    assert 'id="idle-warning"' in page and "hidden" in page


def test_using_a_page_moves_the_deadline_on(server, browser):
    clerk = only_clerk(server, browser)
    set_deadline(server, now() + dt.timedelta(minutes=5))
    assert clerk.get("/console/queue").status_code == 200
    assert all(d - now() > dt.timedelta(minutes=14) for d in deadlines(server) if d is not None)
    # "Stay signed in" does the same, and answers nothing else.
    set_deadline(server, now() + dt.timedelta(seconds=30))
    alive = clerk.get("/console/alive")
    assert alive.status_code == 204 and alive.text == ""
    assert all(d - now() > dt.timedelta(minutes=14) for d in deadlines(server) if d is not None)


def test_a_fresh_deadline_is_not_rewritten_by_every_page(server, browser):
    clerk = only_clerk(server, browser)
    set_deadline(server, now() + dt.timedelta(minutes=14, seconds=50))
    before = [d for d in deadlines(server) if d is not None]
    clerk.get("/console/queue")
    assert [d for d in deadlines(server) if d is not None] == before


def test_an_unused_session_is_signed_out_and_told_why(server, browser):
    clerk = only_clerk(server, browser)
    set_deadline(server, now() - dt.timedelta(seconds=1))
    gone = clerk.get("/console/queue")
    assert gone.status_code == 303 and gone.headers["location"] == "/console/sign-in?idle=1"
    assert 'console_session=""' in gone.headers.get("set-cookie", "")  # the cookie goes too
    told = clerk.get("/console/sign-in?idle=1").text
    assert 'id="idle-note"' in told and "15" in told
    assert not [d for d in deadlines(server) if d is not None], "the session's token is deleted"
    # A form posted from the abandoned page is refused the same way, changing nothing.
    refused = clerk.post("/console/sign-out", {"csrf": "x"}, headers={"HX-Request": "true"})
    assert refused.status_code == 401
    assert ("staff:clerk01",) in query(server, "SELECT actor FROM audit_log WHERE action = 'staff.idle_sign_out'")
    # Signing in again works at once.
    assert browser("clerk01").get("/console/queue").status_code == 200


def test_alive_needs_a_session(browser):
    assert browser().get("/console/alive").status_code == 303


def test_a_page_that_left_by_itself_ends_its_session_but_not_one_in_use(server, browser):
    # The page leaves up to a keep-alive step before the server's deadline: it ends there.
    clerk = only_clerk(server, browser)
    set_deadline(server, now() + dt.timedelta(seconds=30))
    left = clerk.get("/console/sign-in?idle=1")
    assert left.status_code == 200 and 'id="idle-note"' in left.text
    assert not [d for d in deadlines(server) if d is not None]
    assert clerk.get("/console/queue").status_code == 303
    # Another page of the same session was used a moment ago: the idle one goes home instead.
    clerk = only_clerk(server, browser)
    kept = clerk.get("/console/sign-in?idle=1")
    assert kept.status_code == 303 and kept.headers["location"] == "/console/"
    assert clerk.get("/console/queue").status_code == 200
