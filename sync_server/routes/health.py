"""Health and the hospital registry with live capacity."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sync_server.deps import SessionsDep, SignedInUserId, account
from sync_server.feed import current_seq
from sync_server.models import Bed, Hospital

router = APIRouter(tags=["status"])


@router.get("/health")
def health(sessions: SessionsDep) -> dict[str, Any]:
    with sessions() as session:
        return {"status": "ok", "database": session.get_bind().dialect.name, "cursor": current_seq(session)}


@router.get("/hospitals", response_model=list[dict[str, Any]], responses={401: {"description": "Not signed in"}})
def hospitals(user_id: SignedInUserId, sessions: SessionsDep, request: Request) -> Response:
    """Every hospital with free and total beds per unit. Every bed change is a feed change, so the
    answer is kept per feed cursor: clients refreshing together after a change cost one count."""
    with sessions() as session:
        account(session, user_id)
        cursor = current_seq(session)
        cached: tuple[int, bytes] | None = getattr(request.app.state, "capacity", None)
        if cached is None or cached[0] != cursor:
            cached = request.app.state.capacity = (cursor, json.dumps(_capacity(session)).encode())
    return Response(cached[1], media_type="application/json")


def _capacity(session: Session) -> list[dict[str, Any]]:
    counts = session.execute(select(Bed.hospital_id, Bed.unit, Bed.status, func.count())
                             .group_by(Bed.hospital_id, Bed.unit, Bed.status)).all()
    units: dict[str, dict[str, dict[str, int]]] = {}
    for hospital_id, unit, status, n in counts:
        cell = units.setdefault(hospital_id, {}).setdefault(unit, {"free": 0, "total": 0})
        cell["total"] += n
        cell["free"] += n if status == "available" else 0
    return [{"id": h.id, "name": h.name, "short_name": h.short_name, "lat": h.lat, "lon": h.lon,
             "capabilities": h.capabilities, "units": units.get(h.id, {})}
            for h in session.scalars(select(Hospital).order_by(Hospital.name))]
