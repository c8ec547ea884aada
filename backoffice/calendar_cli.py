"""`kiosk-backoffice calendar …`: the county administrator's calendar at the command line.
Everything it changes goes through backoffice.calendar (one transaction, audited)."""
from __future__ import annotations

import json
import sys
from argparse import Namespace

from sqlalchemy.orm import Session

from . import calendar
from .cases import Context
from .holiday_arrangement import ArrangementInvalid, read_arrangement

ACTOR = "system:cli"


def run_calendar(session: Session, ctx: Context, args: Namespace) -> int:
    if args.verb == "import":
        return _import(session, args)
    if args.verb == "list":
        return _list(session, ctx, args)
    if args.verb == "set":
        calendar.set_day(session, args.day, args.kind == "working", args.reason, ACTOR)
        session.commit()
        print(f"{args.day} set as a {args.kind} day")
        return 0
    if args.verb == "delete":
        if not calendar.delete_day(session, args.day, ACTOR):
            print(f"no override for {args.day}", file=sys.stderr)
            return 1
        session.commit()
        print(f"{args.day}: override deleted")
        return 0
    return _status(ctx)


def _import(session: Session, args: Namespace) -> int:
    try:
        arrangement = read_arrangement(args.file, calendar.official)
    except ArrangementInvalid as exc:
        print(f"{args.file}: not imported, {len(exc.problems)} problem(s):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    if args.check:
        print(f"{args.file}: a valid arrangement for {arrangement.year} ({arrangement.notice.number})")
        return 0
    result = calendar.import_arrangement(session, arrangement, ACTOR)
    session.commit()
    print(f"{arrangement.year} imported from {arrangement.notice.number}: {result['days']} days set"
          + (f", {result['kept_by_hand']} set by hand kept" if result["kept_by_hand"] else "")
          + f"; {arrangement.year} declared"
          + (f"; {result['cases_dated']} open case(s) got their dates" if result["cases_dated"] else ""))
    return 0


def _list(session: Session, ctx: Context, args: Namespace) -> int:
    overview = calendar.overview(session, ctx.today(), args.year)
    if args.json:
        print(json.dumps(overview, ensure_ascii=False, indent=2))
        return 0
    print(f"known without a gap until {overview['horizon'] or 'nothing (this year is unknown)'}")
    for year in overview["years"]:
        print(f"{year['year']}: {year['notice_number'] or 'declared by hand'}"
              f"{' of ' + year['notice_issued'] if year['notice_issued'] else ''}, by {year['declared_by']}")
    for day in overview["overrides"]:
        print(f"  {day['day']}  {'working' if day['working'] else 'rest   '}  {day['reason']}  ({day['source']})")
    return 0


def _status(ctx: Context) -> int:
    today = ctx.today()
    work = ctx.calendar
    horizon = work.horizon(today)
    missing = calendar.missing_year(work, today)
    print(f"today {today}; every day known until {horizon or 'nothing: this year is unknown'}")
    if missing is not None:
        print(f"import the State Council's arrangement for {missing}: "
              f"`kiosk-backoffice calendar import FILE`", file=sys.stderr)
        return 1
    return 0
