"""Store-side steps of a sync cycle. Each is one transaction; run them on the DbRunner thread."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from emsync_desktop.store.database import Store
from emsync_desktop.store.repositories import get_setting, set_setting
from emsync_desktop.sync.apply import apply_changes
from emsync_desktop.sync.outbox import count_attempt, pending_count, pending_ops, record_results
from emsync_desktop.sync.protocol import Change, Op, OpResult

CURSOR_KEY = "sync.cursor"


def take_pending(store: Store, device_id: str, limit: int, after_seq: int = 0) -> list[Op]:
    """Up to ``limit`` unanswered ops after ``after_seq`` (those before are on their way), counting the attempt."""
    with store.sessions.begin() as session:
        ops = pending_ops(session, device_id, limit, after_seq)
        count_attempt(session, [op.op_id for op in ops])
        return ops


def store_results(store: Store, results: Sequence[OpResult], now: datetime) -> None:
    with store.sessions.begin() as session:
        record_results(session, results, now)


def read_cursor(store: Store) -> int:
    with store.sessions.begin() as session:
        return int(get_setting(session, CURSOR_KEY) or 0)


def store_changes(store: Store, changes: Sequence[Change], cursor: int) -> set[str]:
    """Apply pulled changes and move the cursor in the same transaction: a crash repeats, never skips."""
    with store.sessions.begin() as session:
        touched = apply_changes(session, changes)
        set_setting(session, CURSOR_KEY, str(cursor))
        return touched


def count_pending(store: Store) -> int:
    with store.sessions.begin() as session:
        return pending_count(session)
