"""Whether the kiosk serves citizens. Out of service, citizens are told where else to go
(in each screen language), staff see why, and the file says who changed it and when.

Kept in `<var_dir>/maintenance/service_state.json`, replaced atomically so a crash or
power cut mid-write leaves the previous state; each change is also a line in the audit file.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kiosk.maintenance.storage import AuditLog, atomic_write_text, iso, maintenance_dir, read_json

log = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "zh_CN"
MAX_REASON = 200
MAX_MESSAGE = 300  # fits the attract screen's notice at its font size


@dataclass(frozen=True)
class ServiceState:
    in_service: bool = True
    reason: str = ""  # for staff, e.g. "receipt printer cutter broken"
    where_else: dict[str, str] = field(default_factory=dict)  # language -> text for citizens
    changed_by: str = ""
    changed_at: float | None = None  # epoch seconds

    def where_else_for(self, language: str) -> str:
        """The notice in the citizen's language, else in Chinese, else any there is."""
        texts = self.where_else
        return texts.get(language) or texts.get(FALLBACK_LANGUAGE) or next(iter(texts.values()), "")

    def to_json(self) -> dict[str, Any]:
        return {"in_service": self.in_service, "reason": self.reason, "where_else": self.where_else,
                "changed_by": self.changed_by, "changed_at": self.changed_at,
                "changed_at_local": iso(self.changed_at)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ServiceState":
        at = data.get("changed_at")
        return cls(in_service=bool(data["in_service"]), reason=str(data.get("reason", "")),
                   where_else={str(k): str(v) for k, v in dict(data.get("where_else") or {}).items()},
                   changed_by=str(data.get("changed_by", "")), changed_at=None if at is None else float(at))


class ServiceStateStore:
    def __init__(self, var_dir: Path, clock: Callable[[], float] = time.time):
        folder = maintenance_dir(var_dir)
        self.path = folder / "service_state.json"
        self.audit = AuditLog(folder / "audit.jsonl")
        self.clock = clock
        self._mutex = threading.Lock()

    @classmethod
    def from_config(cls, config: Any, clock: Callable[[], float] = time.time) -> "ServiceStateStore":
        return cls(config.var_dir, clock=clock)

    def current(self) -> ServiceState:
        """In service until someone says otherwise."""
        try:
            data = read_json(self.path)
            return ServiceState() if data is None else ServiceState.from_json(data)
        except (ValueError, TypeError, KeyError, OSError):
            # Only a hand edit gets here (writes are atomic); a kiosk that serves with a
            # faulty device still shows each device's own error screen.
            log.error("maintenance: service state unreadable; treated as in service")
            return ServiceState()

    def take_out_of_service(self, reason: str, where_else: dict[str, str], by: str) -> ServiceState:
        texts = {lang: _text(text, MAX_MESSAGE, "where_else") for lang, text in where_else.items()
                 if text and text.strip()}
        if not texts:
            raise ValueError("citizens must be told where else to go")
        return self._change(ServiceState(False, _text(reason, MAX_REASON, "reason"), texts), by)

    def return_to_service(self, by: str) -> ServiceState:
        return self._change(ServiceState(True), by)

    def _change(self, state: ServiceState, by: str) -> ServiceState:
        by = _text(by, MAX_REASON, "by")
        with self._mutex:
            now = self.clock()
            state = dataclasses.replace(state, changed_by=by, changed_at=now)
            atomic_write_text(self.path, json.dumps(state.to_json(), ensure_ascii=False, indent=1) + "\n")
            self.audit.append(now, "service_state", in_service=state.in_service, reason=state.reason,
                              where_else=state.where_else, by=by)
            return state


def _text(value: str, limit: int, name: str) -> str:
    value = " ".join(str(value).split())  # one line: it is shown on a label and logged
    if not value:
        raise ValueError(f"{name} is required")
    if len(value) > limit:
        raise ValueError(f"{name} is longer than {limit} characters")
    return value
