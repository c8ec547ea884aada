"""Renders text to a WAV file with espeak-ng. The command line is used rather than
pyttsx3: pyttsx3 2.99's espeak driver writes an empty WAV on the second save_to_file of
an engine, and a separate process per utterance can be killed when it hangs."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

VOICES = {"zh": "cmn", "zh_CN": "cmn", "cmn": "cmn", "en": "en", "en_US": "en", "en_GB": "en"}


@dataclass(frozen=True)
class Voice:
    lang: str  # "zh" or "en"
    rate_wpm: int = 165
    volume: float = 1.0  # 0..1

    @property
    def espeak_voice(self) -> str:
        return VOICES.get(self.lang, VOICES.get(self.lang.split("_")[0], "cmn"))

    def key(self) -> str:
        return f"{self.espeak_voice}|{self.rate_wpm}|{self.volume:.2f}"


class EngineError(Exception):
    pass


class EngineTimeout(EngineError):
    pass


class EspeakEngine:
    def __init__(self, command: str = "espeak-ng", timeout_s: float = 10.0):
        self.command = command
        self.timeout_s = timeout_s

    def render(self, text: str, voice: Voice, out: Path) -> None:
        amplitude = max(0, min(200, round(voice.volume * 100)))
        args = [self.command, "-v", voice.espeak_voice, "-s", str(voice.rate_wpm), "-a", str(amplitude),
                "-w", str(out), "--stdin"]
        try:
            # text on stdin: never parsed as an option, any length
            done = subprocess.run(args, input=text.encode("utf-8"), capture_output=True, timeout=self.timeout_s)
        except subprocess.TimeoutExpired as exc:  # subprocess.run kills the hung engine
            raise EngineTimeout(f"speech engine hung for {self.timeout_s:.0f} s and was restarted") from exc
        except OSError as exc:
            raise EngineError(f"speech engine not available: {exc.strerror}") from exc
        if done.returncode != 0 or not out.exists() or out.stat().st_size <= 44:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no audio written"]
            raise EngineError(f"speech engine failed: {message[0]}")

    def version(self) -> str:
        try:
            done = subprocess.run([self.command, "--version"], capture_output=True, timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return done.stdout.decode("utf-8", "replace").strip()
