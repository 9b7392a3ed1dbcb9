"""The ward's task board on a nurse's PC (issue 26): tasks saved with their op at once, checked before they are
queued, sorted with the escalated and the late first; escalation follows a moved clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.domain.ward_tasks import Priority, TaskState
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.ward_tasks import NewTask, TaskInputProblem, WardTaskService
from emsync_desktop.store.models import OutboxOp
from emsync_desktop.sync.outbox import record_results
from emsync_desktop.sync.protocol import OpResult

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def nurse(app_context: AppContext) -> UserInfo:
    return next(u for u in demo_users(app_context.store) if u.role is Role.NURSE)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tasks(app_context: AppContext, nurse: UserInfo, clock: Clock) -> WardTaskService:
    return WardTaskService(app_context.store, nurse, clock=clock)


def synced(app_context: AppContext) -> None:
    """The server applied every queued op."""
    with app_context.store.sessions.begin() as session:
        ops = session.scalars(select(OutboxOp).where(OutboxOp.state == "pending")).all()
        record_results(session, [OpResult(op_id=o.op_id, status="applied", version=1) for o in ops], T0)


def test_a_new_task_is_saved_with_its_op(tasks: WardTaskService, app_context: AppContext) -> None:
    task_id = tasks.create(NewTask("  Check   drip ", "ICU", Priority.URGENT, timedelta(minutes=30)))
    [task] = tasks.board().tasks
    assert (task.id, task.title, task.state, task.sync_state) == (task_id, "Check drip", TaskState.REQUESTED, "pending")
    assert task.due_at == T0 + timedelta(minutes=30)
    with app_context.store.sessions.begin() as session:
        assert session.scalars(select(OutboxOp.kind)).all()[-1] == "task.create"


def test_an_empty_title_is_refused_and_nothing_saved(tasks: WardTaskService) -> None:
    with pytest.raises(TaskInputProblem, match="Say what needs doing"):
        tasks.create(NewTask("   ", "ICU", Priority.URGENT, None))
    assert tasks.board().tasks == []


def test_a_stat_task_escalates_only_after_five_minutes_unclaimed(tasks: WardTaskService, clock: Clock) -> None:
    tasks.create(NewTask("Suction, bed 2", "ICU", Priority.STAT, None))
    clock.now = T0 + timedelta(minutes=4, seconds=59)
    assert tasks.board().escalated == []
    clock.now = T0 + timedelta(minutes=5)
    assert [t.title for t in tasks.board().escalated] == ["Suction, bed 2"]


def test_a_claimed_task_does_not_escalate(tasks: WardTaskService, clock: Clock, app_context: AppContext) -> None:
    task_id = tasks.create(NewTask("Suction, bed 2", "ICU", Priority.STAT, None))
    synced(app_context)
    tasks.move(task_id, TaskState.ACCEPTED)
    clock.now = T0 + timedelta(hours=1)
    assert tasks.board().escalated == []


def test_routine_work_never_escalates_but_is_overdue(tasks: WardTaskService, clock: Clock) -> None:
    tasks.create(NewTask("Restock gloves", "WARD", Priority.ROUTINE, timedelta(minutes=30)))
    clock.now = T0 + timedelta(hours=3)
    board = tasks.board()
    assert board.escalated == [] and [t.title for t in board.overdue] == ["Restock gloves"]


def test_the_board_puts_escalated_then_overdue_then_priority_first(tasks: WardTaskService, clock: Clock) -> None:
    tasks.create(NewTask("Routine later", "WARD", Priority.ROUTINE, timedelta(hours=4)))
    tasks.create(NewTask("Routine late", "WARD", Priority.ROUTINE, timedelta(minutes=10)))
    tasks.create(NewTask("Stat nobody took", "WARD", Priority.STAT, None))
    tasks.create(NewTask("Urgent soon", "WARD", Priority.URGENT, timedelta(hours=2)))
    clock.now = T0 + timedelta(minutes=20)
    assert [t.title for t in tasks.board().tasks] == ["Stat nobody took", "Routine late", "Urgent soon",
                                                      "Routine later"]


def test_offline_a_task_made_here_can_be_claimed_and_started_in_order(tasks: WardTaskService,
                                                                        app_context: AppContext) -> None:
    task_id = tasks.create(NewTask("Check drip", "ICU", Priority.URGENT, None))
    tasks.move(task_id, TaskState.ACCEPTED)
    tasks.move(task_id, TaskState.IN_PROGRESS)
    with app_context.store.sessions.begin() as session:
        kinds = session.scalars(select(OutboxOp.kind).where(OutboxOp.entity_id == task_id)
                                .order_by(OutboxOp.device_seq)).all()
    assert kinds == ["task.create", "task.move", "task.move"]
    assert tasks.board().tasks[0].state is TaskState.IN_PROGRESS


def test_cancelling_needs_a_reason(tasks: WardTaskService, app_context: AppContext) -> None:
    task_id = tasks.create(NewTask("Check drip", "ICU", Priority.URGENT, None))
    synced(app_context)
    with pytest.raises(TaskInputProblem, match="Say why"):
        tasks.move(task_id, TaskState.CANCELLED)
    tasks.move(task_id, TaskState.CANCELLED, reason="drip removed")
    assert tasks.board().tasks[0].state is TaskState.CANCELLED


def test_in_charge_is_kept_for_the_shift_and_asked_again_the_next(tasks: WardTaskService, clock: Clock) -> None:
    tasks.set_in_charge(True)
    clock.now = T0 + timedelta(minutes=1)
    assert tasks.in_charge_now()
    clock.now = T0 + timedelta(hours=24)  # the same shift a day later: another shift
    assert not tasks.in_charge_now()
