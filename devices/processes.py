"""Stopping a child process the emulators, servers and tests start: asked first (SIGTERM, a
server's orderly shutdown), then killed if it has not gone within the grace."""
from __future__ import annotations

import subprocess


def stop_process(process: subprocess.Popen | None, grace_s: float = 10.0) -> None:
    """Stops `process` (None, or one already gone, is left as it is) and reaps it."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
