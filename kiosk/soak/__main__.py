"""`python -m kiosk.soak --minutes 60` (or `--cycles N`): the soak run; prints a summary,
writes soak-report.json into the var dir, exits 0 only if every check held."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .report import benchmarks_section, summary
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
    parser.add_argument("--write-benchmarks", action="store_true",
                        help="put the result into BENCHMARKS.md's soak section")
    args = parser.parse_args(argv)
    report = run(Plan(minutes=args.minutes, cycles=args.cycles, seed=args.seed, warmup_cycles=args.warmup_cycles,
                      faults=not args.no_faults, var_dir=args.var_dir,
                      tolerance=Tolerance(rss_share=args.rss_tolerance)),
                 progress=lambda line: print(line, flush=True))
    print(json.dumps(report, ensure_ascii=False, default=str) if args.json else summary(report), flush=True)
    if args.write_benchmarks:
        write_section(benchmarks_section(report, "python -m kiosk.soak " + " ".join(
            a for a in (argv if argv is not None else sys.argv[1:]) if a != "--write-benchmarks")))
    return 0 if report["ok"] else 1


def write_section(text: str) -> None:
    """Replace (or add) the soak's section of BENCHMARKS.md; the other sections stay."""
    from benchmarks.__main__ import MARK, OUT

    mark = MARK.format(name="soak")
    current = OUT.read_text(encoding="utf-8") if OUT.exists() else "# Benchmarks\n"
    if mark in current:
        head, rest = current.split(mark, 1)
        following = rest.find("<!-- bench:")
        tail = rest[following:] if following >= 0 else ""
        current = head + mark + "\n" + text.strip() + "\n\n" + tail
    else:
        current = current.rstrip() + "\n\n" + mark + "\n" + text.strip() + "\n"
    OUT.write_text(current.rstrip() + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
