"""The forecasts a desk holds (issue 25), as the server publishes them (``FORECAST_ENTITY``): one row per hospital,
unit and kind, the newest fit. ``data``: the published record as JSON (points, intervals, backtest scores); read by
``services.forecasts``."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
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
