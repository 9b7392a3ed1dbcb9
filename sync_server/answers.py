"""Retention of stored answers: the server forgets an answer once its device has it.

A stored answer (``applied_ops``) exists so that an op sent again (the answer was lost on the way) gets the same
answer instead of being applied twice. A device says, with each push, up to which ``device_seq`` it has every
answer stored (``PushRequest.answered_through``); it never sends those ops again. Per device and account the
server keeps the highest mark (``answered_through``, with ``raised_at``, when it last rose) and the latest one
(``reported_through``: it falls when a device is restored from an old backup).

The leader's upkeep deletes an answer when it is a day old, within the device's latest mark, and was given before
the highest mark last rose (``forget_answers``). An op that then arrives with no stored answer, a ``device_seq``
within any account's highest mark for its device, and written (``hlc``, the device's clock) before that mark
last rose, can only come from a device restored from a backup that still held it: it was applied before, and is
answered "applied" with the reason, never applied again (``forgotten_repeat``). Every deleted answer meets that
test (its op was written before it was answered, and answered before the mark rose), so nothing forgotten can
apply twice. A new op written after a restore reuses sequence numbers but carries a time after the restore, later
than the highest mark's last rise (reported before the failure), so it applies. (A device clock behind the server's
by more than the time between that last report and the restore would have a new op taken for a repeat and not
applied, with the reason shown: seen, never silent.)

Contract: ``raise_marks`` runs in the writer's transaction; ``forget_answers`` in its own, on the leader.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, and_, case, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from emsync_desktop.sync.protocol import Op, OpResult
from sync_server.db import is_sqlite
from sync_server.models import AppliedOp, DeviceAnswers

ANSWERS_KEPT = timedelta(hours=24)  # after the device confirmed it has them: a margin, not a need
_APPLIED: Table = AppliedOp.__table__  # type: ignore[assignment]
_MARKS: Table = DeviceAnswers.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Mark:
    """One account's highest mark on a device, and when it last rose."""

    through_seq: int
    raised_at: datetime


def raise_marks(conn: Connection, marks: Sequence[tuple[str, str, int]], now: datetime) -> None:
    """Record ``(device_id, user_id, answered_through)`` from pushes: the latest always, the highest only when it
    rises (with the time it rose)."""
    if not marks:
        return
    latest: dict[tuple[str, str], int] = {}
    for device_id, user_id, seq in marks:
        latest[(device_id, user_id)] = seq  # in push order: the last one is the device's latest word
    insert = sqlite_insert if is_sqlite(conn) else postgresql_insert
    statement = insert(_MARKS)
    rises = statement.excluded.answered_through > _MARKS.c.answered_through
    statement = statement.on_conflict_do_update(index_elements=["device_id", "user_id"], set_={
        "reported_through": statement.excluded.reported_through,
        "answered_through": case((rises, statement.excluded.answered_through), else_=_MARKS.c.answered_through),
        "raised_at": case((rises, statement.excluded.raised_at), else_=_MARKS.c.raised_at)})
    conn.execute(statement, [{"device_id": d, "user_id": u, "answered_through": s, "reported_through": s,
                              "raised_at": now} for (d, u), s in sorted(latest.items())])


def device_marks(conn: Connection, device_ids: Iterable[str]) -> dict[str, list[Mark]]:
    """Every account's highest mark on these devices, by device (a device's sequence numbers are shared by the
    accounts that use it)."""
    ids = sorted(set(device_ids))
    if not ids:
        return {}
    marks: dict[str, list[Mark]] = {}
    rows = conn.execute(select(_MARKS.c.device_id, _MARKS.c.answered_through, _MARKS.c.raised_at)
                        .where(_MARKS.c.device_id.in_(ids)))
    for row in rows:
        marks.setdefault(row.device_id, []).append(Mark(row.answered_through, row.raised_at))
    return marks


def forgotten_repeat(op: Op, marks: Sequence[Mark]) -> OpResult | None:
    """The answer to ``op`` (which has no stored answer) if it is a repeat of an op applied before; None if new.
    Not stored: the device will not send it again, and nothing is applied."""
    written = _written_at(op.hlc)
    for mark in marks:
        if op.device_seq <= mark.through_seq and (written is None or written < mark.raised_at):
            return OpResult(op_id=op.op_id, status="applied",
                            reason="This change had already reached the server (before "
                                   f"{mark.raised_at:%Y-%m-%d %H:%M} UTC) and was not applied again. This device may "
                                   "have been restored from a backup: the record shows where it stands now.")
    return None


def _written_at(hlc: str) -> datetime | None:
    try:
        written = datetime.fromisoformat(hlc)
    except ValueError:
        return None
    return written if written.tzinfo is not None else written.replace(tzinfo=UTC)


def forget_answers(conn: Connection, now: datetime, batch: int = 5000) -> int:
    """Delete up to ``batch`` stored answers that are older than ``ANSWERS_KEPT``, within their device's latest mark
    and given before its highest mark last rose; returns how many."""
    marks = and_(_MARKS.c.device_id == _APPLIED.c.device_id, _MARKS.c.user_id == _APPLIED.c.user_id)
    doomed = (select(_APPLIED.c.op_id).join(_MARKS, marks)
              .where(_APPLIED.c.device_seq <= _MARKS.c.reported_through,
                     _APPLIED.c.applied_at < _MARKS.c.raised_at,
                     _APPLIED.c.applied_at < now - ANSWERS_KEPT)
              .limit(batch))
    return int(conn.execute(delete(_APPLIED).where(_APPLIED.c.op_id.in_(doomed.scalar_subquery()))).rowcount or 0)
