"""Voice output: a text-to-speech worker process (espeak-ng) with a prompt cache."""
from .build import build_speech
from .engine import Voice
from .facade import Speech, SpeechSettings
from .wav import WavInfo, wav_info

__all__ = ["Speech", "SpeechSettings", "Voice", "WavInfo", "wav_info", "build_speech"]
