"""A blood bank's par levels (op ``blood.par_set``; issue 24): set by its own staff, the whole table at once,
published to its hospital (the stock screens compare against them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import Op
from emsync_desktop.sync.protocol_blood import BLOOD_PAR_ENTITY, BloodParSetPayload
from sync_server.models_blood import BloodPar
from sync_server.op_context import OpContext, Refused, require

BLOOD_PARS: Table = BloodPar.__table__  # type: ignore[assignment]


def set_levels(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, BloodParSetPayload)
    require(ctx, {Role.BLOOD_BANK}, "set par levels")
    if op.entity_id != ctx.user.hospital_id:
        raise Refused("Par levels are set for your own blood bank only.")
    keys = [(line.component, line.abo, line.rhd_positive) for line in p.levels]
    if len(keys) != len(set(keys)):
        raise Refused("A component and group appears twice in the par levels: give each once.")
    levels = [line.model_dump() for line in p.levels]
    current = ctx.get(BLOOD_PARS, op.entity_id, for_update=True)
    version = (current["version"] if current else 0) + 1
    pack = p.pack.model_dump() if p.pack else None
    days = p.donation_days.model_dump() if p.donation_days else None
    if pack is not None and not any(pack.values()):
        raise Refused("A massive-transfusion pack of no units: give at least one component.")
    values = {"levels": levels, "pack": pack, "donation_days": days, "updated_at": ctx.now,
              "updated_by": ctx.user.display_name, "version": version}
    row = ctx.update(BLOOD_PARS, current, values) if current else {"id": op.entity_id, **values}
    if current is None:
        ctx.insert(BLOOD_PARS, row)
    ctx.publish(BLOOD_PAR_ENTITY, {"id": op.entity_id, "levels": levels, "pack": pack, "donation_days": days,
                                   "version": version,
                                   "updated_at": ctx.now.isoformat(), "updated_by": ctx.user.display_name},
                hospital_id=op.entity_id, owner_user_id=None)
    return version
