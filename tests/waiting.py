"""Bounded waiting for something another process or thread does: a bound on how long a
failing test hangs, never a speed test."""
from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], what: str = "the condition", timeout: float = 60.0,
               step: float = 0.05) -> T:
    """The condition's first truthy value; fails the test naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(step)
