"""Runs every benchmark module (or those named on the command line) and writes
BENCHMARKS.md, keeping sections of modules that were not run."""
from __future__ import annotations

import datetime as dt
import importlib
import os
import pkgutil
import platform
import re
import sys
from pathlib import Path

import benchmarks as package

OUT = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
MARK = "<!-- bench:{name} -->"


def machine() -> str:
    cpus = os.cpu_count()
    return f"{platform.machine()}, {cpus} cores, Python {platform.python_version()}, {platform.platform()}"


def main(argv: list[str] | None = None) -> int:
    wanted = set(argv if argv is not None else sys.argv[1:])
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_"))
    sections = _existing_sections()
    for name in names:
        if wanted and name not in wanted and name.removeprefix("bench_") not in wanted:
            continue
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"{package.__name__}.{name}")
        sections[name] = module.run().strip()
    header = (
        "# Benchmarks\n\n"
        "Produced by `make bench` (or `.venv/bin/python -m benchmarks NAME`). Each section names its "
        "command, the baseline measured in the same run, the ratio and the goal.\n\n"
        f"Last run: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %z} on {machine()}.\n"
    )
    body = "\n\n".join(f"{MARK.format(name=n)}\n{sections[n]}" for n in sorted(sections))
    OUT.write_text(header + "\n" + body + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


def _existing_sections() -> dict[str, str]:
    if not OUT.exists():
        return {}
    text = OUT.read_text(encoding="utf-8")
    parts = re.split(r"<!-- bench:(\w+) -->\n", text)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


if __name__ == "__main__":
    sys.exit(main())
