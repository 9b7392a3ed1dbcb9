"""A ward's tasks as this device holds them (issue 26): ``ward_task`` feed rows, with this device's own changes
queued (``sync_state`` 'pending' until the server answers, 'rejected' or 'conflict' with ``sync_reason``; a claim
another nurse won comes back as 'conflict' with who has it). The columns the board sorts on are columns; the rest of
the server's record is ``data`` (JSON, ``protocol_tasks``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from emsync_desktop.store.models import Base
from emsync_desktop.store.types import UtcDateTime


class WardTaskRecord(Base):
    __tablename__ = "ward_tasks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hospital_id: Mapped[str] = mapped_column(String(36), index=True)
    state: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(8))
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    data: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=0)
    sync_state: Mapped[str] = mapped_column(String(16))
    sync_reason: Mapped[str | None] = mapped_column(Text)
