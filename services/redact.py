"""A last line of defence before anything is printed: ID, passport, permit and mobile
numbers that slipped into free text (a clerk's note, a material name) are masked the
canonical way, by the log filter's own rules (domain/scrub.py)."""
from __future__ import annotations

from domain.scrub import scrub_numbers


def redact(text: str) -> str:
    return scrub_numbers(text)
