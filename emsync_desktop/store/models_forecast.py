"""The forecasts and case mix a desk holds (issue 25), as the server publishes them: ``FORECAST_ENTITY``, one row
per hospital, unit and kind, the newest fit (``data``: the published record as JSON: points, intervals, backtest
scores; read by ``services.forecasts``); ``CASE_MIX_ENTITY``, one row per day (``services.case_mix``)."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from emsync_desktop.store.models import Base


class ForecastRecord(Base):
    __tablename__ = "forecasts"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # ``domain.ids.series_id`` of hospital, unit and kind
    hospital_id: Mapped[str] = mapped_column(String(36))
    unit: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)


class CaseMixDayRecord(Base):
    """A UTC day's transfers by age band, sex, complaint group and severity (``CASE_MIX_ENTITY``); ``counts``: JSON
    ``[[age_band, sex, complaint_group, severity, n], ...]``, None where not recorded."""

    __tablename__ = "case_mix_days"
    id: Mapped[str] = mapped_column(String(10), primary_key=True)  # "2026-12-05"
    version: Mapped[int] = mapped_column(Integer)
    counts: Mapped[str] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(Boolean)
