"""The document printer: A4 PDFs through CUPS (pycups), each job followed to its end.

A job is done only when CUPS says "completed"; "stopped", "canceled" or "aborted" (or a
job still pending when the deadline passes, e.g. a queue waiting for paper that never
comes) is a failure the kiosk can explain, never a silent success. The queue's state
reasons (media-empty, cover-open, offline) map onto the shared status vocabulary. A
folder backend keeps a copy of each PDF, for a kiosk without an A4 printer.
"""
from __future__ import annotations

import logging
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..health import DeviceState, DeviceStatus, MediaState, SelfTestResult

log = logging.getLogger(__name__)
DEVICE = "document_printer"

# IPP job-state values (RFC 8011).
PENDING, HELD, PROCESSING, STOPPED, CANCELED, ABORTED, COMPLETED = 3, 4, 5, 6, 7, 8, 9
JOB_STATES = {3: "pending", 4: "held", 5: "processing", 6: "stopped", 7: "canceled", 8: "aborted",
              9: "completed"}
PRINTER_STOPPED = 5


@dataclass(frozen=True)
class DocumentResult:
    ok: bool
    status: DeviceStatus
    job_id: int | None = None
    job_state: str = ""  # the last IPP job state seen
    detail: str = ""
    output: Path | None = None  # where a folder backend put the copy


class CupsDocumentPrinter:
    def __init__(self, queue: str, server: str | None = None, options: dict[str, str] | None = None,
                 job_timeout_s: float = 120.0, poll_s: float = 0.2):
        self.queue, self.server = queue, server
        self.options = dict(options or {})
        self.job_timeout_s, self.poll_s = job_timeout_s, poll_s
        self._lock = threading.Lock()

    backend_name = "cups"

    def open(self) -> None: ...
    def close(self) -> None: ...

    def _connect(self):
        import cups  # pycups; imported here so a kiosk without libcups still starts

        if self.server:
            cups.setServer(self.server)
        return cups.Connection()

    def status(self) -> DeviceStatus:
        try:
            conn = self._connect()
            attrs = conn.getPrinterAttributes(self.queue)
        except Exception as exc:  # cups.IPPError, RuntimeError (no server)
            return DeviceStatus(DEVICE, self.backend_name, DeviceState.OFFLINE,
                                detail=f"CUPS queue {self.queue}: {exc}")
        reasons = [r for r in attrs.get("printer-state-reasons", []) if r != "none"]
        media = MediaState.OK
        if any(r.startswith(("media-empty", "media-needed")) for r in reasons):
            media = MediaState.OUT
        elif any(r.startswith("media-low") for r in reasons):
            media = MediaState.LOW
        elif any(r.startswith("media-jam") for r in reasons):
            media = MediaState.JAMMED
        if any(r.startswith(("cover-open", "door-open")) for r in reasons):
            state = DeviceState.USER_ERROR
        elif any(r.startswith(("offline", "shutdown")) for r in reasons) or not attrs.get(
                "printer-is-accepting-jobs", True) or attrs.get("printer-state") == PRINTER_STOPPED:
            state = DeviceState.OFFLINE
        else:
            state = DeviceState.ONLINE
        return DeviceStatus(DEVICE, self.backend_name, state, media=media,
                            detail=", ".join(reasons) or attrs.get("printer-state-message", ""))

    def self_test(self) -> SelfTestResult:
        status = self.status()
        return SelfTestResult(passed=status.usable, status=status, detail=status.detail)

    def print_pdf(self, pdf: Path, title: str = "kiosk document") -> DocumentResult:
        with self._lock:
            status = self.status()
            if not status.usable:
                return DocumentResult(False, status, detail=status.detail or "printer not ready")
            try:
                conn = self._connect()
                job = conn.printFile(self.queue, str(pdf), title, self.options)
            except Exception as exc:
                log.warning("document print not accepted: %s", type(exc).__name__)
                return DocumentResult(False, self.status(), detail=f"CUPS refused the job: {exc}")
            return self._follow(conn, job)

    def _follow(self, conn, job: int) -> DocumentResult:
        deadline = time.monotonic() + self.job_timeout_s
        state = PENDING
        while time.monotonic() < deadline:
            try:
                attrs = conn.getJobAttributes(job, requested_attributes=["job-state", "job-state-reasons"])
            except Exception as exc:
                return DocumentResult(False, self.status(), job, JOB_STATES.get(state, ""),
                                      detail=f"lost track of job {job}: {exc}")
            state = attrs.get("job-state", state)
            if state == COMPLETED:
                return DocumentResult(True, self.status(), job, "completed")
            if state in (STOPPED, CANCELED, ABORTED):
                reasons = attrs.get("job-state-reasons", "")
                return DocumentResult(False, self.status(), job, JOB_STATES[state],
                                      detail=f"job {JOB_STATES[state]}: {reasons}")
            time.sleep(self.poll_s)
        # Don't leave a job that may print hours later, when the applicant has gone.
        try:
            conn.cancelJob(job)
        except Exception:
            pass
        return DocumentResult(False, self.status(), job, JOB_STATES.get(state, ""),
                              detail=f"job {job} not finished in {self.job_timeout_s:.0f} s; cancelled")


class FolderDocumentPrinter:
    """Keeps a copy of each PDF in a folder (demo kiosks, kiosks without an A4 printer)."""

    backend_name = "folder"

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._jobs = 0

    def open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    def close(self) -> None: ...

    def status(self) -> DeviceStatus:
        state = DeviceState.ONLINE if self.folder.is_dir() else DeviceState.NO_DEVICE
        return DeviceStatus(DEVICE, self.backend_name, state, media=MediaState.UNKNOWN)

    def self_test(self) -> SelfTestResult:
        status = self.status()
        return SelfTestResult(passed=status.usable, status=status)

    def print_pdf(self, pdf: Path, title: str = "kiosk document") -> DocumentResult:
        status = self.status()
        if not status.usable:
            return DocumentResult(False, status, detail=f"{self.folder} missing")
        self._jobs += 1
        out = self.folder / f"doc-{int(time.time())}-{self._jobs:04d}.pdf"
        try:
            shutil.copyfile(pdf, out)
        except OSError as exc:
            return DocumentResult(False, status, detail=type(exc).__name__)
        return DocumentResult(True, status, job_state="completed", output=out)
