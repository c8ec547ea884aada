"""The identity an applicant presents at the kiosk, as read from a document."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from enum import Enum

from domain.ids import mask_id, mask_name


class DocumentKind(str, Enum):
    RESIDENT_ID = "resident_id"
    FOREIGN_PERMANENT_RESIDENT = "foreign_permanent_resident"
    PASSPORT = "passport"


@dataclass(frozen=True)
class Identity:
    """Who is at the kiosk. Held only by the session and wiped when it ends."""

    kind: DocumentKind
    name: str
    document_number: str
    sex: str = ""
    nation: str = ""
    birth_date: _dt.date | None = None
    address: str = ""
    issuing_authority: str = ""
    valid_from: _dt.date | None = None
    valid_until: _dt.date | None = None  # None with kind RESIDENT_ID means 长期 (long-term)
    # Foreign documents: ISO 3166-1 alpha-3 nationality (GA 467 cards, ICAO 9303 passports)
    # and the holder's Chinese name printed on a permanent residence card.
    nationality: str = ""
    chinese_name: str = ""
    photo: bytes = field(default=b"", repr=False)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_number(self) -> str:
        return mask_id(self.document_number)

    def __repr__(self) -> str:  # never let a full identity reach a log through repr()
        return f"Identity(kind={self.kind.value}, name={self.masked_name!r}, number={self.masked_number!r})"
