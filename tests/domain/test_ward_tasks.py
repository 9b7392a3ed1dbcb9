"""Ward task rules (issue 26): who may move a task where, when it escalates and when it is late, and how often
observations fall due by NEWS2 (RCP 2017, chart 3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from emsync_desktop.domain.news2 import News2Band
from emsync_desktop.domain.ward_tasks import (
    Priority,
    TaskRefused,
    TaskState,
    TaskTimes,
    check_move,
    claim_refusal,
    escalation_due_at,
    is_escalated,
    is_overdue,
    lateness_text,
    monitoring_for,
    next_observations_due,
    observation_priority,
)

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("total", "single_three", "every", "band"), [
    (0, False, timedelta(hours=12), News2Band.ZERO),
    (1, False, timedelta(hours=4), News2Band.LOW),
    (4, False, timedelta(hours=4), News2Band.LOW),
    (2, True, timedelta(hours=1), News2Band.LOW_MEDIUM),
    (5, False, timedelta(hours=1), News2Band.MEDIUM),
    (6, True, timedelta(hours=1), News2Band.MEDIUM),
    (7, False, None, News2Band.HIGH),
    (20, False, None, News2Band.HIGH),
])
def test_monitoring_frequency_follows_the_rcp_chart(total: int, single_three: bool, every: timedelta | None,
                                                    band: News2Band) -> None:
    plan = monitoring_for(total, single_three)
    assert (plan.every, plan.band) == (every, band)


def test_a_score_outside_0_to_20_is_refused() -> None:
    with pytest.raises(ValueError, match="0 to 20"):
        monitoring_for(21, False)


def test_continuous_monitoring_still_puts_a_nurse_at_the_bed_every_15_minutes() -> None:
    assert next_observations_due(T0, 8, False) == T0 + timedelta(minutes=15)
    assert observation_priority(8, False) is Priority.STAT and observation_priority(0, False) is Priority.ROUTINE


def test_a_task_without_a_due_time_escalates_its_window_after_it_was_made() -> None:
    stat = TaskTimes(Priority.STAT, TaskState.REQUESTED, T0, None)
    assert escalation_due_at(stat) == T0 + timedelta(minutes=5)
    assert escalation_due_at(TaskTimes(Priority.ROUTINE, TaskState.REQUESTED, T0, None)) is None


def test_planned_work_escalates_when_it_falls_due_unclaimed_not_when_it_was_planned() -> None:
    observations = TaskTimes(Priority.URGENT, TaskState.REQUESTED, T0, T0 + timedelta(hours=4))
    assert escalation_due_at(observations) == T0 + timedelta(hours=4)
    assert not is_escalated(observations, T0 + timedelta(hours=3, minutes=59))


def test_work_due_sooner_than_its_window_escalates_at_its_due_time() -> None:
    prepare = TaskTimes(Priority.URGENT, TaskState.REQUESTED, T0, T0 + timedelta(minutes=12))
    assert escalation_due_at(prepare) == T0 + timedelta(minutes=12)


def test_a_claimed_task_is_never_escalated_but_can_be_late() -> None:
    claimed = TaskTimes(Priority.STAT, TaskState.ACCEPTED, T0, T0 + timedelta(minutes=10))
    later = T0 + timedelta(minutes=25)
    assert not is_escalated(claimed, later) and is_overdue(claimed, later)
    assert lateness_text(claimed, later) == "overdue 15 min"
    assert lateness_text(claimed, T0) == "due in 10 min"


def test_a_claimed_task_says_who_has_it() -> None:
    assert claim_refusal(TaskState.REQUESTED, None) is None
    assert claim_refusal(TaskState.IN_PROGRESS, "Leela") == "Already claimed by Leela."
    assert claim_refusal(TaskState.COMPLETED, "Leela") == "The task is closed (done)."


@pytest.mark.parametrize(("current", "target", "reason", "own", "message"), [
    (TaskState.REQUESTED, TaskState.COMPLETED, "", True, "Claim the task first"),
    (TaskState.ACCEPTED, TaskState.COMPLETED, "", False, "Another nurse has claimed"),
    (TaskState.ACCEPTED, TaskState.FAILED, " ", True, "Say why"),
    (TaskState.COMPLETED, TaskState.IN_PROGRESS, "", True, "closed"),
    (TaskState.ON_HOLD, TaskState.ON_HOLD, "x", True, "already on hold"),
])
def test_moves_the_rules_refuse(current: TaskState, target: TaskState, reason: str, own: bool, message: str) -> None:
    with pytest.raises(TaskRefused, match=message):
        check_move(current, target, reason=reason, own=own)


def test_anyone_may_cancel_a_claimed_task_with_a_reason() -> None:
    check_move(TaskState.IN_PROGRESS, TaskState.CANCELLED, reason="patient discharged", own=False)
