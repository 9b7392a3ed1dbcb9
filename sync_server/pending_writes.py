"""Writes a batch of ops defers until something reads the database: new transfers, bed status changes
and new bookings, sent as one ``executemany`` per statement instead of one round trip each.

Why: a bed hold writes a bed and a booking; on PostgreSQL each write is a round trip (~0.2 ms here), and
200 holds in one instant queued ~80 ms of them behind the writer. Now a batch's holds reach the database
together, once, before the batch's next read or its commit.

Contract: ``OpContext`` flushes before any statement of its own or of a handler (``ctx.conn``), so no
read ever misses a deferred write, and before the journal and the commit. Only writes nothing else in the
batch reads back without going through the database (or the context's own memory) are deferred. They
are flushed in the order of ``_TABLE_ORDER``, which follows the foreign keys (a booking refers to its
transfer and bed), and in the order given within each table. An error (a duplicate id) comes from the
flush, inside the same transaction, so the batch fails exactly as it would have from the write itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection

from sync_server.rows import BEDS, BOOKINGS, TRANSFERS, insert_rows, update_rows

_TABLE_ORDER = (("insert", TRANSFERS), ("update", BEDS), ("insert", BOOKINGS))
DEFERRED = frozenset((kind, table.name) for kind, table in _TABLE_ORDER)


class PendingWrites:
    def __init__(self) -> None:
        # (kind, table name) -> column set -> rows, in the order written
        self._writes: dict[tuple[str, str], dict[tuple[str, ...], list[Mapping[str, Any]]]] = {}

    def __bool__(self) -> bool:
        return bool(self._writes)

    def insert(self, table: Table, values: Mapping[str, Any]) -> None:
        self._add("insert", table, values)

    def update(self, table: Table, row_id: str, values: Mapping[str, Any]) -> None:
        self._add("update", table, {**values, "id": row_id})

    def _add(self, kind: str, table: Table, values: Mapping[str, Any]) -> None:
        assert (kind, table.name) in DEFERRED, f"{kind} on {table.name} is not deferred"
        by_columns = self._writes.setdefault((kind, table.name), {})
        by_columns.setdefault(tuple(sorted(values)), []).append(values)

    def flush(self, conn: Connection) -> None:
        """Send every pending write (one statement per table and column set), then forget them."""
        writes, self._writes = self._writes, {}
        for kind, table in _TABLE_ORDER:
            for rows in writes.get((kind, table.name), {}).values():
                if kind == "insert":
                    insert_rows(conn, table, rows)
                else:
                    update_rows(conn, table, rows)
