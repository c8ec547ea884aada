"""Identify with a foreign passport's chip (ICAO 9303 ePassport).

The chip opens only with a key made from three printed details (BAC): the document number,
the date of birth and the expiry date, each with its check digit. The applicant types them
on an on-screen keypad (digits and letters); the journey checks them and hands the key
information to the PC/SC reader backend through its `mrz_provider`. Then the passport is
placed on the reader and the waiting journey (collect, rating, ...) continues (the session
names it in `resume_after_identify`), exactly as with a resident ID card.

A reader without an MRZ input (the simulated reader, a GA 467 ID-card reader) still gets
the screen: the details are checked and kept for the session, and the next card the
reader reports identifies the applicant.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from devices.idcard.icao.mrz import MrzError, check_digit, mrz_information
from domain.i18n import N_
from kiosk.journeys import Journey
from kiosk.ui.screen_names import Screen

FIELDS = ("number", "birth", "expiry")
MAX_LENGTH = {"number": 9, "birth": 6, "expiry": 6}
FIELD_LABELS = {
    "number": N_("Passport number"),
    "birth": N_("Date of birth (YYMMDD)"),
    "expiry": N_("Date of expiry (YYMMDD)"),
}
ERR_NUMBER = N_("The passport number has letters A-Z and digits only, up to 9 characters.")
ERR_BIRTH = N_("The date of birth must be 6 digits: year, month, day (YYMMDD).")
ERR_EXPIRY = N_("The date of expiry must be 6 digits: year, month, day (YYMMDD).")
ERR_EXPIRED = N_("This passport has expired. Please use a valid passport.")


@dataclass
class MrzEntry:
    """What the applicant has typed; validated before it becomes a BAC key."""

    number: str = ""
    birth: str = ""
    expiry: str = ""
    focus: str = "number"
    errors: dict[str, str] = field(default_factory=dict)

    def type(self, key: str) -> None:
        key = key.upper()
        if len(key) != 1 or not re.fullmatch(r"[A-Z0-9]", key):
            return
        if self.focus != "number" and not key.isdigit():
            return  # dates are digits only
        value = getattr(self, self.focus)
        if len(value) >= MAX_LENGTH[self.focus]:
            return
        setattr(self, self.focus, value + key)
        self.errors.pop(self.focus, None)
        if len(getattr(self, self.focus)) == MAX_LENGTH[self.focus] and self.focus != "expiry":
            self.focus = FIELDS[FIELDS.index(self.focus) + 1]  # dates: move on by themselves

    def backspace(self) -> None:
        value = getattr(self, self.focus)
        if not value and self.focus != "number":
            self.focus = FIELDS[FIELDS.index(self.focus) - 1]
            value = getattr(self, self.focus)
        setattr(self, self.focus, value[:-1])

    def validate(self, today: dt.date) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not re.fullmatch(r"[A-Z0-9]{1,9}", self.number):
            errors["number"] = ERR_NUMBER
        if _date(self.birth, century_before=today) is None:
            errors["birth"] = ERR_BIRTH
        expiry = _date(self.expiry, century_before=None)
        if expiry is None:
            errors["expiry"] = ERR_EXPIRY
        elif expiry < today:
            errors["expiry"] = ERR_EXPIRED
        self.errors = errors
        return errors

    def key_information(self) -> str:
        """The 24-character MRZ information BAC derives its keys from (with check digits)."""
        return mrz_information(self.number, self.birth, self.expiry)

    def check_digits(self) -> tuple[str, str, str]:
        return (check_digit(self.number.ljust(9, "<")), check_digit(self.birth), check_digit(self.expiry))


def _date(yymmdd: str, century_before: dt.date | None) -> dt.date | None:
    """YYMMDD to a date. Birth dates are in the past (so '58' is 1958); expiry dates are
    taken in this century."""
    if not re.fullmatch(r"\d{6}", yymmdd):
        return None
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    year = 2000 + yy
    if century_before is not None and year > century_before.year:
        year -= 100
    try:
        return dt.date(year, mm, dd)
    except ValueError:
        return None


@dataclass
class IdentifyState:
    entry: MrzEntry = field(default_factory=MrzEntry)
    back_to: str = Screen.ATTRACT  # the screen that asked (its card prompt)
    mrz_information: str | None = None  # the BAC key information, once the details are right


class IdentifyJourney(Journey):
    """Not on the attract screen: other journeys open it ("I have a passport")."""

    name = "identify"
    State = IdentifyState
    BACK = {Screen.IDENTIFY_PLACE: Screen.IDENTIFY_PASSPORT}
    ENTRIES = (Screen.IDENTIFY_PASSPORT,)
    # Back from the passport's page goes to the screen that asked (the card prompts).
    FLOW = {Screen.IDENTIFY_PASSPORT: (Screen.IDENTIFY_PLACE, Screen.COLLECT_START, Screen.RATING_START,
                                       Screen.PROGRESS_START, Screen.APPLY_IDENTIFY)}

    def __init__(self, controller):
        super().__init__(controller)
        self._original_provider = None
        self._backend = None

    @property
    def entry(self) -> MrzEntry:
        return self.session.state(IdentifyState).entry

    @property
    def mrz_information(self) -> str | None:
        """The key information given to the reader in this session (None before)."""
        state = self.session.peek(IdentifyState)
        return state.mrz_information if state else None

    def start_passport(self, back_to: str) -> None:
        """Open the MRZ keypad; `back_to` is the screen that asked (its card prompt)."""
        self.session.begin()
        self.session.keep(IdentifyState(back_to=back_to))
        self.go(Screen.IDENTIFY_PASSPORT)

    def back_to_asker(self) -> None:
        """From the passport keypad: back to the screen that asked (its card prompt)."""
        self.go(self.session.state(IdentifyState).back_to)

    def confirm(self, today: dt.date | None = None) -> bool:
        """Check the details; when right, hand them to the reader and ask for the passport."""
        entry = self.entry
        if entry.validate(today or dt.date.today()):
            return False
        try:
            information = entry.key_information()
        except MrzError:
            entry.errors = {"number": ERR_NUMBER}
            return False
        self._give_reader(information)
        self.go(Screen.IDENTIFY_PLACE)
        return True

    @property
    def reader_takes_mrz(self) -> bool:
        return self._reader_backend() is not None and hasattr(self._reader_backend(), "mrz_provider")

    def _reader_backend(self):
        devices = self.kiosk.devices
        reader = getattr(devices, "idcard", None) if devices is not None else None
        return getattr(reader, "backend", None)

    def _give_reader(self, information: str) -> None:
        """The PC/SC backend asks its provider when a chip appears (on the reader's thread)."""
        self.session.state(IdentifyState).mrz_information = information
        backend = self._reader_backend()
        if backend is None or not hasattr(backend, "mrz_provider"):
            return
        if self._backend is None:
            self._backend, self._original_provider = backend, backend.mrz_provider
        backend.mrz_provider = lambda: self.mrz_information

    def reset(self) -> None:
        if self._backend is not None:
            self._backend.mrz_provider = self._original_provider
        self._backend = self._original_provider = None
