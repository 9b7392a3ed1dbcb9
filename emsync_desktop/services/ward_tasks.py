"""A ward's shared work queue on a nurse's PC (issue 26): the board (open tasks, the most pressing first, and those
closed in the last hours), making a task, and moving one (claim, start, hold, hand back, done, cancel, could not be
done).

Runs on the DB thread. Each action is one transaction: this device's copy of the task and the outbox op together
(saved the moment it is done; sent when online). Claims are the server's to decide: a claim another nurse won comes
back refused with who has the task. What the device can check alone is checked first with ``domain.ward_tasks``, so
a tired nurse hears at once what to fix. Times are UTC; the clock is injectable (escalation is tested with a moved
clock)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.local_time import to_local
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.shifts import slot_at
from emsync_desktop.domain.ward_tasks import (
    OPEN_STATES,
    Priority,
    TaskKind,
    TaskRefused,
    TaskState,
    TaskTimes,
    check_move,
    claim_refusal,
    is_escalated,
    is_overdue,
    sort_key,
)
from emsync_desktop.services.clock import utc_now
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import Bed
from emsync_desktop.store.models_tasks import WardTaskRecord
from emsync_desktop.store.repositories import get_setting, set_setting
from emsync_desktop.sync.outbox import enqueue
from emsync_desktop.sync.protocol import OpKind
from emsync_desktop.sync.protocol_tasks import TaskCreatePayload, TaskMovePayload

CLOSED_SHOWN = timedelta(hours=12)  # a shift's done work stays on the board (and in the handover)


class TaskInputProblem(ValueError):
    """What was asked cannot be done; the text says what to do. Nothing was saved."""


@dataclass(frozen=True)
class TaskView:
    id: str
    title: str
    kind: TaskKind
    priority: Priority
    state: TaskState
    unit: str
    bed_id: str | None
    bed_label: str
    patient: str
    note: str
    due_at: datetime | None
    created_at: datetime
    updated_at: datetime  # the newest change: when a task was done, when its score was recorded
    created_by_name: str
    claimed_by: str | None
    claimed_by_name: str | None
    reason: str
    news2: int | None
    news2_single_three: bool
    sync_state: str
    sync_reason: str | None

    @property
    def times(self) -> TaskTimes:
        return TaskTimes(self.priority, self.state, self.created_at, self.due_at)

    @property
    def where(self) -> str:
        return f"bed {self.bed_label}" if self.bed_label else self.unit


@dataclass(frozen=True)
class TaskBoard:
    """``tasks``: open ones by ``domain.ward_tasks.sort_key``, then those closed in the last ``CLOSED_SHOWN``;
    ``escalated``: open, unclaimed past their window (the nurse in charge must see them); ``now``: the board's time."""

    tasks: list[TaskView]
    escalated: list[TaskView]
    overdue: list[TaskView]
    now: datetime


@dataclass(frozen=True)
class BedChoice:
    id: str
    label: str
    unit: str


@dataclass(frozen=True)
class NewTask:
    title: str
    unit: str
    priority: Priority
    due_in: timedelta | None  # None: as soon as it can be done
    bed_id: str | None = None
    patient: str = ""
    note: str = ""


class WardTaskService:
    def __init__(self, store: Store, user: UserInfo, clock: Callable[[], datetime] = utc_now) -> None:
        self._store, self._user, self._clock = store, user, clock

    def board(self) -> TaskBoard:
        now = self._clock()
        with self._store.sessions.begin() as session:
            rows = session.scalars(select(WardTaskRecord).where(
                WardTaskRecord.hospital_id == (self._user.hospital_id or ""),
                or_(WardTaskRecord.state.in_([s.value for s in OPEN_STATES]),
                    WardTaskRecord.created_at >= now - CLOSED_SHOWN))).all()
            views = [_view(row) for row in rows]
        open_tasks = sorted((v for v in views if v.state in OPEN_STATES), key=lambda v: sort_key(v.times, now))
        closed = sorted((v for v in views if v.state not in OPEN_STATES), key=lambda v: v.created_at, reverse=True)
        return TaskBoard(open_tasks + closed, [v for v in open_tasks if is_escalated(v.times, now)],
                         [v for v in open_tasks if is_overdue(v.times, now)], now)

    def in_charge_now(self) -> bool:
        """Whether this nurse said, on this PC, they are in charge of the shift under way (a new shift asks again)."""
        with self._store.sessions.begin() as session:
            return get_setting(session, self._in_charge_key) == self._shift_now()

    def set_in_charge(self, in_charge: bool) -> None:
        with self._store.sessions.begin() as session:
            set_setting(session, self._in_charge_key, self._shift_now() if in_charge else "")

    @property
    def _in_charge_key(self) -> str:
        return f"tasks.in_charge.{self._user.id}"

    def _shift_now(self) -> str:
        slot = slot_at(to_local(self._clock()))
        return f"{slot.day.isoformat()} {slot.shift.value}"

    def beds(self) -> list[BedChoice]:
        """The ward's beds, for the new-task form."""
        with self._store.sessions.begin() as session:
            beds = session.scalars(select(Bed).where(Bed.hospital_id == (self._user.hospital_id or ""))
                                   .order_by(Bed.unit, Bed.label)).all()
            return [BedChoice(b.id, b.label, b.unit) for b in beds]

    def create(self, new: NewTask) -> str:
        """Make a task on the signed-in nurse's ward; returns its id. Raises TaskInputProblem."""
        hospital_id = self._user.hospital_id
        if hospital_id is None:
            raise TaskInputProblem("This account has no hospital: ask an administrator to assign one.")
        title = " ".join(new.title.split())
        if not title:
            raise TaskInputProblem("Say what needs doing, e.g. \"Check drip, bed 4\".")
        if len(title) > 120:
            raise TaskInputProblem(f"Keep the task to 120 characters ({len(title)} now); put detail in the note.")
        if len(new.note) > 500 or len(new.patient.strip()) > 80:
            raise TaskInputProblem("Keep the note to 500 characters and the patient's name to 80.")
        now, task_id = self._clock(), new_id()
        due_at = now + new.due_in if new.due_in is not None else None
        with self._store.sessions.begin() as session:
            bed = session.get(Bed, new.bed_id) if new.bed_id else None
            if new.bed_id and (bed is None or bed.hospital_id != hospital_id):
                raise TaskInputProblem("That bed is not on your ward's board: choose one of yours, or none.")
            unit = bed.unit if bed is not None else new.unit
            payload = TaskCreatePayload(title=title, unit=unit, bed_id=new.bed_id,  # type: ignore[arg-type]
                                        patient=new.patient.strip(), note=new.note.strip(),
                                        priority=new.priority.value, due_at=due_at)
            data = {**payload.model_dump(mode="json"), "id": task_id, "hospital_id": hospital_id,
                    "bed_label": bed.label if bed else "", "kind": TaskKind.MANUAL.value,
                    "state": TaskState.REQUESTED.value, "created_at": now.isoformat(),
                    "created_by_name": self._user.display_name, "claimed_by": None, "claimed_by_name": None,
                    "reason": "", "news2": None, "version": 0}
            session.add(WardTaskRecord(id=task_id, hospital_id=hospital_id, state=TaskState.REQUESTED.value,
                                       priority=new.priority.value, due_at=due_at, created_at=now,
                                       data=json.dumps(data), version=0, sync_state="pending", sync_reason=None))
            enqueue(session, user_id=self._user.id, kind=OpKind.TASK_CREATE, entity_id=task_id, payload=payload,
                    now=now)
        return task_id

    def move(self, task_id: str, target: TaskState, *, reason: str = "", news2: int | None = None,
             news2_single_three: bool = False) -> None:
        """Claim, start, hold, hand back, finish, cancel or fail a task, as this device has it (the server decides
        again, and a claim only there). Offline, moves queue behind the ones still waiting, in order; if the server
        refuses one (another nurse claimed first), the ones after it that needed it are refused too, each saying
        why. Observations done need their NEWS2 score. Raises TaskInputProblem."""
        with self._store.sessions.begin() as session:
            row = session.get(WardTaskRecord, task_id)
            if row is None:
                raise TaskInputProblem("This task is not on this device any more: refresh the board.")
            view = _view(row)
            _check(view, target, reason, news2, own=view.claimed_by == self._user.id)
            payload = TaskMovePayload(target=target.value, reason=reason.strip(),
                                      news2=news2, news2_single_three=news2_single_three)
            data: dict[str, Any] = json.loads(row.data)
            data |= {"state": target.value, "reason": reason.strip(), "updated_at": self._clock().isoformat()}
            if target is TaskState.ACCEPTED:
                data |= {"claimed_by": self._user.id, "claimed_by_name": self._user.display_name}
            elif target is TaskState.REQUESTED:
                data |= {"claimed_by": None, "claimed_by_name": None}
            if news2 is not None:
                data |= {"news2": news2, "news2_single_three": news2_single_three}
            row.state, row.data, row.sync_state, row.sync_reason = target.value, json.dumps(data), "pending", None
            enqueue(session, user_id=self._user.id, kind=OpKind.TASK_MOVE, entity_id=task_id, payload=payload,
                    now=self._clock())


def _check(view: TaskView, target: TaskState, reason: str, news2: int | None, *, own: bool) -> None:
    if target is TaskState.ACCEPTED:
        refusal = claim_refusal(view.state, "you" if own else view.claimed_by_name)
        if refusal is not None:
            raise TaskInputProblem(refusal)
        return
    try:
        check_move(view.state, target, reason=reason, own=own)
    except TaskRefused as refusal:
        raise TaskInputProblem(str(refusal)) from refusal
    if target is TaskState.COMPLETED and view.kind is TaskKind.OBSERVATIONS and news2 is None:
        raise TaskInputProblem("Give the NEWS2 score of the observations: it sets when the next set is due.")


def _view(row: WardTaskRecord) -> TaskView:
    d = json.loads(row.data)
    return TaskView(id=row.id, title=d["title"], kind=TaskKind(d["kind"]), priority=Priority(row.priority),
                    state=TaskState(row.state), unit=d["unit"], bed_id=d.get("bed_id"),
                    bed_label=d.get("bed_label", ""), patient=d.get("patient", ""), note=d.get("note", ""),
                    due_at=row.due_at, created_at=row.created_at,
                    updated_at=_time(d.get("updated_at")) or row.created_at,
                    created_by_name=d.get("created_by_name", ""),
                    claimed_by=d.get("claimed_by"), claimed_by_name=d.get("claimed_by_name"),
                    reason=d.get("reason", ""), news2=d.get("news2"),
                    news2_single_three=bool(d.get("news2_single_three")), sync_state=row.sync_state,
                    sync_reason=row.sync_reason)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
