"""The soak stops when asked: SIGTERM (`kill PID`, a CI job cancelled) or Ctrl-C (SIGINT
to the whole process group, the back office included) ends a long run after the journey
under way, with the final checks made and the report written and marked as stopped early,
and an exit status that is not a pass (128 + the signal). SDL's offscreen driver used to
take SIGTERM for itself, and the soak ran on to its planned end."""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading

import pytest

PLANNED_CYCLES = 50  # far more than the test lets it run
BOUND_S = 240  # for the kiosk to start, and for the run to end once asked (never reached when it works)


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


@pytest.mark.parametrize("signum, to_group", [(signal.SIGTERM, False), (signal.SIGINT, True)],
                         ids=["SIGTERM to the soak", "Ctrl-C to its process group"])
def test_a_signal_stops_the_soak_with_its_checks_and_report(tmp_path, signum, to_group):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    with open(tmp_path / "stderr.txt", "wb") as err:
        soak = subprocess.Popen([sys.executable, "-m", "proof.soak", "--cycles", str(PLANNED_CYCLES), "--seed", "5",
                                 "--var-dir", str(tmp_path / "var")],
                                env=env, stdout=subprocess.PIPE, stderr=err, text=True,
                                start_new_session=True)  # its own group, as a terminal's foreground job
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=_lines, args=(soak.stdout, lines), daemon=True)
    reader.start()
    out: list[str] = []
    try:
        while True:  # the first progress line: the kiosk is up and walking the journeys
            line = lines.get(timeout=BOUND_S)
            assert line is not None, "the soak ended before it started: " + "".join(out)
            out.append(line)
            if line.startswith(("soak started", "cycle ")):
                break
        if to_group:
            os.killpg(soak.pid, signum)
        else:
            soak.send_signal(signum)
        code = soak.wait(timeout=BOUND_S)
    finally:
        if soak.poll() is None:
            os.killpg(soak.pid, signal.SIGKILL)
            soak.wait()
    reader.join(timeout=10)
    while not lines.empty():
        line = lines.get()
        if line is not None:
            out.append(line)
    text = "".join(out)
    name = signal.Signals(signum).name
    report = json.loads((tmp_path / "var" / "soak-report.json").read_text())
    assert report["stopped_by"] == name, text
    assert report["cycles"] < PLANNED_CYCLES and report["planned"] == f"{PLANNED_CYCLES} cycles"
    assert report["ok"], text  # the checks held on what ran: the back office was there for them
    assert report["outbox_drained"]["ok"] and report["cases"]["ok"], text
    assert f"STOPPED EARLY by {name}" in text and "all checks: held on the part that ran" in text, text
    assert code == 128 + signum, text
