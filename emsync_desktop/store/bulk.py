"""Set-based writes for the sync path: one prebuilt statement per shape, executed for many rows.

Why: storing the answers to 3,000 ops took 1.94 s through the ORM and 0.31 s this way (measured; see
docs/BENCHMARKS.md, sync). Runs inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Update

_updates: dict[tuple[str, str, tuple[str, ...]], Update] = {}


def update_rows(conn: Connection, table: Table, key: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """For each row, set its other columns on the record whose ``key`` column matches. Rows may differ in
    which columns they set; those of one shape go in one ``executemany``."""
    by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        columns = tuple(sorted(c for c in row if c != key))
        by_shape.setdefault(columns, []).append({f"new_{c}": v for c, v in row.items()})
    for columns, params in by_shape.items():
        if columns:
            conn.execute(_statement(table, key, columns), params)


def _statement(table: Table, key: str, columns: tuple[str, ...]) -> Update:
    cache_key = (table.name, key, columns)
    if cache_key not in _updates:
        _updates[cache_key] = (update(table).where(table.c[key] == bindparam(f"new_{key}"))
                               .values({c: bindparam(f"new_{c}") for c in columns}))
    return _updates[cache_key]
