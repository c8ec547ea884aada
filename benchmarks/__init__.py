"""Benchmarks (`make bench`). Each `bench_*.py` module defines `run() -> str`, returning a
Markdown section (with the command that produced it, the baseline measured in the same run
and ratios against it). Nothing here is a test: no figure fails a build."""
