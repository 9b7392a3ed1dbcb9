"""Blood bank tables (issue 24): units on a hospital's shelves and the requests they are allocated to. The server
decides every unit's move (``handlers/blood_units.py``, ``handlers/blood_requests.py``); devices see them through
the feed (entities ``blood_unit`` and ``blood_request``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sync_server.models import Base, UtcDateTime


class BloodUnit(Base):
    """One bag. ``din``: the 13-character ISBT 128 donation number (check character verified when registered);
    ``product_code`` as printed (its tables are licensed: stored, not interpreted). ``state``: ``UnitState``
    (never "expired": that is shown from ``expires_at``). ``request_id``: the request it is reserved, issued or
    transfused for. ``history``: every move, ``{"at", "by", "state", "reason"}``."""

    __tablename__ = "blood_units"
    __table_args__ = (UniqueConstraint("din", "product_code"),
                      Index("ix_blood_units_shelf", "hospital_id", "component", "state", "expires_at"))
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hospital_id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"))
    din: Mapped[str] = mapped_column(String(13))
    product_code: Mapped[str] = mapped_column(String(16))
    component: Mapped[str] = mapped_column(String(16))
    abo: Mapped[str] = mapped_column(String(2))
    rhd_positive: Mapped[bool] = mapped_column(Boolean)
    volume_ml: Mapped[int] = mapped_column(Integer)
    collected_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    location: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str | None] = mapped_column(ForeignKey("blood_requests.id"), index=True)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class BloodRequest(Base):
    """Components asked of a hospital's blood bank for one patient. ``counts``: component -> units; recipient
    group ``abo``/``rhd_positive`` None while not known; ``patient_name`` and ``patient_second_id`` are checked at
    the bedside against the person being transfused. ``transfer_id``: a crew's pre-alert for a patient on the
    way. ``urgency``: ``Urgency`` by name. ``units``: those given to it, ``{"id", "component", "state"}``, kept as
    they move (a unit released before issue leaves the list; one returned unused stays, as returned)."""

    __tablename__ = "blood_requests"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hospital_id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"), index=True)
    transfer_id: Mapped[str | None] = mapped_column(ForeignKey("transfers.id"), index=True)
    requested_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    patient_name: Mapped[str] = mapped_column(String(120))
    patient_second_id: Mapped[str] = mapped_column(String(64))
    abo: Mapped[str | None] = mapped_column(String(2))
    rhd_positive: Mapped[bool | None] = mapped_column(Boolean)
    childbearing: Mapped[bool] = mapped_column(Boolean)
    urgency: Mapped[str] = mapped_column(String(16))
    mtp: Mapped[bool] = mapped_column(Boolean)
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16))
    units: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)


class Donor(Base):
    """A blood donor on a hospital blood bank's registry. ``donations``: each ``{"at", "kind", "din", "by"}``;
    ``last_given_at``/``last_kind``: the newest (given here or said at registration); ``deferred_until`` with its
    reason: may not give before then. Seen only by that blood bank's staff (``feed.scope``)."""

    __tablename__ = "donors"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hospital_id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(32))
    abo: Mapped[str] = mapped_column(String(2))
    rhd_positive: Mapped[bool] = mapped_column(Boolean)
    last_given_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_kind: Mapped[str | None] = mapped_column(String(24))
    deferred_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    deferral_reason: Mapped[str] = mapped_column(String(500))
    donations: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class BloodPar(Base):
    """A blood bank's settings (``id``: its hospital's): par ``levels``, each ``{"component", "abo",
    "rhd_positive", "par"}``, its massive-transfusion ``pack`` and its donors' ``donation_days``; replaced whole by
    op ``blood.par_set``."""

    __tablename__ = "blood_par"
    id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"), primary_key=True)
    levels: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    pack: Mapped[dict[str, int] | None] = mapped_column(JSON)  # the MTP pack; None: the default 6:6:1
    donation_days: Mapped[dict[str, int] | None] = mapped_column(JSON)  # None: the FDA defaults
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str] = mapped_column(String(128))
