"""The speech worker leaves nothing behind, however it ends: restarted because it hung,
stopped by close(), or orphaned by a kiosk process that was killed. Nothing here is a
time limit: each wait is a bound for something that must happen, and the assertions are
about what is left (semaphores, processes, folders)."""
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from multiprocessing import resource_tracker
from pathlib import Path

import pytest

from devices.speech import Speech, SpeechSettings

ROOT = Path(__file__).resolve().parents[2]
EN = "Please place your ID card on the reader"
# The worker's player: a shell that starts another process, as long as a long prompt.
SLOW_PLAYER = ("sh", "-c", "sleep 300; true", "player")
BOUND_S = 30.0  # the longest any wait below may take before it counts as never


def _wait(condition, what: str) -> None:
    deadline = time.monotonic() + BOUND_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"never: {what}")
        time.sleep(0.05)


def _stat(pid: int) -> list[str] | None:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"  # a zombie has ended


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _descendants(pid: int) -> set[int]:
    """Every live process under `pid`, by parent links."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[0] != "Z":
                parents[int(entry.name)] = int(stat[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@pytest.fixture
def semaphores(monkeypatch):
    """The names of the multiprocessing semaphores made and not yet released during the test."""
    live: set[str] = set()
    register, unregister = resource_tracker.register, resource_tracker.unregister

    def counted_register(name, rtype):
        if rtype == "semaphore":
            live.add(name)
        register(name, rtype)

    def counted_unregister(name, rtype):
        if rtype == "semaphore":
            live.discard(name)
        unregister(name, rtype)

    monkeypatch.setattr(resource_tracker, "register", counted_register)
    monkeypatch.setattr(resource_tracker, "unregister", counted_unregister)
    return live


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    """The temp folder the facade and its workers use, this test's alone."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


def test_restarting_and_closing_the_worker_leaves_nothing_behind(tmp_path, own_tmp, semaphores):
    speech = Speech(tmp_path / "cache", SpeechSettings(hang_s=1.0), player=SLOW_PLAYER)
    leftovers: set[int] = set()
    try:
        speech.open()
        made = set()
        for restart in range(1, 4):
            speech.speak(EN, "en")
            _wait(lambda: speech._process is not None and any(
                _cmdline(p).startswith("sleep") for p in _descendants(speech._process.pid)), "the worker playing")
            worker = speech._process.pid
            players = _descendants(worker)
            leftovers |= players | {worker}
            made |= semaphores
            os.kill(worker, signal.SIGSTOP)  # hung, as a wedged worker would be
            _wait(lambda: speech.restarts == restart, "the hung worker replaced")
            # The old worker took the player it was running with it (its aplay would
            # otherwise go on speaking over the new worker).
            _wait(lambda: not any(_alive(p) for p in players | {worker}), "the old worker and its player ended")
            with speech._lock:  # the restart is done under it
                assert len(semaphores) == 6  # the new worker's two queues; the old ones let go
        last = speech._process.pid
        speech.close()
        made |= semaphores
        leftovers.add(last)
        assert not _alive(last)
        assert not semaphores, f"still held after close(): {sorted(semaphores)}"
        assert not [name for name in made if Path("/dev/shm", "sem." + name.lstrip("/")).exists()]
        assert not [t.name for t in threading.enumerate() if t.name == "QueueFeederThread" and t.is_alive()]
        assert not list(own_tmp.glob("kiosk-speech-*")), "a worker's folder of rendered speech was left"
    finally:
        speech.close()
        for pid in leftovers:  # only what this test started, should a check above have failed
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


KIOSK = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from devices.speech import Speech

    if __name__ == "__main__":
        speech = Speech(Path(sys.argv[1]))
        speech.open()
        print(speech._process.pid, flush=True)
        time.sleep(600)  # killed long before
""")


def test_the_worker_ends_when_the_kiosk_process_is_killed(tmp_path):
    """A kiosk killed without closing its speech (SIGKILL, a crash): the worker must not
    loop on for ever, keeping the resource tracker and its semaphores."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    script = tmp_path / "kiosk.py"
    script.write_text(KIOSK)
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": str(ROOT)}
    kiosk = subprocess.Popen([sys.executable, str(script), str(tmp_path / "cache")], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    worker = None
    try:
        worker = int(kiosk.stdout.readline())
        assert _alive(worker)
        kiosk.kill()
        kiosk.wait()
        _wait(lambda: not _alive(worker), "the orphaned worker ended")
        assert not list(tmp.glob("kiosk-speech-*")), "the worker's folder of rendered speech was left"
    finally:
        kiosk.kill()
        kiosk.wait()
        kiosk.stdout.close()
        if worker is not None and _alive(worker):  # the worker this test's kiosk started
            os.kill(worker, signal.SIGKILL)


def test_a_worker_that_could_not_start_leaves_the_facade_closable(tmp_path, own_tmp, monkeypatch):
    """fork() refused (EAGAIN, ENOMEM): open() says so, nothing half-made stays, and close()
    still works, so the kiosk's shutdown goes on to its other devices."""
    speech = Speech(tmp_path / "cache", SpeechSettings())

    class RefusedProcess:
        def __init__(self, *args, **kwargs):
            self.pid = None

        def start(self):
            raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(speech._ctx, "Process", RefusedProcess)
    with pytest.raises(BlockingIOError):
        speech.open()
    assert speech._process is None and speech._requests is None and speech._results is None
    assert not list(own_tmp.glob("kiosk-speech-*"))
    speech.close()  # raised ValueError("process not started") before
