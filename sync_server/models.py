"""Server tables. The server is the authority for beds, transfers, bookings and handoffs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend (SQLite keeps no zone: stored naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    hospital_id: Mapped[str | None] = mapped_column(String(36))
    ambulance_unit: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(256))
    # Second factor (sync_server/mfa.py). Secrets are sealed (AES-GCM, bound to the account id), never plain.
    mfa_secret: Mapped[str | None] = mapped_column(Text)  # set once enrolment is confirmed with a code
    mfa_pending_secret: Mapped[str | None] = mapped_column(Text)  # shown as a QR code, not yet confirmed
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    mfa_last_step: Mapped[int | None] = mapped_column(BigInteger)  # newest TOTP time step accepted (replays)
    mfa_challenge_id: Mapped[str | None] = mapped_column(String(32))  # the one open challenge after a password
    mfa_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # wrong codes on it
    # Set: the account is disabled (refused at sign-in, refresh, every request and on the live channel).
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class RecoveryCode(Base):
    """One-time codes for a lost phone: argon2 hashes only; ``used_at`` set when spent."""

    __tablename__ = "mfa_recovery_codes"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class AuthSession(Base):
    """One sign-in: its refresh tokens (rotated, ``generation`` counts them) live as long as the row is
    not revoked. Sign-out and disabling the account revoke it."""

    __tablename__ = "auth_sessions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)  # goes with it
    generation: Mapped[int] = mapped_column(Integer)  # the only refresh token of this session still accepted
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(32))


class LoginThrottle(Base):
    """Failed sign-ins per throttling key (an account name or a client address, hashed: a password typed
    into the name field is never stored). Shared by every server process on the database."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Hospital(Base):
    __tablename__ = "hospitals"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    short_name: Mapped[str] = mapped_column(String(32))
    lat: Mapped[float]
    lon: Mapped[float]
    capabilities: Mapped[list[str]] = mapped_column(JSON)
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)  # takes no patients; kept for its history


class Bed(Base):
    __tablename__ = "beds"
    __table_args__ = (Index("ix_beds_hospital_unit_status", "hospital_id", "unit", "status"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hospital_id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"))
    unit: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer, default=1)


class Transfer(Base):
    __tablename__ = "transfers"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    encounter_id: Mapped[str] = mapped_column(String(36), index=True)  # one active transfer per encounter
    requested_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    destination_hospital_id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"), index=True)
    unit: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    eta_s: Mapped[int | None]
    severity: Mapped[str | None] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    history: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # every step: state, by, at, reason
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)  # requests per hour (capacity_hours)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The case mix (issue 25; ``domain.case_mix``): None when the request did not say (an older app, not known).
    age_band: Mapped[str | None] = mapped_column(String(8), default=None)
    sex: Mapped[str | None] = mapped_column(String(8), default=None)
    complaint_group: Mapped[str | None] = mapped_column(String(32), default=None)


class TransferPosition(Base):
    """Where the crew's ambulance was while its transfer was under way (op ``transfer.position``): the
    transfer's track, kept for the record. ``id``: the report's (the op's entity id); ``at``: the device's fix."""

    __tablename__ = "transfer_positions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    transfer_id: Mapped[str] = mapped_column(ForeignKey("transfers.id"), index=True)
    lat: Mapped[float]
    lon: Mapped[float]
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    source: Mapped[str] = mapped_column(String(32))
    reported_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TransferMessage(Base):
    """A message on a transfer's thread (op ``message.send``) with its read marks (op ``message.read``), each
    ``{"user_id", "name", "role", "read_at", "acknowledged_at"}``; ``version`` grows with every mark.
    ``sent_at``: written on the device (never after ``received_at``); ``received_at``: the server's time."""

    __tablename__ = "transfer_messages"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    transfer_id: Mapped[str] = mapped_column(ForeignKey("transfers.id"), index=True)
    sender_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    sender_role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    quick_reply: Mapped[str | None] = mapped_column(String(32))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    reads: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)


class Booking(Base):
    __tablename__ = "bookings"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    transfer_id: Mapped[str] = mapped_column(ForeignKey("transfers.id"), index=True)
    hospital_id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"))
    unit: Mapped[str] = mapped_column(String(16))
    bed_id: Mapped[str | None] = mapped_column(ForeignKey("beds.id"))
    state: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    hold_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    requested_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Handoff(Base):
    __tablename__ = "handoffs"
    __table_args__ = (UniqueConstraint("transfer_id", "version"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    transfer_id: Mapped[str] = mapped_column(ForeignKey("transfers.id"))
    version: Mapped[int] = mapped_column(Integer)
    sections: Mapped[dict[str, str]] = mapped_column(JSON)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    acknowledged_by: Mapped[str | None] = mapped_column(String(36))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ImagingStudy(Base):
    """A radiograph analysed at a hospital and kept with a transfer; the file is in the blob store."""

    __tablename__ = "imaging_studies"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    transfer_id: Mapped[str] = mapped_column(ForeignKey("transfers.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[dict[str, object]] = mapped_column(JSON)  # the payload as sent: model, probabilities, heat map
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class BlobSender(Base):
    """Who sent which file (radiograph) by content hash, and whether all of it: one row per account and
    file, made at its first chunk (the whole size counts against the sender's quota from then on).
    A study holds its file only if its author sent the whole file (``held_at``): citing a hash is not
    having the file."""

    __tablename__ = "blob_senders"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    held_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # the whole file arrived, hash checked


class AppliedOp(Base):
    """Every op answered, with its answer: a repeat gets the same answer (until the device has confirmed that it
    has the answer, and a day has passed: ``answers.py``)."""

    __tablename__ = "applied_ops"
    __table_args__ = (Index("ix_applied_ops_device", "device_id", "user_id", "device_seq"),)  # forgetting (answers)
    op_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    device_seq: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    result: Mapped[dict[str, object]] = mapped_column(JSON)
    applied_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DeviceAnswers(Base):
    """How far a device has the server's answers to its ops, per account on it (``answers.py``): the highest
    ``answered_through`` any push reported, with ``raised_at`` (when it last rose), and the latest one reported
    (``reported_through``, lower after a restore from an old backup). Every op of the device up to a mark has its
    answer stored on the device."""

    __tablename__ = "device_answers"
    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    answered_through: Mapped[int] = mapped_column(BigInteger)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime())
    reported_through: Mapped[int] = mapped_column(BigInteger)


class ChangeRow(Base):
    """The change feed. ``seq`` is global and commits in order (see feed.py). ``latest``: no newer version of
    the record is in the feed (older versions are compacted away after a while); ``pinned``: in every scope
    whatever its age (the network, the formulary, open transfers and their holds), see ``feed.pinned``."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_entity_id", "entity_id"),  # to whom an entity went (blob_access)
                      Index("ix_changes_created_at", "created_at"),
                      # Partial indexes: the predicates as each dialect writes the queries' conditions.
                      Index("ix_changes_pinned_seq", "seq", postgresql_where=text("latest AND pinned"),
                            sqlite_where=text("latest = 1 AND pinned = 1")),
                      Index("ix_changes_superseded_seq", "seq", postgresql_where=text("NOT latest"),
                            sqlite_where=text("latest = 0")))
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                     autoincrement=True)
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, object]] = mapped_column(JSON)
    hospital_id: Mapped[str | None] = mapped_column(String(36), index=True)
    owner_user_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    latest: Mapped[bool] = mapped_column(Boolean, default=True)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)


class CapacityHour(Base):
    """The network's figures per unit and hour (``capacity_hours``): what the desks' trends show."""

    __tablename__ = "capacity_hours"
    hour: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)  # the hour's start, UTC
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    beds_total: Mapped[int] = mapped_column(Integer)
    beds_in_use: Mapped[int] = mapped_column(Integer)
    transfers_requested: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)


class AuditEvent(Base):
    """Append-only, hash-chained: ``hash`` covers the event and the previous event's hash."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    user_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(36))
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class EncounterCrew(Base):
    """The account that owns a case on the server (its crew): the only one that may add to its record.
    Claimed by the first record entry, or taken from the case's first transfer request (the server knows
    cases only through their transfers and record entries)."""

    __tablename__ = "encounter_crews"
    encounter_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RecordEntry(Base):
    """One append-only entry of a case's record: a timeline stamp, a drug given or a procedure done
    (``kind``: the feed's entity name). ``data`` is the payload as sent and the author's name at the time;
    who and when are the server's. ``file_sha256``: the file a 12-lead ECG entry attaches (its size is in
    ``data``), which its author sends to the blob store (``blob_access``)."""

    __tablename__ = "record_entries"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    encounter_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, object]] = mapped_column(JSON)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    file_sha256: Mapped[str | None] = mapped_column(String(64), index=True)


class PublishedFormulary(Base):
    """A formulary an admin published (``drugs``: as ``parse_formulary`` reads them, checked before they were
    stored). Versions count 1, 2, ... and the newest is in force on every device; a row never changes."""

    __tablename__ = "formularies"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    label: Mapped[str] = mapped_column(String(200))
    drugs: Mapped[list[object]] = mapped_column(JSON)
    published_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime())
