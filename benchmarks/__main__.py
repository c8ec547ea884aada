"""Runs every benchmark module (or those named on the command line) and writes
BENCHMARKS.md, keeping sections of modules that were not run."""
from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks as package

from .report import measured_on, read_sections, write


def main(argv: list[str] | None = None) -> int:
    wanted = set(argv if argv is not None else sys.argv[1:])
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("bench_"))
    for name in names:
        if wanted and name not in wanted and name.removeprefix("bench_") not in wanted:
            continue
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"{package.__name__}.{name}")
        section = module.run().strip() + "\n\n" + measured_on()
        sections = read_sections()  # as it is now: a soak may have written its own meanwhile
        sections[name] = section
        write(sections)  # each section as soon as it is measured
    print("wrote BENCHMARKS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
