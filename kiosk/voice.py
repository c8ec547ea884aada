"""What the kiosk says besides each screen's prompt (standards.md, ADA 2010 §707 and
EN 301 549 for closed functionality): every choice read back as it is pressed, typed
input echoed, the last instruction repeated on request, a volume the citizen controls,
and a receipt read aloud. Newer speech interrupts older (devices/speech), so moving on
cuts the reading short.

Personal data is spoken only when the hardware profile says a handset or headphones
carry the voice (`[speech] private_audio`); through open speakers a neutral phrase
stands in for it. Keys of a PIN are never echoed at all."""
from __future__ import annotations

import logging

from domain.i18n import N_

log = logging.getLogger(__name__)

MSG_ENTERED = N_("Entered.")
MSG_VOLUME = N_("Volume {level} of 5.")
MSG_NOTHING_TO_REPEAT = N_("Please choose what you want to do on the screen.")
MSG_PRIVATE_NOT_READ = N_("The details are shown on the screen and printed on your receipt; "
                          "they are read aloud only through a handset.")

ECHO_PUBLIC, ECHO_PRIVATE, ECHO_SILENT = "public", "private", "silent"
PRIORITY_ECHO = 1  # above nothing queued; any newer prompt interrupts it anyway


class VoiceGuide:
    def __init__(self, controller):
        self.controller = controller
        self._last: tuple[str, int, dict] | None = None

    @property
    def speech(self):
        devices = self.controller.devices
        return getattr(devices, "speech", None) if devices is not None else None

    @property
    def private_audio(self) -> bool:
        speech = self.speech
        return bool(speech is not None and speech.settings.private_audio)

    # --- called by the controller ----------------------------------------------------------
    def remember(self, message: str, priority: int, values: dict) -> None:
        """The last instruction or message, for Repeat (echoes are not remembered)."""
        self._last = (message, priority, dict(values))

    def reset(self) -> None:
        """Session end: nothing of the citizen's to repeat, the volume back to the profile's."""
        self._last = None
        if self.speech is not None:
            self.speech.volume_level = 0

    # --- the citizen's controls --------------------------------------------------------------
    def echo(self, text: str, mode: str = ECHO_PUBLIC) -> None:
        """A pressed choice or typed key, read back."""
        if mode == ECHO_SILENT or not text.strip():
            return
        if mode == ECHO_PRIVATE and not self.private_audio:
            text = self.controller._(MSG_ENTERED)
        self.speak(text, PRIORITY_ECHO, cache=mode != ECHO_PRIVATE)

    def repeat(self) -> None:
        if self._last is None:
            self.controller.say(MSG_NOTHING_TO_REPEAT)
            return
        message, priority, values = self._last
        self.controller.say(message, priority, **values)

    def change_volume(self, steps: int) -> int:
        """The volume control: -1 quieter, +1 louder; says the new level (1 to 5)."""
        speech = self.speech
        if speech is None:
            return 0
        level = speech.change_volume(steps)
        # spoken at the new volume; not remembered, so Repeat still gives the instruction
        self.speak(self.controller._(MSG_VOLUME).format(level=level + 3), 5, cache=False)
        return level

    def read_aloud(self, public: str, private: str = "") -> None:
        """A receipt or slip read on request: `private` (names, ID numbers) only through a
        handset, otherwise a sentence saying where to find it."""
        spoken = public
        if private:
            spoken += " " + (private if self.private_audio else self.controller._(MSG_PRIVATE_NOT_READ))
        self.speak(spoken, 0, cache=False)

    def speak(self, text: str, priority: int, cache: bool) -> None:
        """Text already in the current language; `cache` only for fixed wording."""
        speech = self.speech
        if speech is None:
            return
        language = "zh" if self.controller.translator.language == "zh_CN" else "en"
        try:
            speech.speak(text, language, priority, cache=cache)
        except Exception:  # speech is a help, never a reason to fail a journey
            log.warning("speech failed", exc_info=True)
