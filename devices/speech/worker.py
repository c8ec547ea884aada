"""The speech worker process: takes requests from a queue, renders them (or takes them
from the prompt cache) and plays them with aplay, checking the queue while playing so
newer speech of the same or higher priority cuts in. Results go back on a second queue,
with a heartbeat so the parent can tell a hung worker from a quiet one.

The worker leads its own process group, so the parent stopping a hung worker by force
takes the engine or player it had started with it (a killed worker's aplay would go on
speaking over the next one). It renders into a folder the parent made for it, removed
when the worker ends (by the worker, or by the parent after killing it). It ends by
itself when the kiosk process is gone (a kiosk killed without closing its speech would
otherwise leave the worker looping for ever, and with it the multiprocessing resource
tracker and the queues' semaphores)."""
from __future__ import annotations

import multiprocessing
import os
import queue
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .cache import PromptCache
from .engine import EngineError, EspeakEngine, Voice

HEARTBEAT_S = 0.5


@dataclass(frozen=True)
class Request:
    seq: int
    text: str
    voice: Voice
    priority: int = 0
    cache: bool = False
    out: str = ""  # render to this file and do not play
    play: bool = True


@dataclass(frozen=True)
class Result:
    seq: int  # 0 for heartbeats
    outcome: str  # rendered | played | interrupted | dropped | engine_error | play_error | heartbeat
    detail: str = ""
    cached: bool = False
    pid: int = field(default_factory=os.getpid)


@dataclass(frozen=True)
class WorkerConfig:
    cache_dir: str
    player: tuple[str, ...] = ("aplay", "-q")
    engine_command: str = "espeak-ng"
    engine_timeout_s: float = 10.0


class _Worker:
    def __init__(self, requests, results, config: WorkerConfig, tmp: Path | None = None):
        self.requests, self.results, self.config = requests, results, config
        self.engine = EspeakEngine(config.engine_command, config.engine_timeout_s)
        self.cache = PromptCache(Path(config.cache_dir))
        self.pending: list[Request] = []
        self.tmp = tmp if tmp is not None else Path(tempfile.mkdtemp(prefix="kiosk-speech-"))
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.last_beat = 0.0
        # the pid recorded by the parent: it may have died already while this interpreter started
        parent = multiprocessing.parent_process()
        self.parent = parent.pid if parent is not None else os.getppid()

    @property
    def orphaned(self) -> bool:
        """The kiosk process that started this worker is gone."""
        return os.getppid() != self.parent

    def run(self) -> None:
        while not self.orphaned:
            if not self.pending:
                try:
                    request = self.requests.get(timeout=HEARTBEAT_S)
                except queue.Empty:
                    self._beat()
                    continue
                if request is None:  # shutdown
                    return
                self._admit(request)
            self._beat()
            self._serve(self.pending.pop(0))

    def _admit(self, request: Request) -> None:
        """Newer speech replaces waiting speech of the same or lower priority."""
        if not request.play:  # file renders are answers to a caller: never dropped
            self.pending.insert(0, request)
            return
        kept = []
        for old in self.pending:
            if old.play and old.priority <= request.priority:
                self.results.put(Result(old.seq, "dropped", "replaced by newer speech"))
            else:
                kept.append(old)
        kept.append(request)
        kept.sort(key=lambda r: (r.play, -r.priority))  # renders first, then by priority
        self.pending = kept

    def _serve(self, request: Request) -> None:
        try:
            wav, cached = self._render(request)
        except EngineError as exc:
            self.results.put(Result(request.seq, "engine_error", str(exc)))
            return
        if not request.play:
            self.results.put(Result(request.seq, "rendered", str(wav), cached))
            return
        try:
            self._play(request, wav, cached)
        finally:
            if wav.parent == self.tmp:
                wav.unlink(missing_ok=True)  # personal text leaves no file behind

    def _render(self, request: Request) -> tuple[Path, bool]:
        if request.cache:
            hit = self.cache.get(request.text, request.voice)
            if hit is not None:
                if request.out:
                    Path(request.out).write_bytes(hit.read_bytes())
                    return Path(request.out), True
                return hit, True
        target = Path(request.out) if request.out and not request.cache else self.tmp / f"{request.seq}.wav"
        self.engine.render(request.text, request.voice, target)
        if request.cache:
            target = self.cache.store(target, request.text, request.voice)
            if request.out:
                Path(request.out).write_bytes(target.read_bytes())
                return Path(request.out), False
        return target, False

    def _play(self, request: Request, wav: Path, cached: bool) -> None:
        try:
            player = subprocess.Popen([*self.config.player, str(wav)], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE)
        except OSError as exc:
            self.results.put(Result(request.seq, "play_error", f"player not available: {exc.strerror}", cached))
            return
        while player.poll() is None:
            try:
                newer = self.requests.get(timeout=0.05)
            except queue.Empty:
                if self.orphaned:  # nobody left to speak for
                    player.kill()
                    player.wait()
                    return
                self._beat()
                continue
            if newer is None:
                player.kill()
                player.wait()
                self.requests.put(None)  # handled by the main loop
                return
            self._admit(newer)
            if newer.play and newer.priority >= request.priority:
                player.terminate()
                player.wait()
                self.results.put(Result(request.seq, "interrupted", "newer speech", cached))
                return
        stderr = player.stderr.read().decode("utf-8", "replace") if player.stderr else ""
        if player.returncode != 0:
            lines = [line for line in stderr.strip().splitlines() if line] or ["player failed"]
            self.results.put(Result(request.seq, "play_error", lines[-1][:200], cached))
        else:
            self.results.put(Result(request.seq, "played", "", cached))

    def _beat(self) -> None:
        now = time.monotonic()
        if now - self.last_beat >= HEARTBEAT_S:
            self.last_beat = now
            self.results.put(Result(0, "heartbeat"))


def main(requests, results, config: WorkerConfig, tmp_dir: str = "") -> None:
    try:
        os.setpgid(0, 0)  # the engine and player it starts are in this group too
    except OSError:
        pass
    worker = _Worker(requests, results, config, Path(tmp_dir) if tmp_dir else None)
    try:
        worker.run()
    finally:
        shutil.rmtree(worker.tmp, ignore_errors=True)
        if worker.orphaned:  # nobody reads the results: do not wait at exit to flush them
            results.cancel_join_thread()
