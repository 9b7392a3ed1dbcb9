"""The blood bank as this device holds it (issue 24): units and requests as the feed brings them (entities
``blood_unit`` and ``blood_request``), with this device's own changes queued (``sync_state`` 'pending' until the
server answers, 'rejected' or 'conflict' with ``sync_reason``). The columns screens filter and sort on are
columns; the rest of the server's record is ``data`` (JSON). A request's patient identifiers are encrypted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from emsync_desktop.store.models import Base
from emsync_desktop.store.types import EncryptedText, UtcDateTime


class BloodUnitRecord(Base):
    __tablename__ = "blood_units"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hospital_id: Mapped[str] = mapped_column(String(36), index=True)
    din: Mapped[str] = mapped_column(String(13), index=True)
    component: Mapped[str] = mapped_column(String(16))
    abo: Mapped[str] = mapped_column(String(2))
    rhd_positive: Mapped[bool] = mapped_column(Boolean)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str | None] = mapped_column(String(36), index=True)
    data: Mapped[str] = mapped_column(Text)  # JSON: the server's record (product code, volume, location, history)
    version: Mapped[int] = mapped_column(Integer, default=0)
    sync_state: Mapped[str] = mapped_column(String(16))
    sync_reason: Mapped[str | None] = mapped_column(Text)


class BloodRequestRecord(Base):
    __tablename__ = "blood_requests"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hospital_id: Mapped[str] = mapped_column(String(36), index=True)
    transfer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    requested_by: Mapped[str] = mapped_column(String(36))
    urgency: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    patient_name: Mapped[str | None] = mapped_column(EncryptedText("blood_requests.patient_name"))
    patient_second_id: Mapped[str | None] = mapped_column(EncryptedText("blood_requests.patient_second_id"))
    data: Mapped[str] = mapped_column(Text)  # JSON: the server's record but the patient's identifiers
    version: Mapped[int] = mapped_column(Integer, default=0)
    sync_state: Mapped[str] = mapped_column(String(16))
    sync_reason: Mapped[str | None] = mapped_column(Text)


class DonorRow(Base):
    """A donor on this blood bank's registry as the feed brings it (``donor``), with this device's changes queued;
    name and phone encrypted; ``data`` (JSON): the server's record but the name and phone (donations, deferral)."""

    __tablename__ = "donors"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hospital_id: Mapped[str] = mapped_column(String(36), index=True)
    name: Mapped[str | None] = mapped_column(EncryptedText("donors.name"))
    phone: Mapped[str | None] = mapped_column(EncryptedText("donors.phone"))
    abo: Mapped[str] = mapped_column(String(2))
    rhd_positive: Mapped[bool] = mapped_column(Boolean)
    last_given_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deferred_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    data: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=0)
    sync_state: Mapped[str] = mapped_column(String(16))
    sync_reason: Mapped[str | None] = mapped_column(Text)


class BloodParRow(Base):
    """This blood bank's par levels as the feed brings them (``blood_par``; ``id``: the hospital's), or as set
    here and queued. ``levels``: JSON list of ``{"component", "abo", "rhd_positive", "par"}``."""

    __tablename__ = "blood_par"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    levels: Mapped[str] = mapped_column(Text)
    settings: Mapped[str] = mapped_column(Text, default="{}")  # JSON: {"pack", "donation_days"}, None: defaults
    version: Mapped[int] = mapped_column(Integer, default=0)
    sync_state: Mapped[str] = mapped_column(String(16))
    sync_reason: Mapped[str | None] = mapped_column(Text)
