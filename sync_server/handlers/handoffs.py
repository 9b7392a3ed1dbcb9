"""Ops on SBAR handoffs: append a version, acknowledge (who and when, set once)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import (
    HandoffAckPayload,
    HandoffAddPayload,
    Op,
)
from sync_server.feed import record_change
from sync_server.models import Handoff, Transfer, User
from sync_server.op_context import OpContext, Refused, own_transfer, require


def add(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, HandoffAddPayload)
    require(ctx, {Role.PARAMEDIC, Role.COORDINATOR}, "send a handoff")
    transfer = own_transfer(ctx, p.transfer_id)
    clash = ctx.session.scalar(select(Handoff).where(Handoff.transfer_id == transfer.id,
                                                     Handoff.version == p.version))
    if clash is not None:
        raise Refused(f"Handoff version {p.version} exists already; send the amendment as a new version.",
                      status="conflict", current={"id": clash.id, "version": clash.version})
    sections = {"situation": p.situation, "background": p.background, "assessment": p.assessment,
                "recommendation": p.recommendation}
    handoff = Handoff(id=op.entity_id, transfer_id=transfer.id, version=p.version, sections=sections,
                      author_id=ctx.user.id, created_at=ctx.now)
    ctx.session.add(handoff)
    ctx.session.flush()
    _publish_handoff(ctx, handoff, transfer)
    return handoff.version

def handoff_data(session: Session, h: Handoff) -> dict[str, Any]:
    acknowledger = session.get(User, h.acknowledged_by) if h.acknowledged_by else None
    return {"id": h.id, "transfer_id": h.transfer_id, "version": h.version, "sections": h.sections,
            "author_id": h.author_id, "created_at": h.created_at.isoformat(),
            "acknowledged_by_name": acknowledger.display_name if acknowledger else None,
            "acknowledged_at": h.acknowledged_at.isoformat() if h.acknowledged_at else None}

def _publish_handoff(ctx: OpContext, handoff: Handoff, transfer: Transfer) -> None:
    record_change(ctx.session, entity="handoff", entity_id=handoff.id, version=handoff.version,
                  data=handoff_data(ctx.session, handoff), hospital_id=transfer.destination_hospital_id,
                  owner_user_id=transfer.requested_by, now=ctx.now)

def acknowledge(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, HandoffAckPayload)
    require(ctx, {Role.NURSE, Role.COORDINATOR}, "acknowledge a handoff")
    handoff = ctx.session.get(Handoff, op.entity_id)
    transfer = ctx.session.get(Transfer, handoff.transfer_id) if handoff else None
    if handoff is None or transfer is None:
        raise Refused("No such handoff on the server.")
    if ctx.role is Role.NURSE and transfer.destination_hospital_id != ctx.user.hospital_id:
        raise Refused("This handoff is for another hospital.")
    if handoff.acknowledged_at is not None:
        data = handoff_data(ctx.session, handoff)
        raise Refused(f"Already acknowledged by {data['acknowledged_by_name']}.", status="conflict", current=data)
    handoff.acknowledged_by, handoff.acknowledged_at = ctx.user.id, ctx.now
    ctx.session.flush()
    _publish_handoff(ctx, handoff, transfer)
    return handoff.version
