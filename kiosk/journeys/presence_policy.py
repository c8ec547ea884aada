"""How each journey asks the citizen at the glass to show it is them: one table, which the
county may change in the kiosk's configuration ([presence] in config/kiosk.toml).

- face: the face check first, on its own consent page, with the texted code and the
  staffed window offered beside it every time (人脸识别技术应用安全管理办法: a face only where
  needed, never the only way);
- code: the six-digit code texted to the phone on file (a passport's chip where it can sign);
- none: the journey asks nothing of the kind.

Guides, appointment check-in and progress by a receipt's code are not in the table: they
open no one's records by a card and ask nothing."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Way(StrEnum):
    FACE = "face"
    CODE = "code"
    NONE = "none"


# My cases (withdrawing is one of its pages), collecting results and submitting in one's
# own name open or bind a citizen's records; a rating only says who gave it.
DEFAULT_WAYS: dict[str, Way] = {
    "progress": Way.FACE,
    "collect": Way.FACE,
    "apply": Way.FACE,
    "rating": Way.CODE,
}


class UnknownWay(ValueError):
    pass


@dataclass(frozen=True)
class PresencePolicy:
    ways: Mapping[str, Way] = field(default_factory=lambda: dict(DEFAULT_WAYS))

    def way(self, journey: str) -> Way:
        return self.ways.get(journey, Way.NONE)

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None) -> PresencePolicy:
        """The defaults with the county's [presence] entries over them; a misspelt way
        stops the kiosk at start rather than quietly asking nothing."""
        ways = dict(DEFAULT_WAYS)
        for journey, value in (section or {}).items():
            try:
                ways[str(journey)] = Way(str(value).strip().lower())
            except ValueError:
                raise UnknownWay(f"[presence] {journey} = {value!r}: one of {', '.join(w.value for w in Way)}") \
                    from None
        return cls(ways)
