"""The progress slip (办件进度单): what the kiosk prints when a citizen checks a case.

A slip is a small, printer-neutral document: a list of blocks that the receipt printer
turns into ESC/POS bytes and the preview renderer turns into an image, so both always
show the same thing.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Literal, Sequence, Union

# Unicode's control characters (C0, DEL, C1) and the line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """A slip's text as it may go to paper: every control character a space. Slips carry
    text from citizens and the back office; an ESC or GS in a field would reach the
    printer as a command, a tab or form feed would move the paper, and the preview's
    text shaping refuses paragraph separators."""
    return _CONTROL.sub(" ", text)


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Line:
    text: str
    align: Literal["left", "center"] = "left"


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class Rule:
    """A horizontal separator."""


@dataclass(frozen=True)
class QrCode:
    payload: str


Block = Union[Heading, Line, Field, Rule, QrCode]


@dataclass(frozen=True)
class SlipDocument:
    title: str
    blocks: Sequence[Block]
    printed_at: _dt.datetime

    def plain_text(self) -> str:
        """The slip's text as one string, for speech, logs of layout and tests."""
        parts = [self.title]
        for block in self.blocks:
            if isinstance(block, (Heading, Line)):
                parts.append(block.text)
            elif isinstance(block, Field):
                parts.append(f"{block.label}: {block.value}")
        return "\n".join(parts)
