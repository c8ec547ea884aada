"""Tables. Personal data is stored encrypted (`*_enc`, AES-GCM) with a keyed hash for
lookup and a masked form for display; never in clear. Times are naive UTC."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


# --- catalogue -------------------------------------------------------------------------------
class Window(Base):
    __tablename__ = "windows"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Set when a catalogue load no longer has it (catalogue.py): hidden from the kiosks,
    # kept for the items, bundles and cases that name it.
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Department(Base):
    __tablename__ = "departments"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))


class Item(Base):
    __tablename__ = "items"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(2), index=True)
    level: Mapped[str] = mapped_column(String(16), default="county")
    window_code: Mapped[str] = mapped_column(ForeignKey("windows.code"), index=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    audience: Mapped[list] = mapped_column(JSON, default=list)
    legal_days: Mapped[int] = mapped_column(Integer)
    promised_days: Mapped[int] = mapped_column(Integer)
    visits: Mapped[int] = mapped_column(Integer, default=0)
    fees: Mapped[list] = mapped_column(JSON, default=list)
    channels: Mapped[list] = mapped_column(JSON, default=list)
    kiosk: Mapped[bool] = mapped_column(Boolean, default=True)
    where_instead: Mapped[str] = mapped_column(Text, default="")
    where_instead_en: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    conditions: Mapped[list] = mapped_column(JSON, default=list)
    conditions_en: Mapped[list] = mapped_column(JSON, default=list)
    form: Mapped[list] = mapped_column(JSON, default=list)
    pinyin_initials: Mapped[str] = mapped_column(String(200), default="", index=True)
    pinyin_full: Mapped[str] = mapped_column(String(600), default="")
    # Set when a catalogue load no longer has it: no longer offered, kept for its cases.
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)

    materials: Mapped[list["Material"]] = relationship(
        order_by="Material.position", cascade="all, delete-orphan", back_populates="item")
    department: Mapped[Department] = relationship()


class Material(Base):
    __tablename__ = "materials"
    __table_args__ = (UniqueConstraint("item_code", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_code: Mapped[str] = mapped_column(ForeignKey("items.code"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300))
    necessity: Mapped[str] = mapped_column(String(16))  # required | optional | deferrable
    forms: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(16))  # applicant | e_licence | data_sharing
    licence_type_code: Mapped[str] = mapped_column(String(32), default="")
    copies: Mapped[int] = mapped_column(Integer, default=1)
    blank_form: Mapped[bool] = mapped_column(Boolean, default=False)
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    item: Mapped[Item] = relationship(back_populates="materials")


class Bundle(Base):
    __tablename__ = "bundles"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300))
    window_code: Mapped[str] = mapped_column(ForeignKey("windows.code"))
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    item_codes: Mapped[list] = mapped_column(JSON, default=list)
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class CatalogueVersion(Base):
    """One catalogue load: which file (its SHA-256), who, when, and what it changed. The
    highest number is the catalogue the kiosks should hold."""
    __tablename__ = "catalogue_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_by: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    added: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    retired: Mapped[int] = mapped_column(Integer, default=0)
    # The same per kind: {"items": {"added": 1, "changed": 0, "retired": 2}, "windows": ..., "bundles": ...}
    changes: Mapped[dict] = mapped_column(JSON, default=dict)


# --- cases -----------------------------------------------------------------------------------
class CaseCounter(Base):
    __tablename__ = "case_counters"
    prefix: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    item_code: Mapped[str | None] = mapped_column(ForeignKey("items.code"), nullable=True)
    bundle_code: Mapped[str | None] = mapped_column(ForeignKey("bundles.code"), nullable=True)
    item_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(32), index=True)
    decision: Mapped[str] = mapped_column(String(16), default="")  # approved | denied | partial
    department_code: Mapped[str] = mapped_column(String(16), index=True)
    department_name: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(16), default="kiosk")
    terminal_id: Mapped[str] = mapped_column(String(64), default="")
    applicant_kind: Mapped[str] = mapped_column(String(16), default="person")
    applicant_lookup: Mapped[str] = mapped_column(String(64), index=True)
    applicant_id_enc: Mapped[str] = mapped_column(Text, default="")
    applicant_name_enc: Mapped[str] = mapped_column(Text, default="")
    applicant_masked: Mapped[str] = mapped_column(String(64))
    applicant_id_masked: Mapped[str] = mapped_column(String(32), default="")
    phone_enc: Mapped[str] = mapped_column(Text, default="")
    phone_masked: Mapped[str] = mapped_column(String(16), default="")
    answers_enc: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    accepted_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    promised_days: Mapped[int] = mapped_column(Integer, default=0)
    promised_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    promised_date_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    paused_working_days: Mapped[int] = mapped_column(Integer, default=0)
    deferred_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    deferred_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    commitment_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    correction: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # {deficiencies, due}
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    tracking_token: Mapped[str] = mapped_column(Text, default="")
    # How the applicant was known to be present: sms_on_file, sms_carrier_checked (a
    # presence grant), card_read (a kiosk's card read alone: to check in person), staff.
    presence_evidence: Mapped[str] = mapped_column(String(32), default="")
    # The applicant asked for texts about the case (notices.py), in this language.
    sms_notices: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_language: Mapped[str] = mapped_column(String(8), default="zh_CN")
    # How the result reaches the applicant (window, post, kiosk, electronic) and, for post,
    # the address as it may be shown (addresses.PostalAddress.shown); the full address is
    # in `delivery_enc` only.
    delivery: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    delivery_enc: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", order_by="CaseEvent.id", cascade="all, delete-orphan")
    materials: Mapped[list["CaseMaterial"]] = relationship(
        back_populates="case", order_by="CaseMaterial.id", cascade="all, delete-orphan")
    parts: Mapped[list["CasePart"]] = relationship(
        back_populates="case", order_by="CasePart.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The queues and the dashboard's list read the cases of a state most urgent first
        # (console/lights.py); the dashboard's figures per department come from it alone.
        Index("ix_cases_urgency", "status", "promised_date", "received_at", "department_code"),
        # 容缺 commitments still pending, by the date they fall due.
        Index("ix_cases_deferred_due", "deferred_pending", "deferred_due"),
    )


class CasePart(Base):
    """One item of a "一件事" bundle, reviewed by its own department in parallel."""

    __tablename__ = "case_parts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    item_code: Mapped[str] = mapped_column(ForeignKey("items.code"))
    item_name: Mapped[str] = mapped_column(String(200))
    department_code: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|in_review|approved|denied
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    case: Mapped[Case] = relationship(back_populates="parts")


class CaseMaterial(Base):
    __tablename__ = "case_materials"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    material_code: Mapped[str] = mapped_column(String(96))  # "M01", or "ITEM-CODE/M01" in a bundle
    name: Mapped[str] = mapped_column(String(200))
    form: Mapped[str] = mapped_column(String(16))  # original | copy | electronic
    copies: Mapped[int] = mapped_column(Integer, default=1)
    licence_id: Mapped[str] = mapped_column(String(128), default="")
    deferred: Mapped[bool] = mapped_column(Boolean, default=False)
    deferred_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    supplied_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    content_type: Mapped[str] = mapped_column(String(64), default="")
    content_sha256: Mapped[str] = mapped_column(String(64), default="")
    content_enc: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    case: Mapped[Case] = relationship(back_populates="materials")


class CaseEvent(Base):
    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    action: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(32))
    department: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    note_en: Mapped[str] = mapped_column(Text, default="", server_default="")  # "" when only Chinese was written
    actor: Mapped[str] = mapped_column(String(64), default="")
    case: Mapped[Case] = relationship(back_populates="events")


class Shipment(Base):
    """A posted result handed to the courier (shipping.py): one per case, its order number
    the courier's key, so a retried hand-over never makes a second waybill."""
    __tablename__ = "shipments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    courier: Mapped[str] = mapped_column(String(16))
    order_no: Mapped[str] = mapped_column(String(64), unique=True)
    waybill: Mapped[str] = mapped_column(String(32), index=True)
    # created | collected | in_transit | out_for_delivery | delivered: the latest step
    status: Mapped[str] = mapped_column(String(24), default="created", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    polled_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    steps: Mapped[list["ShipmentStep"]] = relationship(
        order_by="ShipmentStep.at", cascade="all, delete-orphan", back_populates="shipment")


class ShipmentStep(Base):
    """A tracking event the courier reported, once each."""
    __tablename__ = "shipment_steps"
    __table_args__ = (UniqueConstraint("shipment_id", "step", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    step: Mapped[str] = mapped_column(String(24))  # collected | in_transit | out_for_delivery | delivered
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    place: Mapped[str] = mapped_column(String(100), default="")
    shipment: Mapped[Shipment] = relationship(back_populates="steps")


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


# --- terminals -------------------------------------------------------------------------------
class Terminal(Base):
    __tablename__ = "terminals"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    secret_enc: Mapped[str] = mapped_column(Text)
    # After a rotation the secret before it still signs until `secret_previous_until` (a
    # kiosk offline, or its answer lost), or until the new one is first used.
    secret_previous_enc: Mapped[str] = mapped_column(Text, default="", server_default="")
    secret_previous_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    in_service: Mapped[bool] = mapped_column(Boolean, default=True)
    # Cut off by an administrator (a stolen or misbehaving kiosk): every signed request is
    # refused until it is enabled again.
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str] = mapped_column(String(200), default="")
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Not indexed: nothing searches by it, and every heartbeat changes it (migration 0020).
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    app_version: Mapped[str] = mapped_column(String(32), default="")
    uptime_s: Mapped[int] = mapped_column(Integer, default=0)
    outbox_length: Mapped[int] = mapped_column(Integer, default=0)
    devices: Mapped[dict] = mapped_column(JSON, default=dict)
    # The rest of the last heartbeat (outbox detail, in service as the kiosk sees it, the
    # screen's name): backoffice/fleet_report.py says which keys are kept.
    reported: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # Of app_version, devices and reported as last written (terminals.heartbeat): a beat
    # whose digest matches writes only its time, uptime and outbox length.
    report_digest: Mapped[str] = mapped_column(String(32), default="", server_default="")


class TerminalNonce(Base):
    __tablename__ = "terminal_nonces"
    __table_args__ = (UniqueConstraint("terminal_id", "nonce"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class TerminalCommand(Base):
    __tablename__ = "terminal_commands"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(ForeignKey("terminals.id"), index=True)
    command: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    acked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    result: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(16), default="")  # done | failed | unavailable, once acked
    argument: Mapped[str] = mapped_column(String(64), default="")  # update's version; "" for the others


class TerminalDiagnostics(Base):
    """A diagnostics bundle a terminal uploaded (kiosk/ops/diagnostics_bundle.py: readiness
    report, masked log tail, profile, versions); kept in the database so every server
    process can hand it to staff."""
    __tablename__ = "terminal_diagnostics"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(ForeignKey("terminals.id"), index=True)
    command_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Release(Base):
    """A kiosk release the county built and signed (kiosk/ops/updates/build.py): the
    manifest byte for byte and the tarball, handed to terminals as they are. The back
    office checks only that they belong together; the kiosk checks the signature."""
    __tablename__ = "releases"
    version: Mapped[str] = mapped_column(String(32), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger, unique=True)
    manifest: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    published_by: Mapped[str] = mapped_column(String(64), default="")


class ReleaseRollout(Base):
    """One terminal told to update: ring 0 is the first kiosk, "all" the rest after it."""
    __tablename__ = "release_rollouts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(ForeignKey("releases.version"), index=True)
    ring: Mapped[str] = mapped_column(String(8))  # "0" | "all"
    terminal_id: Mapped[str] = mapped_column(ForeignKey("terminals.id"))
    command_id: Mapped[int] = mapped_column(ForeignKey("terminal_commands.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")


class Alert(Base):
    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # terminal_silent | paper_out | overdue | ...
    subject: Mapped[str] = mapped_column(String(64), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    department_code: Mapped[str] = mapped_column(String(16), default="")
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    cleared_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True, index=True)
    # Staff told through the alert channel (alert_delivery.py): when, after how many tries.
    notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    notify_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


# --- presence grants and texts ---------------------------------------------------------------
class PresenceChallenge(Base):
    """A one-time code sent for a citizen at a terminal (presence.py); only its keyed hash is kept."""
    __tablename__ = "presence_challenges"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64), index=True)
    session_ref: Mapped[str] = mapped_column(String(64))
    citizen_lookup: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    phone_source: Mapped[str] = mapped_column(String(16))  # on_file | typed
    phone_masked: Mapped[str] = mapped_column(String(16))
    tries_left: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    redeemed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class PassportChallenge(Base):
    """Eight random bytes for an ePassport chip to sign (presence_passport.py), for one
    terminal and kiosk session, used once."""
    __tablename__ = "passport_challenges"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64), index=True)
    session_ref: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(16))  # hex
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class FaceReference(Base):
    """A passport's DG2 face that passive authentication proved (presence_passport.py),
    kept encrypted for the face step of the same terminal and kiosk session only, deleted
    when that step is done or expires (presence_face.py)."""
    __tablename__ = "face_references"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64), index=True)
    session_ref: Mapped[str] = mapped_column(String(64))
    citizen_lookup: Mapped[str] = mapped_column(String(64))
    image_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class FaceChallenge(Base):
    """The head turn asked of a citizen at a terminal (presence_face.py), for one terminal
    and kiosk session; a grant once, or spent after its tries."""
    __tablename__ = "face_challenges"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64), index=True)
    session_ref: Mapped[str] = mapped_column(String(64))
    citizen_lookup: Mapped[str] = mapped_column(String(64), index=True)
    document_kind: Mapped[str] = mapped_column(String(24))  # resident_id | passport
    # The ID number and name, encrypted, for the real-person service; "" for a passport.
    document_enc: Mapped[str] = mapped_column(Text, default="")
    name_enc: Mapped[str] = mapped_column(Text, default="")
    reference_id: Mapped[str] = mapped_column(String(32), default="")  # a passport's FaceReference
    action: Mapped[str] = mapped_column(String(16))
    consent_version: Mapped[str] = mapped_column(String(32))
    tries_left: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class FaceFrameSeen(Base):
    """The SHA-256 of every frame a face check has read: a frame sent again is a replay."""
    __tablename__ = "face_frames_seen"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class PresenceGrant(Base):
    """What a redeemed code buys: one citizen's data for one terminal and kiosk session."""
    __tablename__ = "presence_grants"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64), index=True)
    session_ref: Mapped[str] = mapped_column(String(64))
    citizen_lookup: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(100))
    evidence: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    ended_reason: Mapped[str] = mapped_column(String(16), default="")


class SmsMessage(Base):
    """The durable send table (sms/gateway.py): one row per message key."""
    __tablename__ = "sms_messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)  # a case notice's
    event: Mapped[str] = mapped_column(String(32), default="", server_default="")  # what it tells of
    template: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8), default="zh_CN")
    phone_enc: Mapped[str] = mapped_column(Text)
    phone_masked: Mapped[str] = mapped_column(String(16))
    params_enc: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)  # queued | sent | failed | expired
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    provider: Mapped[str] = mapped_column(String(16), default="")
    provider_id: Mapped[str] = mapped_column(String(64), default="")
    last_error: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # The carrier's receipt (回执), where the provider gives one: "" not yet known,
    # delivered or undelivered.
    receipt: Mapped[str] = mapped_column(String(16), default="", server_default="")
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


# --- staff -----------------------------------------------------------------------------------
class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # clerk | approver | supervisor | admin
    department_code: Mapped[str] = mapped_column(String(16), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The second factor (roles in the mfa_roles setting): the authenticator's secret,
    # encrypted, "" until enrolled; the last time step signed in with, never accepted again.
    totp_secret_enc: Mapped[str] = mapped_column(Text, default="", server_default="")
    totp_last_step: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # For the administrator's list of accounts (the console's staff page); None: never.
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class StaffToken(Base):
    __tablename__ = "staff_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # A console session's: unused until then, it opens nothing (None for the API's tokens).
    idle_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    staff: Mapped[Staff] = relationship()


class LoginFailure(Base):
    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str] = mapped_column(String(64), default="", index=True)  # the address it came from
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


# --- ratings ---------------------------------------------------------------------------------
class Rating(Base):
    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    level: Mapped[int] = mapped_column(Integer)  # 5 非常满意 .. 1 非常不满意
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(16), default="kiosk")
    terminal_id: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)  # the weekly chart
    department_code: Mapped[str] = mapped_column(String(16), default="", index=True)


class Rectification(Base):
    """A bad rating (差评) is verified, rectified and answered within set working days."""

    __tablename__ = "rectifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # those in progress
    callback_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    rectify_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    called_back_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    rectified_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    response: Mapped[str] = mapped_column(Text, default="")
    appeal_reason: Mapped[str] = mapped_column(Text, default="")
    appeal_decision: Mapped[str] = mapped_column(String(16), default="")
    rating: Mapped[Rating] = relationship()


# --- e-licences ------------------------------------------------------------------------------
class Licence(Base):
    __tablename__ = "licences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identifier: Mapped[str] = mapped_column(String(128), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    type_code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    holder_lookup: Mapped[str] = mapped_column(String(64), index=True)
    holder_masked: Mapped[str] = mapped_column(String(64))
    issuer_name: Mapped[str] = mapped_column(String(100))
    issuer_uscc: Mapped[str] = mapped_column(String(18))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    valid_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="valid")


# --- appointments ----------------------------------------------------------------------------
class Appointment(Base):
    __tablename__ = "appointments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    item_code: Mapped[str] = mapped_column(ForeignKey("items.code"))
    applicant_lookup: Mapped[str] = mapped_column(String(64), index=True)
    applicant_masked: Mapped[str] = mapped_column(String(64))
    slot_start: Mapped[dt.datetime] = mapped_column(DateTime)
    slot_end: Mapped[dt.datetime] = mapped_column(DateTime)
    window_code: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default="booked")
    ticket_number: Mapped[str] = mapped_column(String(16), default="")
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    terminal_id: Mapped[str] = mapped_column(String(64), default="")
    phone_enc: Mapped[str] = mapped_column(Text, default="")  # for the day-before reminder, if asked


class TicketCounter(Base):
    __tablename__ = "ticket_counters"
    prefix: Mapped[str] = mapped_column(String(32), primary_key=True)  # window + day
    value: Mapped[int] = mapped_column(Integer, default=0)


# --- calendar, audit, locks ------------------------------------------------------------------
class CalendarOverride(Base):
    __tablename__ = "calendar_overrides"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(200), default="")
    # "" for a day an administrator set by hand (a typhoon closure); the notice's year,
    # "arrangement:2027", for a day an imported arrangement set (a re-import replaces them).
    source: Mapped[str] = mapped_column(String(64), default="")


class CalendarVersion(Base):
    """The calendar's change counter, one row: every change to its days or years raises it
    in the same transaction (calendar.py), so each server process can tell by one number
    whether the calendar it keeps is still the county's (reference_cache.py)."""

    __tablename__ = "calendar_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, default=0)


class CalendarYear(Base):
    """A year whose full schedule was imported from the State Council's arrangement
    (beyond the official package), with the notice it came from."""

    __tablename__ = "calendar_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    declared_by: Mapped[str] = mapped_column(String(64), default="")
    declared_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    notice_number: Mapped[str] = mapped_column(String(64), default="")
    notice_issued: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    notice_title: Mapped[str] = mapped_column(String(200), default="")
    notice_url: Mapped[str] = mapped_column(String(500), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))  # staff:<username> | terminal:<id> | system
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(128), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row: the last hash of the chain, locked while appending so concurrent writers
    (several server processes) extend one chain."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))


class JobLock(Base):
    __tablename__ = "job_locks"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
