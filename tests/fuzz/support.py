"""What every fuzz harness shares: instrumenting the code under test when run as the
fuzzer, splitting an input into text fields, and running libFuzzer through atheris.

A harness is `tests/fuzz/fuzz_<target>.py` with `test_one_input(data: bytes)`. It raises
only on a bug: a documented bad-input exception is caught inside it. Run it as
`python tests/fuzz/fuzz_<target>.py -max_total_time=600 CORPUS_DIR [SEED_DIR]`.
"""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
# The project's own packages: coverage feedback from these, not from the libraries.
OWN_PACKAGES = ["kiosk", "devices", "services", "backoffice"]
FIELD_SEPARATOR = b"\xfe\xff"  # never inside UTF-8, so seeds stay readable


def instrumented(module_name: str):
    """Instrument the imports inside the block only when the harness runs as the fuzzer."""
    if module_name != "__main__":
        return contextlib.nullcontext()
    import atheris

    return atheris.instrument_imports(include=OWN_PACKAGES)


def text(raw: bytes) -> str:
    """Any string: UTF-8 with lone surrogates allowed, else every byte as one character
    (which gives the C0 and C1 controls, ESC and GS among them)."""
    try:
        return raw.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def fields(data: bytes, count: int) -> list[str]:
    """`count` strings from the input's FIELD_SEPARATOR-separated parts ("" when missing)."""
    parts = data.split(FIELD_SEPARATOR)
    return [text(p) for p in parts[:count]] + [""] * max(0, count - len(parts))


def run_fuzzer(test_one_input) -> None:
    import logging

    import atheris

    logging.disable(logging.CRITICAL)  # a bad card's warning on every input slows the run

    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
