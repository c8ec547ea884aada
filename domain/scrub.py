"""Personal data kept out of logs: a logging filter over the canonical masks of ids.py.

Numbers are recognised wherever they appear: 18-character resident ID numbers, mainland
mobile numbers (also as +86 and in groups), passport, permit and permanent-residence
numbers, MRZ lines. Latin names are not recognised in free text (a word of capitals reads
the same as a status); call sites keep them out (the Identity's repr is masked). Names cannot be recognised in free
text, so everything a call site fills in (%-arguments, `extra` values, exception text) has
its Chinese characters masked as a name would be (`张*`); the message template, written in
the source, keeps its words. An `extra` field whose key names personal data is replaced
whole. The kiosk and the back office install the same filter on their log handlers.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from domain.ids import mask_id, mask_name, mask_phone

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# The same number as people write it: +86 or 86 first, spaces or dashes between the groups.
MOBILE_WRITTEN = re.compile(r"(?<![\d+])(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![\d-])")
# An ICAO 9303 machine-readable line (30, 36 or 44 characters with filler "<"; longer runs too).
MRZ_LINE = re.compile(r"(?<![0-9A-Z<])(?=[0-9A-Z<]*<)[0-9A-Z<]{30,}(?![0-9A-Z<])")
# Passports (E12345678, EA1234567) and travel permits (C12345678, H1234567890).
DOCUMENT_NUMBER = re.compile(r"(?<![0-9A-Za-z])[A-Z]{1,2}\d{7,10}(?![0-9A-Za-z])")
# Permanent-residence cards before 2023: the holder's country (three letters), twelve digits.
OLD_RESIDENCE_NUMBER = re.compile(r"(?<![0-9A-Za-z])[A-Z]{3}\d{12}(?![0-9A-Za-z])")
# A run of Chinese characters with the stars of an earlier mask after it, so a name masked
# already (张*) stays as it is instead of gaining a star each time it is scrubbed.
HAN_TEXT = re.compile(r"[\u3400-\u9fff\uf900-\ufaff](?:[\u3400-\u9fff\uf900-\ufaff·]*[\u3400-\u9fff\uf900-\ufaff])?\**")

WHOLLY_PERSONAL = "***"
# Words that make an `extra` key personal, as whole words of a snake_case key.
_PERSONAL_WORDS = frozenset({
    "name", "names", "surname", "applicant", "holder", "citizen", "person", "phone", "mobile",
    "telephone", "tel", "address", "birth", "birthday", "dob", "passport", "mrz", "email",
    "contact", "nationality", "photo", "face", "pin",
})
_PERSONAL_KEYS = frozenset({"document_number", "id_number", "idno", "identity", "resident_id",
                            "card_number", "given_names", "chinese_name"})
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_DONE = "_personal_data_scrubbed"


# What every pattern above needs somewhere in the text: seven digits in a row (ID, passport,
# permit and residence numbers, a mobile number written whole), a mobile number's first
# three digits and next four with a space or dash between, or an MRZ line's "<". Text
# without any (an access line: a path, a loopback address) is passed over at one search.
_MAYBE_NUMBER = re.compile(r"\d{7}|1[3-9]\d[ -]\d{4}|<")


def scrub_numbers(text: str) -> str:
    """ID, passport, permit and mobile numbers and MRZ lines masked the canonical way."""
    if not _MAYBE_NUMBER.search(text):
        return text
    text = MRZ_LINE.sub(lambda m: mask_id(m.group()), text)
    text = ID_NUMBER.sub(lambda m: mask_id(m.group()), text)
    text = DOCUMENT_NUMBER.sub(lambda m: mask_id(m.group()), text)
    text = OLD_RESIDENCE_NUMBER.sub(lambda m: mask_id(m.group()), text)
    return MOBILE_WRITTEN.sub(lambda m: mask_phone("".join(m.groups())), text)


def scrub_text(text: str) -> str:
    """For text a call site filled in: numbers masked and Chinese words masked as names."""
    return HAN_TEXT.sub(lambda m: mask_name(m.group()), scrub_numbers(text))


def is_personal_key(key: str) -> bool:
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", key).lower()
    return words in _PERSONAL_KEYS or any(w in _PERSONAL_WORDS for w in words.split("_"))


class _Scrubbed:
    """An argument as %s or %r would show it, scrubbed."""

    __slots__ = ("_value",)

    def __init__(self, value: Any):
        self._value = value

    def __str__(self) -> str:
        return scrub_text(str(self._value))

    def __repr__(self) -> str:
        return scrub_text(repr(self._value))


def _argument(value: Any) -> Any:
    # Numbers stay numbers for %d and %x; the rendered message is scrubbed of numbers after.
    if isinstance(value, (int, float)):
        return value
    return _Scrubbed(value)


def _extra_value(key: str, value: Any) -> Any:
    if is_personal_key(key):
        return WHOLLY_PERSONAL
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        shown = str(value)
        return value if scrub_numbers(shown) == shown else scrub_numbers(shown)
    return scrub_text(str(value))


class PersonalDataFilter(logging.Filter):
    """Masks personal data in a record in place; never drops a record. Install it on
    handlers (a logger's own filters do not see records propagated from its children)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, _DONE, False):
            return True
        record.msg, record.args = self._message(record), ()
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                setattr(record, key, _extra_value(key, value))
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None  # formatters then print exc_text, which is scrubbed below
        if record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub_text(record.stack_info)
        setattr(record, _DONE, True)
        return True

    @staticmethod
    def _message(record: logging.LogRecord) -> str:
        template = record.msg if isinstance(record.msg, str) else scrub_text(str(record.msg))
        args = record.args
        if not args:
            return scrub_numbers(template)
        if isinstance(args, Mapping):
            args = {k: WHOLLY_PERSONAL if is_personal_key(str(k)) else _argument(v) for k, v in args.items()}
        else:
            args = tuple(_argument(a) for a in args)
        try:
            return scrub_numbers(template % args)
        except (TypeError, ValueError, KeyError):  # a broken call site: keep what can be kept
            return scrub_numbers(template) + " " + scrub_text(repr(record.args))


def install(handlers) -> None:
    """The filter on every given handler, once."""
    for handler in handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())
