"""Health and the hospital registry with live capacity."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from emsync_desktop import __version__
from sync_server.deps import SessionsDep, SignedInUserId, account
from sync_server.feed import current_seq
from sync_server.models import Bed, Hospital

router = APIRouter(tags=["status"])
log = logging.getLogger(__name__)


@router.get("/health", responses={503: {"description": "The database does not answer"}})
def health(sessions: SessionsDep) -> Response:
    """For monitoring: 200 with the version, database, schema revision and feed cursor, or 503 and the
    reason when the database does not answer (the process being up is not health)."""
    try:
        with sessions() as session:
            body = {"status": "ok", "version": __version__, "database": session.get_bind().dialect.name,
                    "schema": session.execute(text("SELECT version_num FROM alembic_version")).scalar_one(),
                    "cursor": current_seq(session)}
    except SQLAlchemyError as exc:
        log.error("health check: the database does not answer: %s", type(exc).__name__)
        return JSONResponse({"status": "down", "version": __version__, "reason": "database unavailable"},
                            status_code=503)
    return JSONResponse(body)


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
