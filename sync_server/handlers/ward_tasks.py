"""A ward's tasks (ops ``task.create``, ``task.move``; issue 26), and the tasks events make: a bed set to Cleaning,
a transfer accepted (prepare its bed) or arrived (first observations), observations done (the next set, by NEWS2),
a handoff nobody acknowledged with the ambulance nearly there (``task_unread_handoffs``, from the leader's minute).

Claims are decided here under the task's row lock (PostgreSQL) or the writer's lock (SQLite): the first claim wins,
a second is refused with who has it. Every handler checks first and writes last."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, select
from sqlalchemy.orm import Session

from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.roles import Role
from emsync_desktop.domain.ward_tasks import (
    OPEN_STATES,
    Priority,
    TaskKind,
    TaskRefused,
    TaskState,
    check_move,
    claim_refusal,
    next_observations_due,
    observation_priority,
)
from emsync_desktop.sync.protocol import Op
from emsync_desktop.sync.protocol_tasks import WARD_TASK_ENTITY, TaskCreatePayload, TaskMovePayload
from sync_server.models import Handoff, User
from sync_server.models_tasks import WardTask
from sync_server.op_context import OpContext, Refused, publish_bed, require
from sync_server.rows import BEDS, TRANSFERS, Row, rows_where

WARD_TASKS: Table = WardTask.__table__  # type: ignore[assignment]
HANDOFFS: Table = Handoff.__table__  # type: ignore[assignment]
_OPEN = tuple(s.value for s in OPEN_STATES)
CLEANING_TIME = timedelta(minutes=45)
PREPARE_BEFORE_ARRIVAL = timedelta(minutes=10)  # a bed ready this long before the ambulance is due
FIRST_OBSERVATIONS = timedelta(minutes=15)  # after the patient reaches the bed
HANDOFF_WARNING = timedelta(minutes=10)  # an unread handoff this close to arrival makes a task


def create(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, TaskCreatePayload)
    require(ctx, {Role.NURSE}, "make a ward task")
    if ctx.get(WARD_TASKS, op.entity_id) is not None:
        raise Refused("This task already exists.", status="conflict")
    hospital_id = ctx.user.hospital_id
    if hospital_id is None:
        raise Refused("This account has no hospital: ask an administrator to assign one.")
    bed = ctx.get(BEDS, p.bed_id) if p.bed_id else None
    if p.bed_id and (bed is None or bed["hospital_id"] != hospital_id):
        raise Refused("That bed is not on your hospital's board: choose one of yours, or none.")
    add_task(ctx, task_id=op.entity_id, hospital_id=hospital_id, unit=bed["unit"] if bed else p.unit,
             bed=bed, title=p.title, kind=TaskKind.MANUAL, priority=Priority(p.priority), due_at=p.due_at,
             patient=p.patient, note=p.note)
    return 1


def move(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, TaskMovePayload)
    require(ctx, {Role.NURSE}, "work on a ward task")
    task = ctx.get(WARD_TASKS, op.entity_id, for_update=True)
    if task is None:
        raise Refused("Waiting for the task to reach the server.", status="deferred")
    if task["hospital_id"] != ctx.user.hospital_id:
        raise Refused("This task belongs to another hospital.")
    target, current = TaskState(p.target), TaskState(task["state"])
    if target is TaskState.ACCEPTED:
        refusal = claim_refusal(current, "you" if task["claimed_by"] == ctx.user.id else task["claimed_by_name"])
        if refusal is not None:
            raise Refused(refusal, status="conflict", current=task_data(task))
    else:
        try:
            check_move(current, target, reason=p.reason, own=task["claimed_by"] == ctx.user.id)
        except TaskRefused as refusal:
            raise Refused(str(refusal), status="conflict", current=task_data(task)) from refusal
    observations = target is TaskState.COMPLETED and task["kind"] == TaskKind.OBSERVATIONS.value
    if observations and p.news2 is None:
        raise Refused("Give the NEWS2 score of the observations: it sets when the next set is due.")
    claimed = {"claimed_by": ctx.user.id, "claimed_by_name": ctx.user.display_name} \
        if target is TaskState.ACCEPTED else {"claimed_by": None, "claimed_by_name": None} \
        if target is TaskState.REQUESTED else {}
    moved = update_task(ctx, task, state=target.value, reason=p.reason.strip(), **claimed,
                        **({"news2": p.news2, "news2_single_three": p.news2_single_three} if observations else {}))
    if target is TaskState.COMPLETED:
        _follow_up(ctx, moved, p)
    return int(moved["version"])


def _follow_up(ctx: OpContext, task: Row, p: TaskMovePayload) -> None:
    """What a task done sets off: a clean bed is free again; observations schedule the next set."""
    if task["kind"] == TaskKind.CLEANING.value and task["bed_id"]:
        bed = ctx.get(BEDS, task["bed_id"], for_update=True)
        if bed is not None and bed["status"] == "cleaning":
            publish_bed(ctx, ctx.update(BEDS, bed, {"status": "available", "version": bed["version"] + 1}))
    elif task["kind"] == TaskKind.OBSERVATIONS.value and p.news2 is not None:
        bed = ctx.get(BEDS, task["bed_id"]) if task["bed_id"] else None
        if bed is None or bed["status"] == "occupied":
            plan_observations(ctx, task, ctx.now, p.news2, p.news2_single_three)


def plan_observations(ctx: OpContext, after: Row, observed_at: datetime, news2: int, single_three: bool) -> None:
    """The next set of observations for the patient of ``after`` (a task or an arrival), by the score found."""
    add_task(ctx, task_id=new_id(), hospital_id=after["hospital_id"], unit=after["unit"],
             bed=ctx.get(BEDS, after["bed_id"]) if after.get("bed_id") else None,
             title=f"Observations (NEWS2 {news2} last time)", kind=TaskKind.OBSERVATIONS,
             priority=observation_priority(news2, single_three),
             due_at=next_observations_due(observed_at, news2, single_three), patient=after.get("patient", ""),
             source_id=after["id"])


def task_for_cleaning(ctx: OpContext, bed: Row) -> None:
    """A bed set to Cleaning gets a cleaning task (unless one is open); done, it sets the bed Available."""
    if _open_task_of(ctx, bed["id"], TaskKind.CLEANING) is None:
        add_task(ctx, task_id=new_id(), hospital_id=bed["hospital_id"], unit=bed["unit"], bed=bed,
                 title=f"Clean bed {bed['label']}", kind=TaskKind.CLEANING, priority=Priority.ROUTINE,
                 due_at=ctx.now + CLEANING_TIME, source_id=bed["id"])


def bed_left_cleaning(ctx: OpContext, bed: Row) -> None:
    """The bed was set to another status by hand: its open cleaning task is moot."""
    task = _open_task_of(ctx, bed["id"], TaskKind.CLEANING)
    if task is not None:
        update_task(ctx, task, state=TaskState.CANCELLED.value,
                    reason=f"bed set to {bed['status'].replace('_', ' ')} by {ctx.user.display_name}")


def tasks_for_transfer(ctx: OpContext, transfer: Row, bed: Row | None) -> None:
    """Accepted: prepare the bed before the ambulance is due. Arrived: first observations. Arrived or closed: its
    open tasks are moot."""
    state = transfer["state"]
    severity = transfer["severity"] or "unknown severity"
    if state == "ACCEPTED" and _open_task_of(ctx, transfer["id"], TaskKind.PREPARE_BED) is None:
        arrives = transfer["created_at"] + timedelta(seconds=transfer["eta_s"] or 0)  # as the ward reckons it
        where = f"bed {bed['label']}" if bed else f"a {transfer['unit']} bed"
        add_task(ctx, task_id=new_id(), hospital_id=transfer["destination_hospital_id"], unit=transfer["unit"],
                 bed=bed, title=f"Prepare {where} ({severity} patient)", kind=TaskKind.PREPARE_BED,
                 priority=Priority.STAT if transfer["severity"] == "Critical" else Priority.URGENT,
                 due_at=max(arrives - PREPARE_BEFORE_ARRIVAL, ctx.now + timedelta(minutes=5)),
                 source_id=transfer["id"])
    elif state == "ARRIVED":
        add_task(ctx, task_id=new_id(), hospital_id=transfer["destination_hospital_id"], unit=transfer["unit"],
                 bed=bed, title=f"First observations on arrival ({severity})", kind=TaskKind.OBSERVATIONS,
                 priority=Priority.STAT if transfer["severity"] == "Critical" else Priority.URGENT,
                 due_at=ctx.now + FIRST_OBSERVATIONS, source_id=transfer["id"])
    if state in ("ARRIVED", "REJECTED", "CANCELLED", "EXPIRED"):
        cancel_transfer_tasks(ctx, transfer["id"], f"the transfer is {state.lower()}")


def cancel_transfer_tasks(ctx: OpContext, transfer_id: str, why: str) -> None:
    """A transfer's open bed-preparing and handoff tasks, moot now (arrived, closed, or sent elsewhere)."""
    for kind in (TaskKind.PREPARE_BED, TaskKind.HANDOFF_ACK):
        task = _open_task_of(ctx, transfer_id, kind)
        if task is not None:
            update_task(ctx, task, state=TaskState.CANCELLED.value, reason=why)


def add_task(ctx: OpContext, *, task_id: str, hospital_id: str, unit: str, bed: Row | None, title: str,
             kind: TaskKind, priority: Priority, due_at: datetime | None, patient: str = "", note: str = "",
             source_id: str | None = None) -> Row:
    """Write a new task (requested, unclaimed) and publish it. Returns it."""
    task = {"id": task_id, "hospital_id": hospital_id, "unit": unit, "bed_id": bed["id"] if bed else None,
            "bed_label": bed["label"] if bed else "", "patient": patient, "title": title, "note": note,
            "kind": kind.value, "priority": priority.value, "state": TaskState.REQUESTED.value, "due_at": due_at,
            "created_at": ctx.now, "created_by_name": ctx.user.display_name, "claimed_by": None,
            "claimed_by_name": None, "reason": "", "source_id": source_id, "news2": None,
            "news2_single_three": False, "updated_at": ctx.now, "version": 1}
    ctx.insert(WARD_TASKS, task)
    publish_task(ctx, task)
    return task


def update_task(ctx: OpContext, task: Row, **values: Any) -> Row:
    changed = ctx.update(WARD_TASKS, task, {**values, "version": task["version"] + 1, "updated_at": ctx.now})
    publish_task(ctx, changed)
    return changed


def publish_task(ctx: OpContext, task: Row) -> None:
    ctx.publish(WARD_TASK_ENTITY, task_data(task), hospital_id=task["hospital_id"], owner_user_id=None)


def task_data(task: Row) -> dict[str, Any]:
    """The task as the feed carries it (``protocol_tasks``): times as ISO text."""
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in task.items()}


def _open_task_of(ctx: OpContext, source_id: str, kind: TaskKind) -> Row | None:
    return next((t for t in rows_where(ctx.conn, WARD_TASKS, "source_id", source_id)
                 if t["kind"] == kind.value and t["state"] in _OPEN), None)


def task_unread_handoffs(session: Session, now: datetime, system_user: User) -> int:
    """A stat task for each active transfer due within ``HANDOFF_WARNING`` whose newest handoff nobody at the ward
    has acknowledged (one per transfer). Returns how many were made. Caller commits."""
    ctx = OpContext(session.connection(), system_user, now, 0)
    made = 0
    active = ctx.conn.execute(select(TRANSFERS).where(
        TRANSFERS.c.state.in_(("PENDING", "ACCEPTED", "EN_ROUTE")), TRANSFERS.c.eta_s.is_not(None))).mappings().all()
    for transfer in active:
        arrives = transfer["created_at"] + timedelta(seconds=transfer["eta_s"])  # as the ward reckons it
        if arrives - now > HANDOFF_WARNING or not _handoff_unread(ctx, transfer["id"]):
            continue
        if any(t["kind"] == TaskKind.HANDOFF_ACK.value for t in rows_where(ctx.conn, WARD_TASKS, "source_id",
                                                                            transfer["id"])):
            continue
        add_task(ctx, task_id=new_id(), hospital_id=transfer["destination_hospital_id"], unit=transfer["unit"],
                 bed=None, title=f"Read the handoff: {transfer['severity'] or 'patient'} arriving "
                                 f"{'now' if arrives <= now else 'in under 10 min'}",
                 kind=TaskKind.HANDOFF_ACK, priority=Priority.STAT, due_at=max(arrives, now), source_id=transfer["id"])
        made += 1
    ctx.finish()
    return made


def _handoff_unread(ctx: OpContext, transfer_id: str) -> bool:
    newest = ctx.conn.execute(select(HANDOFFS.c.acknowledged_at).where(and_(HANDOFFS.c.transfer_id == transfer_id))
                              .order_by(HANDOFFS.c.version.desc()).limit(1)).first()
    return newest is not None and newest.acknowledged_at is None
