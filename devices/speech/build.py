"""Builds the voice a hardware profile's [speech] section describes."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from .facade import Speech, SpeechSettings


def build_speech(section: Mapping[str, Any] | None, var_dir: Path) -> Speech:
    cfg = dict(section or {})
    settings = SpeechSettings(
        rate_wpm=int(cfg.get("rate_wpm", 165)), elder_rate_wpm=int(cfg.get("elder_rate_wpm", 125)),
        volume=float(cfg.get("volume", 0.9)), elder_volume=float(cfg.get("elder_volume", 1.0)),
        hang_s=float(cfg.get("hang_s", 5.0)), private_audio=bool(cfg.get("private_audio", False)))
    player = tuple(cfg.get("player", ["aplay", "-q"]))
    return Speech(Path(var_dir) / cfg.get("cache_dir", "speech-cache"), settings, player=player,
                  engine_timeout_s=float(cfg.get("engine_timeout_s", 10.0)))
