"""Forecasting tables (issue 25): the history forecasts are fitted on, and the forecasts the desks read.

``activity_hours``: per hospital, unit and hour (UTC), the transfers requested in it and the beds in total and in
use at its last sample; one narrow row per hour (10 hospitals x 4 units: 350,000 rows a year), kept at least
``KEEP_ACTIVITY`` and never sent to devices. ``synthetic``: made-up demo history, never a real hour.
``case_mix_days``: each day's transfers by age band, sex, complaint group and severity.
``forecasts``: the newest forecast of each series (hospital, unit, kind), published to the desks as ``forecast``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from sync_server.models import Base, UtcDateTime

KEEP_ACTIVITY = timedelta(days=400)


class ActivityHour(Base):
    __tablename__ = "activity_hours"
    hospital_id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(16), primary_key=True)
    hour: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)
    transfers_requested: Mapped[int] = mapped_column(SmallInteger)
    beds_total: Mapped[int] = mapped_column(SmallInteger)
    beds_in_use: Mapped[int] = mapped_column(SmallInteger)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class CaseMixDay(Base):
    """A UTC day's transfers counted by age band, sex, complaint group and severity (``case_mix_days``):
    ``counts`` is ``[[age_band, sex, complaint_group, severity, n], ...]`` (None where not recorded). Published to the
    desks as ``case_mix_day``; ``synthetic``: the demo's made-up days."""

    __tablename__ = "case_mix_days"
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # "2026-12-05"
    version: Mapped[int] = mapped_column(Integer)
    counts: Mapped[list[list[Any]]] = mapped_column(JSON)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class Forecast(Base):
    """``id``: ``domain.ids.series_id`` of hospital, unit and kind; ``data``: as published (``job._publish``)."""

    __tablename__ = "forecasts"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    hospital_id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"))
    unit: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer)
    fitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
