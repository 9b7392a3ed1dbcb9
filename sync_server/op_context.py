"""What every op handler shares: its context, the refusal it raises, the feed records it publishes,
and the crew-ownership check.

Contract: handlers run inside the caller's transaction (a savepoint per op) and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import (
    Alternative,
)
from sync_server.feed import record_change
from sync_server.models import Bed, Booking, Transfer, User


@dataclass(frozen=True)
class OpContext:
    session: Session
    user: User
    now: datetime
    hold_minutes: float

    @property
    def role(self) -> Role:
        return Role(self.user.role)

class Refused(Exception):
    """Raised by a handler to answer ``rejected`` (or ``conflict``) with a reason."""

    def __init__(self, reason: str, *, status: str = "rejected", current: dict[str, Any] | None = None,
                 alternatives: list[Alternative] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.current = current
        self.alternatives = alternatives or []

def require(ctx: OpContext, allowed: set[Role], what: str) -> None:
    if ctx.role not in allowed:
        raise Refused(f"A {ctx.role.value} may not {what}.")

def transfer_data(t: Transfer) -> dict[str, Any]:
    return {"id": t.id, "encounter_id": t.encounter_id, "requested_by": t.requested_by,
            "destination_hospital_id": t.destination_hospital_id, "unit": t.unit, "state": t.state,
            "version": t.version, "eta_s": t.eta_s, "severity": t.severity, "summary": t.summary,
            "history": t.history, "updated_at": t.updated_at.isoformat()}

def booking_data(b: Booking) -> dict[str, Any]:
    return {"id": b.id, "transfer_id": b.transfer_id, "hospital_id": b.hospital_id, "unit": b.unit,
            "bed_id": b.bed_id, "state": b.state, "version": b.version,
            "hold_expires_at": b.hold_expires_at.isoformat() if b.hold_expires_at else None}

def bed_data(b: Bed) -> dict[str, Any]:
    return {"id": b.id, "hospital_id": b.hospital_id, "unit": b.unit, "label": b.label, "status": b.status,
            "version": b.version}

def publish_transfer(ctx: OpContext, t: Transfer) -> None:
    record_change(ctx.session, entity="transfer", entity_id=t.id, version=t.version, data=transfer_data(t),
                  hospital_id=t.destination_hospital_id, owner_user_id=t.requested_by, now=ctx.now)

def publish_booking(ctx: OpContext, b: Booking) -> None:
    record_change(ctx.session, entity="booking", entity_id=b.id, version=b.version, data=booking_data(b),
                  hospital_id=b.hospital_id, owner_user_id=b.requested_by, now=ctx.now)

def publish_bed(ctx: OpContext, b: Bed) -> None:
    record_change(ctx.session, entity="bed", entity_id=b.id, version=b.version, data=bed_data(b),
                  hospital_id=b.hospital_id, owner_user_id=None, now=ctx.now)

def own_transfer(ctx: OpContext, transfer_id: str) -> Transfer:
    t = ctx.session.get(Transfer, transfer_id)
    if t is None:
        raise Refused("The transfer is not on the server yet: it will be retried after the transfer is sent.",
                      status="conflict")
    if ctx.role is Role.PARAMEDIC and t.requested_by != ctx.user.id:
        raise Refused("This transfer belongs to another crew.")
    return t
