"""`python -m kiosk.soak --minutes 60` (or `--cycles N`): the soak run; prints a summary,
writes soak-report.json into the var dir, exits 0 only if every check held."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .report import summary
from .resources import Tolerance
from .run import Plan, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.soak", description=__doc__)
    length = parser.add_mutually_exclusive_group(required=True)
    length.add_argument("--minutes", type=float, help="run every journey in a loop for this long")
    length.add_argument("--cycles", type=int, help="or this many cycles of every journey")
    parser.add_argument("--seed", type=int, default=1, help="the faults' random seed (logged)")
    parser.add_argument("--warmup-cycles", type=int, help="cycles before resources are compared (default: a third)")
    parser.add_argument("--rss-tolerance", type=float, default=0.05,
                        help="RSS growth allowed after the warm-up, as a share (default 0.05)")
    parser.add_argument("--no-faults", action="store_true", help="every journey without faults")
    parser.add_argument("--var-dir", type=Path, help="back office, kiosk files, report (default: a new temp dir)")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    args = parser.parse_args(argv)
    report = run(Plan(minutes=args.minutes, cycles=args.cycles, seed=args.seed, warmup_cycles=args.warmup_cycles,
                      faults=not args.no_faults, var_dir=args.var_dir,
                      tolerance=Tolerance(rss_share=args.rss_tolerance)),
                 progress=lambda line: print(line, flush=True))
    print(json.dumps(report, ensure_ascii=False, default=str) if args.json else summary(report), flush=True)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
