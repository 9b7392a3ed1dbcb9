"""Health and the hospital registry with live capacity."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import func, select

from sync_server.deps import CurrentUser, SessionsDep
from sync_server.feed import current_seq
from sync_server.models import Bed, Hospital

router = APIRouter(tags=["status"])


@router.get("/health")
def health(sessions: SessionsDep) -> dict[str, Any]:
    with sessions() as session:
        return {"status": "ok", "database": session.get_bind().dialect.name, "cursor": current_seq(session)}


@router.get("/hospitals", responses={401: {"description": "Not signed in"}})
def hospitals(_user: CurrentUser, sessions: SessionsDep) -> list[dict[str, Any]]:
    """Every hospital with free and total beds per unit."""
    with sessions() as session:
        counts = session.execute(select(Bed.hospital_id, Bed.unit, Bed.status, func.count())
                                 .group_by(Bed.hospital_id, Bed.unit, Bed.status)).all()
        registry = session.scalars(select(Hospital).order_by(Hospital.name)).all()
    units: dict[str, dict[str, dict[str, int]]] = {}
    for hospital_id, unit, status, n in counts:
        cell = units.setdefault(hospital_id, {}).setdefault(unit, {"free": 0, "total": 0})
        cell["total"] += n
        cell["free"] += n if status == "available" else 0
    return [{"id": h.id, "name": h.name, "short_name": h.short_name, "lat": h.lat, "lon": h.lon,
             "capabilities": h.capabilities, "units": units.get(h.id, {})}
            for h in registry]
