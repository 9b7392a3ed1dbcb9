"""ORM models of the local store (DESIGN.md section 3).

Schema changes go through an Alembic migration in ``migrations/versions``;
``tests/store/test_migrations.py`` checks that the models and the migrations agree.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from emsync_desktop.store.types import EncryptedText, UtcDateTime


class Base(DeclarativeBase):
    pass


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    hospital_id: Mapped[str | None] = mapped_column(ForeignKey("hospitals.id"))
    ambulance_unit: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class Hospital(Base):
    __tablename__ = "hospitals"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    short_name: Mapped[str] = mapped_column(String(32))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    capabilities: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of capability codes
    version: Mapped[int] = mapped_column(Integer, default=0)  # the server's; 0: seeded here, not yet from a server
    closed: Mapped[bool] = mapped_column(Boolean, default=False)  # no longer takes patients (kept for history)
    beds: Mapped[list[Bed]] = relationship(back_populates="hospital", order_by="Bed.label")


class Bed(Base):
    __tablename__ = "beds"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hospital_id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"), index=True)
    unit: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer, default=1)
    hospital: Mapped[Hospital] = relationship(back_populates="beds")


class Encounter(Base):
    __tablename__ = "encounters"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    crew: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open, closed, discarded
    disposition: Mapped[str | None] = mapped_column(String(32))  # domain.disposition.Disposition when closed
    closed_by: Mapped[str | None] = mapped_column(String(36))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    name: Mapped[str | None] = mapped_column(EncryptedText("encounters.name"))
    date_of_birth: Mapped[str | None] = mapped_column(EncryptedText("encounters.date_of_birth"))
    phone: Mapped[str | None] = mapped_column(EncryptedText("encounters.phone"))
    id_number: Mapped[str | None] = mapped_column(EncryptedText("encounters.id_number"))
    id_type: Mapped[str | None] = mapped_column(EncryptedText("encounters.id_type"))  # domain.card_reading.IdType
    address: Mapped[str | None] = mapped_column(EncryptedText("encounters.address"))
    insurer: Mapped[str | None] = mapped_column(EncryptedText("encounters.insurer"))
    policy_number: Mapped[str | None] = mapped_column(EncryptedText("encounters.policy_number"))
    linked_case_id: Mapped[str | None] = mapped_column(String(36))  # an earlier case of the same patient
    age_years: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(16), default="unknown")
    chief_complaint: Mapped[str] = mapped_column(Text, default="")
    history: Mapped[str] = mapped_column(Text, default="")
    allergies: Mapped[str] = mapped_column(Text, default="")
    medications: Mapped[str] = mapped_column(Text, default="")
    spo2_scale: Mapped[int] = mapped_column(Integer, default=1)
    vitals: Mapped[list[VitalsRecord]] = relationship(
        back_populates="encounter", order_by="VitalsRecord.taken_at", cascade="all, delete-orphan"
    )
    triage: Mapped[TriageRecord | None] = relationship(cascade="all, delete-orphan")


class VitalsRecord(Base):
    __tablename__ = "vitals"
    __table_args__ = (Index("ix_vitals_encounter_taken", "encounter_id", "taken_at"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    encounter_id: Mapped[str] = mapped_column(ForeignKey("encounters.id"))
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    hr_bpm: Mapped[float | None] = mapped_column(Float)
    rr_per_min: Mapped[float | None] = mapped_column(Float)
    spo2_pct: Mapped[float | None] = mapped_column(Float)
    on_oxygen: Mapped[bool | None] = mapped_column(Boolean)
    sbp_mmhg: Mapped[float | None] = mapped_column(Float)
    dbp_mmhg: Mapped[float | None] = mapped_column(Float)
    temp_c: Mapped[float | None] = mapped_column(Float)
    consciousness: Mapped[str | None] = mapped_column(String(1))
    gcs: Mapped[float | None] = mapped_column(Float)
    pain_0_10: Mapped[float | None] = mapped_column(Float)
    glucose_mg_dl: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str] = mapped_column(Text, default="")
    carried: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    """JSON list of the fields copied from the set before (carried forward, not measured again)."""
    encounter: Mapped[Encounter] = relationship(back_populates="vitals")


class TriageRecord(Base):
    """The current triage of a case: one row per case, replaced when its inputs change.
    ``input_hash`` identifies the inputs it was computed from, so a stale result is recognised."""

    __tablename__ = "triage_results"
    encounter_id: Mapped[str] = mapped_column(ForeignKey("encounters.id"), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    input_hash: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    suggested_unit: Mapped[str] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(Text)  # JSON: probabilities, needs, factors, missing inputs
    news2_total: Mapped[int | None] = mapped_column(Integer)
    shock_index: Mapped[float | None] = mapped_column(Float)


class ImagingStudy(Base):
    """A radiograph analysed here or pulled with a transfer. The file is kept by content
    (``blobs/ab/<sha256>``) and syncs by it after the small ops; ``heat_map`` lies over the image
    (JSON rows of 0..1, at most 64 × 64), made by ``heat_map_method`` (words for people)."""

    __tablename__ = "imaging_studies"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    transfer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    source_sha256: Mapped[str] = mapped_column(String(64), index=True)
    source_name: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(16))  # DICOM, PNG, JPEG
    modality: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    model_name: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    probabilities: Mapped[str] = mapped_column(Text)  # JSON {class: probability}
    heat_map_class: Mapped[str] = mapped_column(String(64))
    heat_map: Mapped[str] = mapped_column(Text)
    thresholds: Mapped[str | None] = mapped_column(Text)  # JSON {label: threshold}: multi-label models only
    heat_map_method: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    demonstration: Mapped[bool] = mapped_column(Boolean)  # the model was a demonstration (say so on screen)
    # local (kept on this device only), pending, synced, rejected, conflict: the study's record
    sync_state: Mapped[str] = mapped_column(String(16))
    sync_reason: Mapped[str | None] = mapped_column(Text)
    # here (file on this device, not to be sent), to_send, sent, remote (on the server, not fetched)
    blob_state: Mapped[str] = mapped_column(String(16), index=True)


class BedEvent(Base):
    """A bed's status change as the sync feed brought it (``seq`` is the server's). No longer written (the
    desk's trends come from the server's hourly figures, ``CapacityHourRecord``); kept for stores that have rows,
    which ``sync.prune`` removes once they are 48 h old."""

    __tablename__ = "bed_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    bed_id: Mapped[str] = mapped_column(String(36))
    hospital_id: Mapped[str] = mapped_column(String(36))
    unit: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class OutboxOp(Base):
    """An op waiting to reach the server, or answered by it. Never deleted: a rejected op stays
    visible with its reason. ``device_seq`` is the push order."""

    __tablename__ = "outbox"
    device_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    payload: Mapped[str] = mapped_column(Text)  # JSON
    base_version: Mapped[int | None] = mapped_column(Integer)
    hlc: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16), index=True)  # pending, applied, rejected, conflict
    reason: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)  # JSON of the server's answer
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TransferRecord(Base):
    __tablename__ = "transfers"
    # The desk's views read open transfers, and those touched in a window, without reading history.
    __table_args__ = (Index("ix_transfers_state", "state"), Index("ix_transfers_updated_at", "updated_at"))
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    encounter_id: Mapped[str] = mapped_column(String(36), index=True)
    requested_by: Mapped[str] = mapped_column(String(36))
    destination_hospital_id: Mapped[str] = mapped_column(String(36), index=True)
    unit: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    eta_s: Mapped[int | None] = mapped_column(Integer)
    severity: Mapped[str | None] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text)
    history: Mapped[str] = mapped_column(Text)  # JSON list of steps: state, by, by_name, at, reason
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sync_state: Mapped[str] = mapped_column(String(16))  # pending, synced, rejected, conflict
    sync_reason: Mapped[str | None] = mapped_column(Text)


class BookingRecord(Base):
    __tablename__ = "bookings"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    transfer_id: Mapped[str] = mapped_column(String(36), index=True)
    hospital_id: Mapped[str] = mapped_column(String(36))
    unit: Mapped[str] = mapped_column(String(16))
    bed_id: Mapped[str | None] = mapped_column(String(36))
    state: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    hold_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sync_state: Mapped[str] = mapped_column(String(16))
    sync_reason: Mapped[str | None] = mapped_column(Text)
    alternatives: Mapped[str] = mapped_column(Text, default="[]")  # JSON, when the server refused the hold


class HandoffRecord(Base):
    __tablename__ = "handoffs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    transfer_id: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(Integer)
    sections: Mapped[str] = mapped_column(Text)  # JSON: situation, background, assessment, recommendation
    author_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sync_state: Mapped[str] = mapped_column(String(16))
    sync_reason: Mapped[str | None] = mapped_column(Text)
    acknowledged_by_name: Mapped[str | None] = mapped_column(String(128))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TimelineStamp(Base):
    """One stamp of a case's timeline step. Append-only: an edit is a new row that ``replaces`` the
    stamp it corrects and keeps that stamp's time in ``edited_from`` (the audit of the change); the
    step's current time is its newest row. No foreign key to ``encounters``: a ward's device holds the
    entries of cases it never had."""

    __tablename__ = "timeline_stamps"
    __table_args__ = (Index("ix_timeline_stamps_encounter_step", "encounter_id", "step"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    encounter_id: Mapped[str] = mapped_column(String(36))
    step: Mapped[str] = mapped_column(String(32))  # domain.timeline.TimelineStep
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(36))
    recorded_by_name: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    replaces: Mapped[str | None] = mapped_column(String(36))  # the stamp this edit corrects
    edited_from: Mapped[datetime | None] = mapped_column(UtcDateTime)  # that stamp's time
    sync_state: Mapped[str] = mapped_column(String(16))  # pending, synced, rejected, conflict
    sync_reason: Mapped[str | None] = mapped_column(Text)


class MedicationEntry(Base):
    """A drug given, as typed (append-only). ``free_text``: the drug is not in the formulary and its
    dose was not checked. ``warnings``: the dose-check warnings shown when it was recorded (JSON list of
    {kind, message}); they never blocked it."""

    __tablename__ = "medication_entries"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    encounter_id: Mapped[str] = mapped_column(String(36), index=True)
    drug: Mapped[str] = mapped_column(String(128))
    free_text: Mapped[bool] = mapped_column(Boolean)
    dose_value: Mapped[float] = mapped_column(Float)
    dose_unit: Mapped[str] = mapped_column(String(16))
    route: Mapped[str] = mapped_column(String(32))
    given_at: Mapped[datetime] = mapped_column(UtcDateTime)
    given_by: Mapped[str] = mapped_column(String(36))
    given_by_name: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    warnings: Mapped[str] = mapped_column(Text, default="[]")
    sync_state: Mapped[str] = mapped_column(String(16))
    sync_reason: Mapped[str | None] = mapped_column(Text)


class ProcedureEntry(Base):
    """A procedure done, with its time and extra values (JSON: energy_j, rate_per_min, current_ma,
    time_on as ISO text, ecg_file, ecg_sha256, ecg_size_bytes). Append-only. A 12-lead ECG's attached file
    is kept by content (``blobs/ab/<sha256>``, as radiographs are) and goes up after its entry (``blob_state``)."""

    __tablename__ = "procedure_entries"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    encounter_id: Mapped[str] = mapped_column(String(36), index=True)
    procedure: Mapped[str] = mapped_column(String(32))  # domain.procedures.Procedure
    done_at: Mapped[datetime] = mapped_column(UtcDateTime)
    done_by: Mapped[str] = mapped_column(String(36))
    done_by_name: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    extras: Mapped[str] = mapped_column(Text, default="{}")
    sync_state: Mapped[str] = mapped_column(String(16))
    sync_reason: Mapped[str | None] = mapped_column(Text)
    ecg_sha256: Mapped[str | None] = mapped_column(String(64))  # the attached file, as in ``extras``
    ecg_size_bytes: Mapped[int | None] = mapped_column(Integer)
    # None: no file; to_send, sent, unsendable (written here); remote (pulled: the file is on the server)
    blob_state: Mapped[str | None] = mapped_column(String(16), index=True)


class HistoryEntry(Base):
    """The SAMPLE history as saved, whole (JSON ``data``: the ``record.history`` payload without the case
    id). Append-only: each save is a new row, and the newest is the case's history."""

    __tablename__ = "history_entries"
    __table_args__ = (Index("ix_history_entries_encounter_recorded", "encounter_id", "recorded_at"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    encounter_id: Mapped[str] = mapped_column(String(36))
    data: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(36))
    recorded_by_name: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sync_state: Mapped[str] = mapped_column(String(16))
    sync_reason: Mapped[str | None] = mapped_column(Text)


class FormularyVersion(Base):
    """A formulary the service's admin published, as the pull brought it (``drugs``: the JSON list
    ``parse_formulary`` reads). Never changed after; the highest ``version`` is in force on this device
    (``services.formulary_store``) and the older ones say which limits were in force when."""

    __tablename__ = "formularies"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, index=True)
    label: Mapped[str] = mapped_column(String(200))
    drugs: Mapped[str] = mapped_column(Text)
    published_by: Mapped[str] = mapped_column(String(36))
    published_by_name: Mapped[str] = mapped_column(String(128))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExternalHospital(Base):
    """A hospital of a neighbouring region, from its EDXL-HAVE report: shown to the coordinator, read-only.
    Never synced and never offered for booking (it is not a ``Hospital``); a new report from the same
    ``source`` replaces all of that source's rows. ``beds`` is JSON ``{unit: [available, baseline]}``."""

    __tablename__ = "external_hospitals"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    source: Mapped[str] = mapped_column(String(128), index=True)  # the region, as the coordinator named it
    ref: Mapped[str] = mapped_column(String(128))  # the hospital's id in the report
    name: Mapped[str] = mapped_column(String(128))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    ed_status: Mapped[str] = mapped_column(String(16))
    beds: Mapped[str] = mapped_column(Text, default="{}")
    last_update: Mapped[datetime] = mapped_column(UtcDateTime)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)


class HeldChange(Base):
    """A change from the server this device could not apply (e.g. a bed of a hospital it does not know yet),
    kept with the reason and tried again with every later page until it applies. ``body`` is the change as
    JSON (``sync.protocol.Change``)."""

    __tablename__ = "held_changes"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(36))
    body: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    held_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CapacityHourRecord(Base):
    """The network's figures for one unit and hour (UTC), as the server keeps them (``CAPACITY_HOUR_ENTITY``):
    beds in total and in use at the hour's last sample, transfers requested in it. The desk's trends read these."""

    __tablename__ = "capacity_hours"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # "2026-12-05T14/ICU"
    hour: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    unit: Mapped[str] = mapped_column(String(16))
    beds_total: Mapped[int] = mapped_column(Integer)
    beds_in_use: Mapped[int] = mapped_column(Integer)
    transfers_requested: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)


class TransferMessage(Base):
    """A message on a transfer's thread (``MESSAGE_ENTITY``), as this device holds it. ``reads``: JSON list of the
    server's read marks (user_id, name, side, read_at, acknowledged_at); the marks made on this device wait in
    ``message_marks`` until the server's come back. ``sync_state``: 'pending' while this device's message waits to
    go, 'synced', 'rejected'."""

    __tablename__ = "transfer_messages"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    transfer_id: Mapped[str] = mapped_column(String(36), index=True)
    text: Mapped[str] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    sender_id: Mapped[str] = mapped_column(String(36))
    sender_name: Mapped[str] = mapped_column(String(128))
    sender_side: Mapped[str] = mapped_column(String(8))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reads: Mapped[str] = mapped_column(Text, default="[]")
    version: Mapped[int] = mapped_column(Integer, default=0)
    sync_state: Mapped[str] = mapped_column(String(16))
    sync_reason: Mapped[str | None] = mapped_column(Text)


class MessageMark(Base):
    """A person on this device read (and, for an urgent message, acknowledged) a message: kept per person (a
    shared ward PC has several), set the moment it happens, before the server's mark comes back in ``reads``
    (a newer server copy arriving first must not bring the banner back). The feed never touches it."""

    __tablename__ = "message_marks"
    message_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MessageDraft(Base):
    """A line typed in a thread and not sent yet, per person and transfer: kept when the window goes (sign-out,
    the night theme rebuilding the screen, a crash) and put back when the thread opens again; removed in the
    transaction that sends it."""

    __tablename__ = "message_drafts"
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    transfer_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AmbulancePosition(Base):
    """Where the ambulance on a transfer last was, as its crew's device reported it (``AMBULANCE_POSITION_ENTITY``,
    seen by the destination's staff and the desks). ``at``: the device's fix (UTC); ``version``: the feed's seq of
    the report (the one the server received last wins)."""

    __tablename__ = "ambulance_positions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the transfer's id
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
