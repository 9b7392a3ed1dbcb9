"""Ops on imaging studies kept with transfers, and who may fetch their files."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import (
    ImagingAddPayload,
    Op,
)
from sync_server.models import ImagingStudy, Transfer, User
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

def may_see_study(session: Session, user: User, sha256: str) -> bool:
    """Whether ``user`` may fetch the file: it belongs to a study of a transfer they may see."""
    role = Role(user.role)
    if role in (Role.COORDINATOR, Role.ADMIN):
        return session.scalar(select(ImagingStudy.id).where(ImagingStudy.sha256 == sha256).limit(1)) is not None
    mine = Transfer.destination_hospital_id == user.hospital_id if role is Role.NURSE else \
        Transfer.requested_by == user.id
    visible = select(ImagingStudy.id).join(Transfer, Transfer.id == ImagingStudy.transfer_id).where(
        ImagingStudy.sha256 == sha256, mine)
    return session.scalar(visible.limit(1)) is not None
