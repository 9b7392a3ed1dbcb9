"""A ward's tasks on the wire (issue 26): payloads of the ``task.*`` ops and the feed's entity name. Rules they
carry out: ``domain.ward_tasks`` (states, who may move a task, observations by NEWS2). Pydantic only.

A task's feed row (entity ``ward_task``, id: the task's) goes to its hospital's nurses and the desks: ``id``,
``hospital_id``, ``unit``, ``bed_id``, ``bed_label``, ``patient``, ``title``, ``note``, ``kind``, ``priority``,
``state``, ``due_at``, ``created_at``, ``created_by_name``, ``claimed_by`` (user id) and ``claimed_by_name``,
``reason``, ``source_id`` (the bed, transfer or task that made it), ``news2`` (observations: the score recorded when
done, with ``news2_single_three``), ``updated_at``, ``version``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from emsync_desktop.sync.wire import JSON_INTEGER, Id, ShortText, Strict

WARD_TASK_ENTITY = "ward_task"

PriorityName = Literal["routine", "urgent", "asap", "stat"]
TaskTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class TaskCreatePayload(Strict):
    """A task a nurse makes on their own ward (``entity_id``: the task's). ``bed_id``: the bed it is for (its label
    and unit come from the server), or None for the ward as a whole; ``patient``: how the team calls the patient
    ("Mr K, bed 4"), never an identifier. ``due_at`` None: as soon as it can be done."""

    title: TaskTitle
    unit: Literal["ICU", "HDU", "ER", "WARD"]
    bed_id: Id | None = None
    patient: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] = ""
    note: ShortText = ""
    priority: PriorityName
    due_at: AwareDatetime | None = None


class TaskMovePayload(Strict):
    """A task claimed, started, put on hold, handed back, done, cancelled or failed (``entity_id``: the task's).
    Claiming (``accepted``) is decided by the server: the first claim wins and a second is refused with who has it.
    ``reason``: needed to cancel, fail or hold. Observations done carry the NEWS2 score found (``news2``), from which
    the server plans the next set."""

    target: Literal["requested", "accepted", "in_progress", "on_hold", "completed", "cancelled", "failed"]
    reason: ShortText = ""
    news2: Annotated[int, Field(ge=0, le=20), JSON_INTEGER] | None = None
    news2_single_three: bool = False
