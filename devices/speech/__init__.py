"""Voice output: a text-to-speech worker process (espeak-ng) with a prompt cache."""
from .engine import Voice
from .facade import Speech, SpeechSettings
from .wav import WavInfo, wav_info

__all__ = ["Speech", "SpeechSettings", "Voice", "WavInfo", "wav_info", "build_speech"]


def build_speech(section: dict | None, var_dir):
    from pathlib import Path

    cfg = dict(section or {})
    settings = SpeechSettings(
        rate_wpm=int(cfg.get("rate_wpm", 165)), elder_rate_wpm=int(cfg.get("elder_rate_wpm", 125)),
        volume=float(cfg.get("volume", 0.9)), elder_volume=float(cfg.get("elder_volume", 1.0)),
        hang_s=float(cfg.get("hang_s", 5.0)), private_audio=bool(cfg.get("private_audio", False)))
    player = tuple(cfg.get("player", ["aplay", "-q"]))
    return Speech(Path(var_dir) / cfg.get("cache_dir", "speech-cache"), settings, player=player,
                  engine_timeout_s=float(cfg.get("engine_timeout_s", 10.0)))
