"""Kiosk releases: published (the signed manifest and its tarball, as the county's signing
machine made them), handed to terminals, and rolled out by rings: ring 0 is one kiosk,
"all" the rest, allowed only once ring 0 reports running the version after its probation.

The back office is no authority here: it checks that a manifest and its tarball belong
together and that the sequence grows (a kiosk would refuse both otherwise), never the
signature's trust, which only the kiosks' configured keys give.
"""
from __future__ import annotations

import hashlib
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain import release_manifest as mf

from . import audit
from .errors import Conflict, Invalid, NotFound
from .models import Release, ReleaseRollout, Terminal, TerminalCommand

RINGS = ("0", "all")


def publish(session: Session, manifest: bytes, tarball: bytes, actor: str) -> Release:
    try:
        fields = mf.parse(manifest)
    except mf.ManifestError as exc:
        raise Invalid(f"not a release manifest: {exc}") from exc
    if len(tarball) != fields.size or hashlib.sha256(tarball).hexdigest() != fields.sha256:
        raise Invalid("the tarball is not the one the manifest names (size or SHA-256 differ)")
    if session.get(Release, fields.version) is not None:
        raise Conflict(f"release {fields.version} is already published")
    highest = session.scalar(select(func.max(Release.sequence))) or 0
    if fields.sequence <= highest:
        raise Conflict(f"sequence {fields.sequence} is not above the highest published, {highest}: "
                       "kiosks would refuse it as a replay")
    release = Release(version=fields.version, sequence=fields.sequence, manifest=manifest, sha256=fields.sha256,
                      size=fields.size, content=tarball, published_by=actor[:64])
    session.add(release)
    audit.record(session, actor, "release.publish", fields.version, sequence=fields.sequence, sha256=fields.sha256)
    session.commit()
    return release


class RingZero(NamedTuple):
    healthy: bool
    terminal_id: str | None
    reason: str


def ring_zero(session: Session, version: str) -> RingZero:
    """Whether the version's ring 0 kiosk took it: acknowledged done (after its probation)
    and reporting it as the version it runs."""
    first = session.scalars(select(ReleaseRollout).where(ReleaseRollout.version == version,
                                                         ReleaseRollout.ring == "0")
                            .order_by(ReleaseRollout.id.desc())).first()
    if first is None:
        return RingZero(False, None, f"ring 0 has not been given {version}: roll it out to one kiosk first")
    command = session.get(TerminalCommand, first.command_id)
    terminal = session.get(Terminal, first.terminal_id)
    who = first.terminal_id
    if command is None or terminal is None:
        return RingZero(False, who, "ring 0's command or terminal is gone")
    if command.acked_at is None:
        return RingZero(False, who, f"ring 0 ({who}) has not finished updating to {version} yet")
    if command.outcome != "done":
        return RingZero(False, who, f"ring 0 ({who}) did not take {version}: {command.result[:200]}")
    if terminal.app_version != version:
        return RingZero(False, who, f"ring 0 ({who}) reports running {terminal.app_version or 'nothing yet'}, "
                                    f"not {version}")
    return RingZero(True, who, f"ring 0 ({who}) runs {version}, healthy through its probation")


def rollout(session: Session, version: str, ring: str, actor: str, terminal_id: str = "") -> list[dict]:
    """Queues `update VERSION` for ring 0's one terminal, or for every other enabled
    terminal not on the version yet and not already told; returns what was queued."""
    if session.get(Release, version) is None:
        raise NotFound(f"no published release {version[:32]}")
    if ring not in RINGS:
        raise Invalid(f"ring must be one of {', '.join(RINGS)}")
    if ring == "0":
        terminal = session.get(Terminal, terminal_id) if terminal_id else None
        if terminal is None:
            raise Invalid("ring 0 needs the id of a registered terminal")
        if terminal.disabled:
            raise Conflict(f"{terminal_id} is disabled")
        targets = [terminal]
    else:
        zero = ring_zero(session, version)
        if not zero.healthy:
            raise Conflict(f"ring all refused: {zero.reason}", ring_zero=zero.terminal_id)
        told = set(session.scalars(select(ReleaseRollout.terminal_id).where(ReleaseRollout.version == version)))
        targets = [t for t in session.scalars(select(Terminal).order_by(Terminal.id))
                   if not t.disabled and t.app_version != version and t.id not in told]
    queued = []
    for terminal in targets:
        command = TerminalCommand(terminal_id=terminal.id, command="update", argument=version, created_by=actor[:64])
        session.add(command)
        session.flush()
        session.add(ReleaseRollout(version=version, ring=ring, terminal_id=terminal.id, command_id=command.id,
                                   created_by=actor[:64]))
        queued.append({"terminal": terminal.id, "command_id": command.id})
    audit.record(session, actor, "release.rollout", version, ring=ring, terminals=len(queued))
    session.commit()
    return queued


def listing(session: Session) -> list[dict]:
    running = dict(session.execute(select(Terminal.app_version, func.count()).group_by(Terminal.app_version)).all())
    out = []
    for release in session.scalars(select(Release).order_by(Release.sequence.desc())):
        zero = ring_zero(session, release.version)
        rollouts = session.scalars(select(ReleaseRollout).where(ReleaseRollout.version == release.version)).all()
        out.append({"version": release.version, "sequence": release.sequence, "size": release.size,
                    "sha256": release.sha256, "published_at": release.published_at.isoformat() + "Z",
                    "published_by": release.published_by, "terminals_running": running.get(release.version, 0),
                    "terminals_told": len(rollouts),
                    "ring_zero": {"terminal": zero.terminal_id, "healthy": zero.healthy, "reason": zero.reason}})
    return out
