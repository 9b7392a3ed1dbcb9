"""A ward's tasks (issue 26), decided on the server: ``ward_tasks``, one row per task with its current state. Claims
are taken under the row's lock (``handlers.ward_tasks``); tasks made by events carry ``source_id`` (the bed,
transfer or task that made them) so an event never makes the same open task twice. Published to the hospital's
nurses and the desks as ``ward_task``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sync_server.models import Base, UtcDateTime


class WardTask(Base):
    __tablename__ = "ward_tasks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hospital_id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"))
    unit: Mapped[str] = mapped_column(String(16))
    bed_id: Mapped[str | None] = mapped_column(String(36))
    bed_label: Mapped[str] = mapped_column(String(32), default="")
    patient: Mapped[str] = mapped_column(String(80), default="")
    title: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by_name: Mapped[str] = mapped_column(String(128))
    claimed_by: Mapped[str | None] = mapped_column(String(36))
    claimed_by_name: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text, default="")
    source_id: Mapped[str | None] = mapped_column(String(36))
    news2: Mapped[int | None] = mapped_column(SmallInteger)
    news2_single_three: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_ward_tasks_open", "hospital_id", "state"),
                      Index("ix_ward_tasks_source", "source_id", "kind"))
