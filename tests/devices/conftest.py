"""Fixtures the device tests share."""
from __future__ import annotations

import os

import pytest


@pytest.fixture
def pty_pair():
    """A pseudo-terminal: (the master's descriptor, the slave's device path) for a device
    that talks over a serial line."""
    master, slave = os.openpty()
    yield master, os.ttyname(slave)
    os.close(master)
    os.close(slave)
