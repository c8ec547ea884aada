"""The speech facade the kiosk uses: speak() returns at once; a worker process renders and
plays. A supervisor thread reads the worker's results and heartbeats and restarts a worker
that died or hung. Playback failure (no sound card) is a status, never an exception.

A worker stopped (on close, or to be replaced) leaves nothing behind: its process group
is killed (the worker if it did not end by itself, and any engine or player it started),
both queues are closed and let go (three semaphores and a pipe each), the feeder thread
that wrote to it joined, and its folder of rendered speech removed."""
from __future__ import annotations

import collections
import itertools
import logging
import multiprocessing as mp
import multiprocessing.connection
import os
import queue
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..health import DeviceState, DeviceStatus, SelfTestResult
from .engine import Voice
from .wav import wav_info
from .worker import Request, Result, WorkerConfig
from .worker import main as worker_main

log = logging.getLogger(__name__)

VOLUME_LEVELS = (-2, 2)  # quieter and louder than the profile's volume, two steps each
VOLUME_STEP = 1.3  # each step scales the amplitude by this
MAX_VOLUME = 2.0  # espeak-ng's amplitude 200


@dataclass(frozen=True)
class SpeechSettings:
    rate_wpm: int = 165
    elder_rate_wpm: int = 125  # elder mode: slower and louder
    volume: float = 0.9
    elder_volume: float = 1.0
    hang_s: float = 5.0  # no heartbeat for this long: the worker is restarted
    # A handset or headphones carry the voice (a hardware-profile fact): only then may
    # personal data be spoken; through open speakers the kiosk says a neutral phrase.
    private_audio: bool = False


class Speech:
    def __init__(self, cache_dir: Path, settings: SpeechSettings = SpeechSettings(), *,
                 player: tuple[str, ...] = ("aplay", "-q"), engine_command: str = "espeak-ng",
                 engine_timeout_s: float = 10.0, device: str = "speech"):
        self.settings = settings
        self.device = device
        self.elder_mode = False
        self.volume_level = 0  # the citizen's volume control: VOLUME_LEVELS steps from the profile's volume
        self._config = WorkerConfig(str(cache_dir), tuple(player), engine_command, engine_timeout_s)
        self._ctx = mp.get_context("spawn")  # no fork of a threaded Kivy process
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self._pending: collections.deque[Request] = collections.deque()  # waiting for the lock
        self._process = None
        self._requests = None
        self._results = None
        self._tmp = ""  # the worker's folder for rendered speech
        self._supervisor: threading.Thread | None = None
        self._stop = threading.Event()
        self._last_beat = 0.0
        self._waiters: dict[int, queue.Queue] = {}
        self._listeners: list = []
        self.restarts = 0
        self.last_result: Result | None = None
        self._recent: dict[int, Result] = {}  # final results of the last speak() calls
        self.playback_error = ""
        self.engine_error = ""

    # -- lifecycle ------------------------------------------------------------------------
    def open(self) -> None:
        with self._lock:
            if self._supervisor is not None:
                return
            self._stop.clear()
            if self._process is None:
                self._start_worker()
            self._supervisor = threading.Thread(target=self._supervise, name="speech-supervisor", daemon=True)
            self._supervisor.start()
            self._deliver_pending()  # said before open(): the attract screen's prompt at start

    def close(self) -> None:
        self._stop.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=3)
            self._supervisor = None
        with self._lock:
            self._stop_worker(graceful=True)

    def subscribe(self, listener) -> None:
        """listener(Result) on the supervisor thread: played, interrupted, play_error, ..."""
        self._listeners.append(listener)

    # -- speaking -------------------------------------------------------------------------
    def voice(self, lang: str) -> Voice:
        s = self.settings
        scale = VOLUME_STEP ** self.volume_level
        if self.elder_mode:
            return Voice(lang, s.elder_rate_wpm, min(MAX_VOLUME, s.elder_volume * scale))
        return Voice(lang, s.rate_wpm, min(MAX_VOLUME, s.volume * scale))

    def change_volume(self, steps: int) -> int:
        """Louder (+1) or quieter (-1) within VOLUME_LEVELS; returns the level, -2..+2."""
        low, high = VOLUME_LEVELS
        self.volume_level = max(low, min(high, self.volume_level + steps))
        return self.volume_level

    def speak(self, text: str, lang: str = "zh", priority: int = 0, *, cache: bool = False) -> int:
        """Queues `text`; returns its sequence number. `cache=True` only for fixed prompts."""
        return self._send(Request(next(self._seq), str(text), self.voice(lang), int(priority), bool(cache)))

    def render_to_file(self, text: str, out: Path, lang: str = "zh", *, cache: bool = False,
                       timeout: float = 30.0) -> Result:
        """Renders without playing and waits for the worker's answer."""
        seq = next(self._seq)
        waiter: queue.Queue = queue.Queue()
        self._waiters[seq] = waiter
        try:
            self._send(Request(seq, str(text), self.voice(lang), 0, bool(cache), str(out), play=False))
            return waiter.get(timeout=timeout)
        except queue.Empty:
            return Result(seq, "engine_error", "no answer from the speech worker")
        finally:
            self._waiters.pop(seq, None)

    def wait_for(self, seq: int, timeout: float = 30.0) -> Result:
        """Waits for the final result of a speak() (for diagnostics and tests)."""
        waiter: queue.Queue = queue.Queue()
        self._waiters[seq] = waiter
        try:
            done = self._recent.get(seq)
            return done if done is not None else waiter.get(timeout=timeout)
        except queue.Empty:
            return Result(seq, "engine_error", "no answer from the speech worker")
        finally:
            self._waiters.pop(seq, None)

    def _send(self, request: Request) -> int:
        """Never waits for a worker being restarted (killing and spawning one takes up to
        seconds, and speak() runs on the UI thread): the request waits in `_pending` and
        goes to the new worker."""
        self._pending.append(request)
        if self._lock.acquire(blocking=False):
            try:
                self._deliver_pending()
            finally:
                self._lock.release()
        return request.seq

    def _deliver_pending(self) -> None:
        """With the lock held: hand every waiting request to the worker, in order."""
        if self._stop.is_set():
            self._pending.clear()  # closed: a last word after shutdown must not spawn a worker
            return
        if self._supervisor is None:
            # Not opened yet: open() starts the worker and sends these. A kiosk's first
            # screen speaks before its first frame, which a new interpreter starting up
            # beside it would slow down.
            return
        if self._pending and self._requests is None:
            self._start_worker()
        while self._pending:
            self._requests.put(self._pending.popleft())

    # -- health ---------------------------------------------------------------------------
    def status(self) -> DeviceStatus:
        if self._supervisor is None:
            return DeviceStatus(self.device, "espeak-ng", DeviceState.OFFLINE, detail="not opened")
        if self.engine_error:
            return DeviceStatus(self.device, "espeak-ng", DeviceState.HARDWARE_ERROR, detail=self.engine_error)
        if self.playback_error:
            # speech renders but cannot be heard: the kiosk must lean on text alone
            return DeviceStatus(self.device, "espeak-ng", DeviceState.NO_DEVICE,
                                detail=f"audio output: {self.playback_error}")
        return DeviceStatus(self.device, "espeak-ng", DeviceState.ONLINE,
                            detail=f"worker restarts: {self.restarts}")

    def self_test(self, folder: Path | None = None) -> SelfTestResult:
        import tempfile

        with tempfile.TemporaryDirectory(dir=folder) as tmp:
            results = []
            for lang, text in (("zh", "自助服务终端自检"), ("en", "Self-service terminal check")):
                out = Path(tmp) / f"{lang}.wav"
                result = self.render_to_file(text, out, lang)
                ok = result.outcome == "rendered" and out.exists() and not wav_info(out).silent
                results.append(f"{lang}: {'ok' if ok else result.detail or result.outcome}")
                if not ok:
                    return SelfTestResult(False, self.status(), "; ".join(results))
        status = self.status()
        return SelfTestResult(status.state is DeviceState.ONLINE, status, "; ".join(results))

    # -- worker supervision ---------------------------------------------------------------
    def _start_worker(self) -> None:
        self._tmp = tempfile.mkdtemp(prefix="kiosk-speech-")
        self._requests = self._ctx.Queue()
        self._results = self._ctx.Queue()
        self._process = self._ctx.Process(target=worker_main,
                                          args=(self._requests, self._results, self._config, self._tmp),
                                          name="kiosk-speech", daemon=True)
        try:
            self._process.start()
        except BaseException:  # fork refused (EAGAIN, ENOMEM, EMFILE): nothing half-made stays
            self._stop_worker(graceful=False)
            raise
        self._last_beat = time.monotonic() + 5.0  # grace for the interpreter to start

    def _stop_worker(self, graceful: bool) -> None:
        process, requests, results, tmp = self._process, self._requests, self._results, self._tmp
        self._process = self._requests = self._results = None
        self._tmp = ""
        ended = False
        if process is not None:
            if graceful and not _ended(process):
                try:
                    requests.put(None)
                except (OSError, ValueError):
                    pass
                ended = _ended(process, timeout=2)
            _kill_group(process)  # not reaped yet: its group is still its own
            if process.pid is not None:
                process.join(timeout=2)
        for q in (requests, results):
            if q is None:
                continue
            if ended:  # the worker took everything: the feeder thread has nothing left to write
                q.close()
                q.join_thread()
            else:  # a dead or hung reader: never wait on a feeder thread that may be stuck on a full pipe
                q.cancel_join_thread()
                q.close()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    def _supervise(self) -> None:
        while not self._stop.is_set():
            result = self._next_result()
            if result is not None:
                self._last_beat = time.monotonic()
                if result.outcome != "heartbeat":
                    self._record(result)
                continue
            with self._lock:
                process = self._process
                dead = process is not None and _ended(process)
                hung = process is not None and time.monotonic() - self._last_beat > self.settings.hang_s
                if dead or hung:
                    log.warning("speech worker %s; restarting", "died" if dead else "hung")
                    self._stop_worker(graceful=False)
                    self.restarts += 1
                    self._start_worker()
                    for seq, waiter in list(self._waiters.items()):
                        waiter.put(Result(seq, "engine_error", "speech worker restarted"))
                self._deliver_pending()  # what speak() left while the lock was held

    def _next_result(self) -> Result | None:
        """The worker's next result or heartbeat, if one comes soon (no reference to the
        queue outlives the call: a replaced worker's queue is let go at once)."""
        results = self._results
        if results is None:
            return None
        try:
            return results.get(timeout=0.2)
        except (queue.Empty, OSError, ValueError, EOFError):
            return None

    def _record(self, result: Result) -> None:
        if result.outcome == "play_error":
            self.playback_error = result.detail
        elif result.outcome == "played":
            self.playback_error = ""
        if result.outcome == "engine_error":
            self.engine_error = result.detail
        elif result.outcome in ("rendered", "played"):
            self.engine_error = ""
        self.last_result = result
        self._recent[result.seq] = result
        if len(self._recent) > 64:
            self._recent.pop(next(iter(self._recent)))
        waiter = self._waiters.get(result.seq)
        if waiter is not None:
            waiter.put(result)
        for listener in list(self._listeners):
            try:
                listener(result)
            except Exception:
                log.exception("speech listener failed")


def _ended(process, timeout: float = 0.0) -> bool:
    """Whether the worker has exited, without reaping it (its pid, and so its process
    group's id, stays its own until join())."""
    if process.pid is None:  # never started
        return True
    return bool(mp.connection.wait([process.sentinel], timeout))


def _kill_group(process) -> None:
    """SIGKILL to the worker's process group (the worker, and the engine or player it
    started), or to the worker alone if it has not made its group yet. Only before
    join(): until then the exited worker's pid, the group's id, cannot be reused."""
    if process.pid is None:  # never started: nothing to kill
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass
    process.kill()
