"""Diagnostics bundles uploaded by terminals (the `upload_diagnostics` command): kept in
the database, listed and handed to staff. A bundle is the kiosk's help-desk zip
(kiosk/ops/diagnostics_bundle.py): readiness report, masked log tail, profile, versions."""
from __future__ import annotations

import hashlib
import io
import zipfile

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .errors import Invalid
from .models import TerminalCommand, TerminalDiagnostics

MAX_BUNDLE_BYTES = 8 << 20  # a bundle is a few hundred kB; this leaves room, not a disk to fill


def store(session: Session, terminal_id: str, content: bytes,
          command_id: int | None) -> tuple[TerminalDiagnostics, bool]:
    """Returns (the bundle, whether it is new). The same bytes sent again (a retried
    upload) are the bundle already kept."""
    if len(content) > MAX_BUNDLE_BYTES:
        raise Invalid(f"a diagnostics bundle may be at most {MAX_BUNDLE_BYTES} bytes")
    _check_zip(content)
    if command_id is not None:
        command = session.get(TerminalCommand, command_id)
        if command is None or command.terminal_id != terminal_id or command.command != "upload_diagnostics":
            raise Invalid("command_id does not name an upload_diagnostics command of this terminal")
    digest = hashlib.sha256(content).hexdigest()
    kept = session.scalar(select(TerminalDiagnostics).where(TerminalDiagnostics.terminal_id == terminal_id,
                                                            TerminalDiagnostics.sha256 == digest))
    if kept is not None:
        return kept, False
    bundle = TerminalDiagnostics(terminal_id=terminal_id, command_id=command_id, size=len(content),
                                 sha256=digest, content=content)
    session.add(bundle)
    session.flush()
    audit.record(session, f"terminal:{terminal_id}", "terminal.diagnostics", str(bundle.id),
                 size=len(content), sha256=digest, command_id=command_id)
    session.commit()
    return bundle, True


def _check_zip(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as bundle:
            if bundle.testzip() is not None:
                raise Invalid("the diagnostics bundle is damaged")
    except zipfile.BadZipFile:
        raise Invalid("a diagnostics bundle must be a zip file") from None


def listing(session: Session, terminal_id: str = "") -> list[dict]:
    columns = (TerminalDiagnostics.id, TerminalDiagnostics.terminal_id, TerminalDiagnostics.command_id,
               TerminalDiagnostics.received_at, TerminalDiagnostics.size, TerminalDiagnostics.sha256)
    stmt = select(*columns).order_by(TerminalDiagnostics.id.desc())  # never the content: it may be large
    if terminal_id:
        stmt = stmt.where(TerminalDiagnostics.terminal_id == terminal_id)
    return [{"id": r.id, "terminal_id": r.terminal_id, "command_id": r.command_id,
             "received_at": r.received_at.isoformat() + "Z", "size": r.size, "sha256": r.sha256}
            for r in session.execute(stmt)]


def hand_out(session: Session, bundle_id: int, actor: str) -> TerminalDiagnostics | None:
    """A bundle for staff to download, the download audited (the API's and the console's);
    None when there is no such bundle."""
    bundle = session.get(TerminalDiagnostics, bundle_id)
    if bundle is None:
        return None
    audit.record(session, actor, "terminal.diagnostics.download", str(bundle_id), terminal=bundle.terminal_id)
    session.commit()
    return bundle


def file_name(bundle: TerminalDiagnostics) -> str:
    return f"diagnostics-{bundle.terminal_id}-{bundle.received_at.strftime('%Y%m%d-%H%M%S')}.zip"
