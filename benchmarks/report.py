"""BENCHMARKS.md: its sections, one per benchmark (each between `<!-- bench:NAME -->`
marks, kept when another benchmark is run), and the table of goals at the top.

Every goal a benchmark judges is written as one line of the same form (`goal_line`), so
the table can gather them all from the sections, whichever run wrote them:

    - **Goal**: tap to next screen drawn, p95 under 100 ms — measured 128.9 ms — **missed**
"""
from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
MARK = "<!-- bench:{name} -->"
GOAL = re.compile(r"^- \*\*Goal\*\*: (?P<goal>.+?) — measured (?P<measured>.+?) — \*\*(?P<verdict>met|missed)\*\*\s*$",
                  re.MULTILINE)


def goal_line(goal: str, measured: str, met: bool) -> str:
    return f"- **Goal**: {goal} — measured {measured} — **{'met' if met else 'missed'}**"


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"


def measured_on() -> str:
    """The last line of every section: when, on what, and of which code."""
    return f"*Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z} on {machine()}{_commit()}.*"


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=OUT.parent, capture_output=True,
                              text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return f", commit {head}" if head else ""


def read_sections(path: Path = OUT) -> dict[str, str]:
    if not path.exists():
        return {}
    parts = re.split(r"<!-- bench:(\w+) -->\n", path.read_text(encoding="utf-8"))
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def write(sections: dict[str, str], path: Path = OUT) -> None:
    header = (
        "# Benchmarks\n\n"
        "Produced by `make bench` (or `.venv/bin/python -m benchmarks NAME`; the soak by `python -m proof.soak "
        "--write-benchmarks`). Each section names its command, the machine, the baseline measured in the same "
        "run, the ratio and the goal; the table below gathers every goal from the sections.\n\n"
        "Each section ends with when and on what machine it was measured, and says so where the machine "
        "was busy with other work at the time.\n"
    )
    body = "\n\n".join(f"{MARK.format(name=name)}\n{sections[name]}" for name in sorted(sections))
    path.write_text(header + "\n" + goals_table(sections) + "\n\n" + body + "\n", encoding="utf-8")


def goals_table(sections: dict[str, str]) -> str:
    rows = ["## Goals", "", "| benchmark | goal | measured | verdict |", "|---|---|---|---|"]
    met = missed = 0
    for name in sorted(sections):
        text = sections[name]
        title = _title(text) or name
        for goal in GOAL.finditer(text):
            verdict = goal["verdict"]
            met, missed = met + (verdict == "met"), missed + (verdict == "missed")
            rows.append(f"| [{title}](#{anchor(title)}) | {goal['goal']} | {goal['measured']} | **{verdict}** |")
    rows += ["", f"{met} goals met, {missed} missed."]
    return "\n".join(rows)


def _title(section: str) -> str:
    heading = re.search(r"^## (.+)$", section, re.MULTILINE)
    return heading.group(1).strip() if heading else ""


def anchor(title: str) -> str:
    """The id a Markdown renderer (GitHub's rules) gives a heading."""
    kept = re.sub(r"[^\w\- ]", "", title.lower())
    return kept.replace(" ", "-")
