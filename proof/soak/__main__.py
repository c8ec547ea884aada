"""`python -m proof.soak --minutes 60` (or `--cycles N`): the soak run; prints a summary,
writes soak-report.json into the var dir.

Stopping early: SIGTERM (`kill PID`, a CI job cancelled) or SIGINT (Ctrl-C) ends the
run after the journey under way: the faults are healed, the outbox drained, every check
made on what ran, and the report written and printed, marked "STOPPED EARLY". A second
signal stops at once, without the checks or the report (the kiosk and the back office
are still shut down). SDL's own SIGTERM handler is turned off (SDL_NO_SIGNAL_HANDLERS):
it turned SIGTERM into a quit event that the soak, pumping Kivy's loop itself, never
acted on, so the soak ran on.

Exit status:
  0        the planned length ran and every check held
  1        a check failed (whether or not the run was stopped early)
  143/130  stopped early by SIGTERM/SIGINT (128 + the signal's number) and the checks
           held on the part that ran: not a pass, as the planned length was not run
  2        bad arguments
--write-benchmarks leaves BENCHMARKS.md alone after a run stopped early."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from proof.soak.report import benchmarks_section, summary
from proof.soak.resources import Tolerance
from proof.soak.run import Plan, Stop, run


class StoppedAtOnce(BaseException):
    """A second SIGTERM or SIGINT: out at once through the `finally` blocks (the kiosk
    and the back office shut down), without the final checks."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def stop_on_signals(stop: Stop) -> None:
    """SIGTERM and SIGINT ask `stop` to end the run; a second one raises StoppedAtOnce.
    Before the kiosk's window exists, or SDL would take SIGTERM for itself."""
    os.environ["SDL_NO_SIGNAL_HANDLERS"] = "1"

    def handler(signum, _frame):
        name = signal.Signals(signum).name
        if stop.requested:
            for other in (signal.SIGTERM, signal.SIGINT):  # the shutdown that follows is not cut short too
                signal.signal(other, signal.SIG_IGN)
            raise StoppedAtOnce(signum)
        stop.request(name)
        # os.write, not print: the handler may run in the middle of a print to the same stream
        os.write(2, f"soak: {name}: stopping after the journey under way, then the final checks and the report "
                    f"({name} again: stop at once)\n".encode())

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m proof.soak", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
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
    stop = Stop()
    stop_on_signals(stop)
    try:
        report = run(Plan(minutes=args.minutes, cycles=args.cycles, seed=args.seed,
                          warmup_cycles=args.warmup_cycles, faults=not args.no_faults, var_dir=args.var_dir,
                          tolerance=Tolerance(rss_share=args.rss_tolerance)),
                     progress=lambda line: print(line, flush=True), stop=stop)
    except StoppedAtOnce as at_once:
        print(f"soak: stopped at once by a second {signal.Signals(at_once.signum).name}: no final checks, "
              "no report", flush=True)
        return 128 + at_once.signum
    print(json.dumps(report, ensure_ascii=False, default=str) if args.json else summary(report), flush=True)
    stopped = report["stopped_by"]
    if args.write_benchmarks:
        if stopped:
            print("BENCHMARKS.md left as it was: the run was stopped early", flush=True)
        else:
            write_section(benchmarks_section(report, "python -m proof.soak " + " ".join(
                a for a in (argv if argv is not None else sys.argv[1:]) if a != "--write-benchmarks")))
    if not report["ok"]:
        return 1
    return 128 + signal.Signals[stopped] if stopped else 0


def write_section(text: str) -> None:
    """Replace (or add) the soak's section of BENCHMARKS.md; the other sections stay, and the
    table of goals at its top is gathered again."""
    from benchmarks.report import measured_on, read_sections, write

    sections = read_sections()
    sections["soak"] = text.strip() + "\n\n" + measured_on()
    write(sections)


if __name__ == "__main__":
    sys.exit(main())
