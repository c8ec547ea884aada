"""The fuzz harnesses in the test run: every corpus input replayed in-process, then each
harness fuzzed by atheris (libFuzzer) for a few seconds in a subprocess. Longer runs:
`make fuzz` (README, "Fuzzing")."""
from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

from tests.fuzz.support import CORPUS, ROOT

HERE = ROOT / "tests" / "fuzz"
TARGETS = sorted(p.stem.removeprefix("fuzz_") for p in HERE.glob("fuzz_*.py"))
# Seconds of fuzzing per harness: four of them (plus start-up) stay within a minute of
# the test run on a 2-core machine.
SHORT_RUN_S = 9


def test_every_harness_has_a_seed_corpus():
    assert TARGETS == ["ga467", "passport", "qrtoken", "receipts"]
    for target in TARGETS:
        assert any((CORPUS / target).iterdir()), f"no seeds for {target}"


@pytest.mark.parametrize("target", TARGETS)
def test_the_corpus_replays_without_a_failure(target):
    harness = importlib.import_module(f"tests.fuzz.fuzz_{target}")
    for entry in sorted((CORPUS / target).iterdir()):
        try:
            harness.test_one_input(entry.read_bytes())
        except Exception as exc:
            raise AssertionError(f"corpus/{target}/{entry.name}: {type(exc).__name__}: {exc}") from exc


@pytest.mark.parametrize("target", TARGETS)
def test_a_short_fuzzing_run_finds_no_crash(target, tmp_path):
    found = tmp_path / "found"  # new inputs go here, never into the checked-in corpus
    found.mkdir()
    run = subprocess.run(
        [sys.executable, str(HERE / f"fuzz_{target}.py"), f"-max_total_time={SHORT_RUN_S}",
         "-timeout=20", f"-artifact_prefix={tmp_path}/", str(found), str(CORPUS / target)],
        cwd=ROOT, capture_output=True, text=True, timeout=SHORT_RUN_S * 10 + 120,
    )
    artifacts = sorted(p.name for p in tmp_path.glob("*-*") if p.is_file())
    assert run.returncode == 0 and not artifacts, (
        f"fuzz_{target} failed (exit {run.returncode}, {artifacts}); reproduce with "
        f"python tests/fuzz/fuzz_{target}.py ARTIFACT\n" + run.stderr[-4000:])
