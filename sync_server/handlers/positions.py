"""Ambulance positions on a transfer (op ``transfer.position``, issue 29): kept as the transfer's track, the
newest published to the destination hospital and the desks (``AMBULANCE_POSITION_ENTITY``), never to other crews.

A position that arrives after its transfer ended (it waited in an offline device) is answered but neither kept
nor shown: positions stop with the transfer."""

from __future__ import annotations

from typing import Any

from emsync_desktop.domain.lifecycle import TransferState, is_active_transfer
from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import (
    AMBULANCE_POSITION_ENTITY,
    POSITION_VERSION_EPOCH,
    Op,
    TransferPositionPayload,
)
from sync_server.op_context import OpContext, Refused, require
from sync_server.rows import POSITIONS, TRANSFERS


def report(ctx: OpContext, op: Op, p: Any) -> int:
    """Returns the published version, the fix's time in seconds since ``POSITION_VERSION_EPOCH`` (informational:
    desks keep the report the server received last, by its feed seq, whatever the device's clock said)."""
    assert isinstance(p, TransferPositionPayload)
    require(ctx, {Role.PARAMEDIC}, "report an ambulance's position")
    transfer = ctx.get(TRANSFERS, p.transfer_id)
    if transfer is None:
        raise Refused("Waiting for its transfer to reach the server.", status="deferred")
    if transfer["requested_by"] != ctx.user.id:
        raise Refused("This transfer belongs to another crew.")
    at = min(p.at, ctx.now)  # a device whose clock runs ahead: a fix is never from the future
    version = max(1, int((at - POSITION_VERSION_EPOCH).total_seconds()))
    if not is_active_transfer(TransferState(transfer["state"])):
        return version
    ctx.insert(POSITIONS, {"id": op.entity_id, "transfer_id": transfer["id"], "lat": p.lat, "lon": p.lon,
                           "at": at, "source": p.source, "reported_by": ctx.user.id, "received_at": ctx.now})
    data = {"id": transfer["id"], "lat": p.lat, "lon": p.lon, "at": at.isoformat(), "source": p.source,
            "version": version}
    ctx.publish(AMBULANCE_POSITION_ENTITY, data, hospital_id=transfer["destination_hospital_id"], owner_user_id=None)
    return version
