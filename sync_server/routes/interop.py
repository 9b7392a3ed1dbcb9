"""Interoperability: the network's capacity as an EDXL-HAVE 1.0 document, for a regional dashboard to poll.

Built with the client's domain mapping (``emsync_desktop.domain.edxl_have``), the same as the desktop
export, from the server's current beds; ``LastUpdateTime`` is the time of the request (the beds are the
live state). Coordinators and administrators only: a dashboard signs in with such an account.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Response, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from emsync_desktop.domain.edxl_have import (
    UNITS,
    CapacityReport,
    HospitalStatus,
    Location,
    UnitBeds,
    build,
    ed_status_from_beds,
)
from sync_server.deps import ClockDep, CurrentUser, SessionsDep
from sync_server.models import Bed, Hospital

router = APIRouter(prefix="/interop", tags=["interop"])
READER_ROLES = frozenset({"coordinator", "admin"})
_XML = "application/xml"


@router.get("/edxl-have", response_class=Response,
            responses={200: {"content": {_XML: {}}, "description": "EDXL-HAVE 1.0 HospitalStatus"},
                       401: {"description": "Not signed in"},
                       403: {"description": "Not a coordinator or administrator"}})
def edxl_have(user: CurrentUser, sessions: SessionsDep, clock: ClockDep) -> Response:
    """Every hospital's beds per unit (free and baseline), emergency department status and update time."""
    if user.role not in READER_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "Only coordinators and administrators may read the capacity report.")
    with sessions() as session:
        report = network_report(session, clock())
    return Response(build(report, "1.0"), media_type=_XML)


def network_report(session: Session, now: datetime) -> CapacityReport:
    rows = session.execute(select(Bed.hospital_id, Bed.unit, Bed.status, func.count())
                           .group_by(Bed.hospital_id, Bed.unit, Bed.status)).all()
    counts: dict[tuple[str, str], list[int]] = {}
    for hospital_id, unit, bed_status, n in rows:
        free_and_all = counts.setdefault((hospital_id, unit), [0, 0])
        free_and_all[0] += n if bed_status == "available" else 0
        free_and_all[1] += n
    hospitals = []
    for h in session.scalars(select(Hospital).order_by(Hospital.name)):
        beds = tuple(UnitBeds(u, *counts[(h.id, u)]) for u in UNITS if (h.id, u) in counts)
        hospitals.append(HospitalStatus(h.id, h.name, Location(h.lat, h.lon), beds, ed_status_from_beds(beds), now))
    return CapacityReport(tuple(hospitals))
