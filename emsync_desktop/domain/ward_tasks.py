"""A ward's shared work queue (issue 26): task states, priorities, escalation windows, when a task is late, and how
often a patient's observations fall due by their NEWS2 score (RCP NEWS2, 2017, chart 3). Shared by the ward PCs
and the sync server, which decides claims; pure (no clock of its own: every rule takes ``now``, UTC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from emsync_desktop.domain.news2 import News2Band, band_for


class TaskState(StrEnum):
    """FHIR Task's statuses a ward uses, in its words."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {TaskState.REQUESTED: "To do", TaskState.ACCEPTED: "Claimed", TaskState.IN_PROGRESS: "In progress",
                 TaskState.ON_HOLD: "On hold", TaskState.COMPLETED: "Done", TaskState.CANCELLED: "Cancelled",
                 TaskState.FAILED: "Could not be done"}


class Priority(StrEnum):
    """FHIR's request priorities, most pressing last."""

    ROUTINE = "routine"
    URGENT = "urgent"
    ASAP = "asap"
    STAT = "stat"

    @property
    def rank(self) -> int:
        """0 for stat, 3 for routine: sorts the most pressing first."""
        return _PRIORITY_ORDER.index(self)

    @property
    def label(self) -> str:
        return self.value.upper() if self in (Priority.STAT, Priority.ASAP) else self.value.capitalize()


_PRIORITY_ORDER = (Priority.STAT, Priority.ASAP, Priority.URGENT, Priority.ROUTINE)


class TaskKind(StrEnum):
    """Who made the task: a person, or an event the server saw."""

    MANUAL = "manual"
    CLEANING = "cleaning"  # a bed set to Cleaning; done sets the bed Available
    PREPARE_BED = "prepare_bed"  # a transfer accepted: the bed ready before the ambulance is
    HANDOFF_ACK = "handoff_ack"  # a handoff nobody acknowledged, the ambulance nearly there
    OBSERVATIONS = "observations"  # a patient's observations due by their NEWS2 score


OPEN_STATES = frozenset({TaskState.REQUESTED, TaskState.ACCEPTED, TaskState.IN_PROGRESS, TaskState.ON_HOLD})
TASK_TRANSITIONS: dict[TaskState, frozenset[TaskState]] = {
    TaskState.REQUESTED: frozenset({TaskState.ACCEPTED, TaskState.CANCELLED}),
    TaskState.ACCEPTED: frozenset({TaskState.IN_PROGRESS, TaskState.ON_HOLD, TaskState.COMPLETED,
                                   TaskState.FAILED, TaskState.CANCELLED, TaskState.REQUESTED}),
    TaskState.IN_PROGRESS: frozenset({TaskState.ON_HOLD, TaskState.COMPLETED, TaskState.FAILED,
                                      TaskState.CANCELLED, TaskState.REQUESTED}),
    TaskState.ON_HOLD: frozenset({TaskState.IN_PROGRESS, TaskState.COMPLETED, TaskState.FAILED,
                                  TaskState.CANCELLED, TaskState.REQUESTED}),
}
NEEDS_REASON = frozenset({TaskState.CANCELLED, TaskState.FAILED, TaskState.ON_HOLD})
# Not accepted within this long after it was made, a task escalates to the nurse in charge. Routine work does not.
ESCALATION_WINDOWS: dict[Priority, timedelta] = {Priority.STAT: timedelta(minutes=5),
                                                 Priority.ASAP: timedelta(minutes=15),
                                                 Priority.URGENT: timedelta(minutes=30)}


class TaskRefused(ValueError):
    """A change the task's state does not allow; the text says why and what to do."""


def check_move(current: TaskState, target: TaskState, *, reason: str, own: bool) -> None:
    """Raise TaskRefused unless ``current`` may become ``target``. ``own``: the person moving it is the one who
    claimed it (only they start, pause, finish or hand back a claimed task; anyone may cancel it with a reason)."""
    if current == target:
        raise TaskRefused(f"The task is already {current.label.lower()}.")
    if target not in TASK_TRANSITIONS.get(current, frozenset()):
        if current is TaskState.REQUESTED:
            raise TaskRefused("Claim the task first.")
        if current in OPEN_STATES:
            raise TaskRefused(f"A task that is {current.label.lower()} cannot become {target.label.lower()}.")
        raise TaskRefused(f"The task is closed ({current.label.lower()}); make a new one if work remains.")
    if target in NEEDS_REASON and not reason.strip():
        raise TaskRefused(f"Say why the task is {target.label.lower()}.")
    if current is not TaskState.REQUESTED and target is not TaskState.CANCELLED and not own:
        raise TaskRefused("Another nurse has claimed this task: ask them, or the nurse in charge, to hand it back.")


def claim_refusal(current: TaskState, claimed_by: str | None) -> str | None:
    """Why a claim fails, or None when the task is free to claim."""
    if current is TaskState.REQUESTED:
        return None
    if current in OPEN_STATES:
        return f"Already claimed by {claimed_by or 'another nurse'}."
    return f"The task is closed ({current.label.lower()})."


@dataclass(frozen=True)
class TaskTimes:
    """What the rules need of a task. Times are UTC."""

    priority: Priority
    state: TaskState
    created_at: datetime
    due_at: datetime | None


def escalation_due_at(task: TaskTimes) -> datetime | None:
    """When the task escalates if nobody claims it (None: it never does): its priority's window after it became
    pressing (when made, or for work planned ahead, a window before it is due), and never later than its due time."""
    window = ESCALATION_WINDOWS.get(task.priority)
    if window is None:
        return None
    if task.due_at is None:
        return task.created_at + window
    pressing_from = max(task.created_at, task.due_at - window)
    return min(pressing_from + window, max(task.due_at, task.created_at))


def is_escalated(task: TaskTimes, now: datetime) -> bool:
    """Unclaimed past its priority's window: the nurse in charge must see it."""
    due = escalation_due_at(task)
    return task.state is TaskState.REQUESTED and due is not None and now >= due


def is_overdue(task: TaskTimes, now: datetime) -> bool:
    return task.state in OPEN_STATES and task.due_at is not None and now > task.due_at


def lateness_text(task: TaskTimes, now: datetime) -> str:
    """"overdue 25 min", "due in 1 h 10 min", "" (no due time, or closed)."""
    if task.due_at is None or task.state not in OPEN_STATES:
        return ""
    gap = task.due_at - now
    if gap < timedelta(0):
        return f"overdue {duration_text(-gap)}"
    return f"due in {duration_text(gap)}"


def duration_text(gap: timedelta) -> str:
    minutes = int(gap.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def sort_key(task: TaskTimes, now: datetime) -> tuple[int, int, datetime]:
    """Escalated and overdue first, then by priority, then by due time (none last)."""
    urgent = 0 if is_escalated(task, now) else 1 if is_overdue(task, now) else 2
    return (urgent, task.priority.rank, task.due_at or datetime.max.replace(tzinfo=now.tzinfo))


@dataclass(frozen=True)
class Monitoring:
    """How often observations fall due for a NEWS2 score. ``every`` None: continuous monitoring."""

    band: News2Band
    every: timedelta | None
    text: str


def monitoring_for(total: int, any_single_three: bool) -> Monitoring:
    """RCP NEWS2 minimum monitoring frequency: 0, 12-hourly; 1-4, 4-6-hourly (4 h here: the safer end); a 3 in one
    parameter or 5-6, hourly; 7 or more, continuous. Raises ValueError for a score that cannot be (0-20)."""
    if not 0 <= total <= 20:
        raise ValueError(f"A NEWS2 score is 0 to 20, not {total}.")
    band = band_for(total, any_single_three)
    if band is News2Band.HIGH:
        return Monitoring(band, None, "continuously (a nurse at the bed at least every 15 min)")
    if band in (News2Band.MEDIUM, News2Band.LOW_MEDIUM):
        return Monitoring(band, timedelta(hours=1), "hourly")
    if band is News2Band.LOW:
        return Monitoring(band, timedelta(hours=4), "every 4 hours")
    return Monitoring(band, timedelta(hours=12), "every 12 hours")


CONTINUOUS_CHECK = timedelta(minutes=15)  # continuous monitoring still needs a nurse at the bedside this often


def next_observations_due(observed_at: datetime, total: int, any_single_three: bool) -> datetime:
    """When the next set of observations is due after one scored ``total`` at ``observed_at``."""
    every = monitoring_for(total, any_single_three).every
    return observed_at + (every if every is not None else CONTINUOUS_CHECK)


def observation_priority(total: int, any_single_three: bool) -> Priority:
    band = band_for(total, any_single_three)
    if band is News2Band.HIGH:
        return Priority.STAT
    if band in (News2Band.MEDIUM, News2Band.LOW_MEDIUM):
        return Priority.URGENT
    return Priority.ROUTINE
