"""Retention of stored answers: the server forgets an answer once its device has it.

A stored answer (``applied_ops``) exists so that an op sent again (the answer was lost on the way) gets the same
answer instead of being applied twice. A device says, with each push, up to which ``device_seq`` it has every
answer stored (``PushRequest.answered_through``); it never sends those ops again. The leader's upkeep then deletes
the answers below that mark once they are a day old (``forget_answers``), and marks what it forgot
(``forgotten_through`` and ``forgot_before`` per device and account).

An op that comes again after its answer was forgotten can only come from a device restored from an old backup. It
is refused, not applied a second time (``forgotten_repeat``): its ``device_seq`` is within what was forgotten and
it was written (its ``hlc``, the device's clock) before the forgotten answers were given. A new op written after a
restore reuses sequence numbers but carries a new time, so it applies. (A device clock more than ``ANSWERS_KEPT``
behind the server's would have a new op refused, with the reason: seen, never silently lost.)

Contract: ``raise_marks`` runs in the writer's transaction; ``forget_answers`` in its own, on the leader.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Table, and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from emsync_desktop.sync.protocol import Op, OpResult
from sync_server.db import is_sqlite
from sync_server.models import AppliedOp, DeviceAnswers

ANSWERS_KEPT = timedelta(hours=24)  # after the device confirmed it has them: a margin, not a need
MARKS_MOVE_EVERY = timedelta(hours=1)  # a device's forgotten-before time moves on at most this often
_APPLIED: Table = AppliedOp.__table__  # type: ignore[assignment]
_MARKS: Table = DeviceAnswers.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Forgotten:
    """What the server forgot of one device's and account's answers."""

    through_seq: int
    before: datetime


def raise_marks(conn: Connection, marks: Sequence[tuple[str, str, int]]) -> None:
    """Record ``(device_id, user_id, answered_through)`` from pushes; a mark only ever rises (a device restored
    from a backup reports a lower one: the higher stays)."""
    if not marks:
        return
    highest: dict[tuple[str, str], int] = {}
    for device_id, user_id, seq in marks:
        highest[(device_id, user_id)] = max(seq, highest.get((device_id, user_id), 0))
    insert = sqlite_insert if is_sqlite(conn) else postgresql_insert
    statement = insert(_MARKS)
    statement = statement.on_conflict_do_update(
        index_elements=["device_id", "user_id"], set_={"answered_through": statement.excluded.answered_through},
        where=statement.excluded.answered_through > _MARKS.c.answered_through)
    conn.execute(statement, [{"device_id": d, "user_id": u, "answered_through": s, "forgotten_through": 0}
                             for (d, u), s in sorted(highest.items())])


def forgotten_marks(conn: Connection, device_ids: Iterable[str]) -> dict[tuple[str, str], Forgotten]:
    """What was forgotten of these devices' answers, by (device_id, user_id)."""
    ids = sorted(set(device_ids))
    if not ids:
        return {}
    rows = conn.execute(select(_MARKS.c.device_id, _MARKS.c.user_id, _MARKS.c.forgotten_through,
                               _MARKS.c.forgot_before)
                        .where(_MARKS.c.device_id.in_(ids), _MARKS.c.forgot_before.is_not(None)))
    return {(r.device_id, r.user_id): Forgotten(r.forgotten_through, r.forgot_before) for r in rows}


def forgotten_repeat(op: Op, forgotten: Forgotten | None) -> OpResult | None:
    """The refusal of ``op`` (which has no stored answer) if it is a repeat of an op whose answer was forgotten;
    None if it is new. The refusal is not stored: nothing was applied, and the device will not send it again."""
    if forgotten is None or op.device_seq > forgotten.through_seq:
        return None
    written = _written_at(op.hlc)
    if written is not None and written >= forgotten.before:
        return None  # a new op with a reused sequence number (a device restored from a backup)
    return OpResult(op_id=op.op_id, status="rejected",
                    reason="This change reached the server before and was answered then (before "
                           f"{forgotten.before:%Y-%m-%d %H:%M} UTC); it was not applied again. This device may have "
                           "been restored from a backup: open the record to see where it stands now.")


def _written_at(hlc: str) -> datetime | None:
    try:
        written = datetime.fromisoformat(hlc)
    except ValueError:
        return None
    return written if written.tzinfo is not None else written.replace(tzinfo=UTC)


def forget_answers(conn: Connection, now: datetime, batch: int = 5000) -> int:
    """Delete up to ``batch`` stored answers their devices have confirmed, given more than ``ANSWERS_KEPT``
    ago; returns how many. The marks move first (so every deleted answer is within its device's mark, and
    ``forgotten_repeat`` refuses it if it comes again), then the answers within them go."""
    cutoff = now - ANSWERS_KEPT
    conn.execute(update(_MARKS).where(or_(_MARKS.c.forgotten_through < _MARKS.c.answered_through,
                                          _MARKS.c.forgot_before.is_(None),
                                          _MARKS.c.forgot_before < cutoff - MARKS_MOVE_EVERY))
                 .values(forgotten_through=_MARKS.c.answered_through, forgot_before=cutoff))
    doomed = (select(_APPLIED.c.op_id)
              .join(_MARKS, and_(_MARKS.c.device_id == _APPLIED.c.device_id, _MARKS.c.user_id == _APPLIED.c.user_id))
              .where(_APPLIED.c.device_seq <= _MARKS.c.forgotten_through,
                     _APPLIED.c.applied_at < _MARKS.c.forgot_before)
              .limit(batch))
    return int(conn.execute(delete(_APPLIED).where(_APPLIED.c.op_id.in_(doomed.scalar_subquery()))).rowcount or 0)
