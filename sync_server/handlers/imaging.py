"""Ops on imaging studies kept with transfers (who may send and fetch their files: ``blob_access``)."""

from __future__ import annotations

from typing import Any

from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import (
    ImagingAddPayload,
    Op,
)
from sync_server.op_context import OpContext, Refused, require
from sync_server.rows import STUDIES, TRANSFERS, Row


def add(ctx: OpContext, op: Op, p: Any) -> int:
    """A study kept with a transfer: by the destination ward (or a coordinator); seen by whoever sees
    the transfer. Append-only, like handoffs."""
    assert isinstance(p, ImagingAddPayload)
    require(ctx, {Role.NURSE, Role.COORDINATOR, Role.ADMIN}, "add an imaging study")
    transfer = ctx.get(TRANSFERS, p.transfer_id)
    if transfer is None:
        raise Refused("The transfer is not on the server (yet): the study will be retried after it.",
                      status="conflict")
    if ctx.role is Role.NURSE and transfer["destination_hospital_id"] != ctx.user.hospital_id:
        raise Refused("This transfer goes to another hospital.")
    if ctx.get(STUDIES, op.entity_id) is not None:
        raise Refused("This study already exists.", status="conflict")
    study = {"id": op.entity_id, "transfer_id": transfer["id"], "sha256": p.sha256, "data": p.model_dump(mode="json"),
             "author_id": ctx.user.id, "created_at": ctx.now}
    ctx.insert(STUDIES, study)
    ctx.publish("imaging", imaging_data(study), hospital_id=transfer["destination_hospital_id"],
                owner_user_id=transfer["requested_by"], version=1)
    return 1

def imaging_data(study: Row) -> dict[str, Any]:
    return {"id": study["id"], **study["data"], "author_id": study["author_id"],
            "created_at": study["created_at"].isoformat()}
