"""WAV facts for self-tests and diagnostics: duration and loudness. numpy is imported by
the first measurement, not with the kiosk's voice."""
from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WavInfo:
    seconds: float
    rms: float  # of 16-bit samples
    peak: int

    @property
    def silent(self) -> bool:
        return self.peak < 200 or self.rms < 50


def wav_info(path: Path) -> WavInfo:
    import numpy as np

    with wave.open(str(path), "rb") as w:
        frames = w.readframes(w.getnframes())
        rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
    if width != 2 or not frames:
        return WavInfo(len(frames) / max(1, rate * width * channels), 0.0, 0)
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64)
    return WavInfo(len(samples) / channels / rate, float(np.sqrt(np.mean(samples ** 2))), int(np.abs(samples).max()))
