"""A ward's tasks for the demo server only (issue 26): at the demo ward (Lourdes) a cleaning task for each bed being
cleaned, observations for some occupied beds (done with their NEWS2 and the next set planned from it, one high and
one overdue), a STAT task nobody has claimed for eight minutes (escalated) and some routine work, so the Tasks,
handover and staffing screens have something to show. Made through the same code as live tasks (``add_task``,
``update_task``) and published through the feed; a real server never calls this."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from emsync_desktop.domain.ids import demo_id, new_id
from emsync_desktop.domain.ward_tasks import Priority, TaskKind, TaskState
from sync_server.handlers.ward_tasks import add_task, plan_observations, task_for_cleaning, update_task
from sync_server.models import Bed
from sync_server.models_tasks import WardTask
from sync_server.op_context import OpContext, columns_of
from sync_server.seed import ensure_system_user

_OBSERVED = ((6, False, 150), (2, False, 300), (0, False, 500), (3, True, 20), (1, False, 330))  # NEWS2, a 3, min ago


def seed_demo_tasks(session: Session, now: datetime) -> bool:
    """The demo ward's tasks, unless the server has tasks already."""
    if session.scalar(select(func.count()).select_from(WardTask)):
        return False
    ctx = OpContext(session.connection(), ensure_system_user(session), now, 0)
    lourdes = demo_id("hospital", "Lourdes")
    beds = [columns_of(b) for b in session.scalars(select(Bed).where(Bed.hospital_id == lourdes)
                                                   .order_by(Bed.unit, Bed.label))]
    for bed in (b for b in beds if b["status"] == "cleaning"):
        task_for_cleaning(ctx, bed)
    occupied = [b for b in beds if b["status"] == "occupied"]
    for bed, (news2, single_three, minutes_ago) in zip(occupied, _OBSERVED, strict=False):
        _observed(ctx, bed, news2, single_three, now - timedelta(minutes=minutes_ago))
    ward = next((b for b in occupied if b["unit"] == "WARD"), occupied[0] if occupied else None)
    for title, priority, made, due in (("Suction and reposition", Priority.STAT, 8, None),
                                       ("Restock the resus trolley", Priority.ROUTINE, 40, 120),
                                       ("Chase the CT report", Priority.URGENT, 10, 45)):
        ctx.now = now - timedelta(minutes=made)
        add_task(ctx, task_id=new_id(), hospital_id=lourdes, unit=ward["unit"] if ward else "WARD",
                 bed=ward if title.startswith("Suction") else None, title=title, kind=TaskKind.MANUAL,
                 priority=priority, due_at=ctx.now + timedelta(minutes=due) if due else None)
    ctx.now = now
    for change in ctx.journal.changes:
        change["created_at"] = now  # recorded now (the feed's rows follow their order), whatever the tasks' times
    ctx.finish()
    return True


def _observed(ctx: OpContext, bed: dict[str, object], news2: int, single_three: bool, at: datetime) -> None:
    """A set of observations done at ``at`` with its score, and the next set planned from it."""
    ctx.now = at - timedelta(minutes=30)
    task = add_task(ctx, task_id=new_id(), hospital_id=str(bed["hospital_id"]), unit=str(bed["unit"]), bed=bed,
                    title="Observations", kind=TaskKind.OBSERVATIONS, priority=Priority.ROUTINE, due_at=at)
    ctx.now = at
    done = update_task(ctx, task, state=TaskState.COMPLETED.value, news2=news2, news2_single_three=single_three,
                       claimed_by_name="Leela Thomas")
    plan_observations(ctx, done, at, news2, single_three)
