"""Ops on SBAR handoffs: append a version, acknowledge (who and when, set once)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from emsync_desktop.domain.roles import Role
from emsync_desktop.domain.transfer_news import last_redirect_at
from emsync_desktop.sync.protocol import (
    HandoffAckPayload,
    HandoffAddPayload,
    Op,
)
from sync_server.op_context import OpContext, Refused, own_transfer, require
from sync_server.rows import HANDOFFS, TRANSFERS, USERS, Row, get_row, rows_where

_CLASH = select(HANDOFFS.c.id, HANDOFFS.c.version).where(HANDOFFS.c.transfer_id == bindparam("transfer_id"),
                                                         HANDOFFS.c.version == bindparam("version"))


def add(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, HandoffAddPayload)
    require(ctx, {Role.PARAMEDIC, Role.COORDINATOR}, "send a handoff")
    transfer = own_transfer(ctx, p.transfer_id)
    clash = ctx.conn.execute(_CLASH, {"transfer_id": transfer["id"], "version": p.version}).first()
    if clash is not None:
        raise Refused(f"Handoff version {p.version} exists already; send the amendment as a new version.",
                      status="conflict", current={"id": clash.id, "version": clash.version})
    sections = {"situation": p.situation, "background": p.background, "assessment": p.assessment,
                "recommendation": p.recommendation}
    handoff = {"id": op.entity_id, "transfer_id": transfer["id"], "version": p.version, "sections": sections,
               "author_id": ctx.user.id, "created_at": ctx.now, "acknowledged_by": None, "acknowledged_at": None}
    ctx.insert(HANDOFFS, handoff)
    _publish_handoff(ctx, handoff, transfer)
    return p.version

def handoff_data(conn: Connection, h: Row) -> dict[str, Any]:
    acknowledger = get_row(conn, USERS, h["acknowledged_by"]) if h["acknowledged_by"] else None
    return {"id": h["id"], "transfer_id": h["transfer_id"], "version": h["version"], "sections": h["sections"],
            "author_id": h["author_id"], "created_at": h["created_at"].isoformat(),
            "acknowledged_by_name": acknowledger["display_name"] if acknowledger else None,
            "acknowledged_at": h["acknowledged_at"].isoformat() if h["acknowledged_at"] else None}

def _publish_handoff(ctx: OpContext, handoff: Row, transfer: Row) -> None:
    ctx.publish("handoff", handoff_data(ctx.conn, handoff), hospital_id=transfer["destination_hospital_id"],
                owner_user_id=transfer["requested_by"])

def _read_at_an_earlier_hospital(handoff: Row, transfer: Row) -> bool:
    """Acknowledged before the transfer was redirected: that reading was at the old hospital, and the new
    one acknowledges for itself."""
    redirected = last_redirect_at(transfer["history"])
    return redirected is not None and handoff["acknowledged_at"] < redirected


def republish_handoffs(ctx: OpContext, transfer: Row) -> None:
    """A redirected transfer's handoffs go to its new hospital too (the feed is scoped by hospital)."""
    for handoff in rows_where(ctx.conn, HANDOFFS, "transfer_id", transfer["id"]):
        _publish_handoff(ctx, handoff, transfer)


def acknowledge(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, HandoffAckPayload)
    require(ctx, {Role.NURSE, Role.COORDINATOR}, "acknowledge a handoff")
    handoff = ctx.get(HANDOFFS, op.entity_id, for_update=True)
    transfer = ctx.get(TRANSFERS, handoff["transfer_id"]) if handoff else None
    if handoff is None or transfer is None:
        raise Refused("No such handoff on the server.")
    if ctx.role is Role.NURSE and transfer["destination_hospital_id"] != ctx.user.hospital_id:
        raise Refused("This handoff is for another hospital.")
    if handoff["acknowledged_at"] is not None and not _read_at_an_earlier_hospital(handoff, transfer):
        data = handoff_data(ctx.conn, handoff)
        raise Refused(f"Already acknowledged by {data['acknowledged_by_name']}.", status="conflict", current=data)
    acknowledged = {"acknowledged_by": ctx.user.id, "acknowledged_at": ctx.now}
    _publish_handoff(ctx, ctx.update(HANDOFFS, handoff, acknowledged), transfer)
    return int(handoff["version"])
