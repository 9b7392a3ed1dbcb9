"""Core-SQL access to records for the op handlers: prebuilt statements, one round trip each.

Why not the ORM on this path: applying a pushed op through the ORM cost about 2.5 ms (identity map,
flushes, statement construction); a prebuilt core statement runs in 15–26 µs on SQLite (measured;
the whole path is in docs/BENCHMARKS.md). Rows come back as read-only mappings (``row["state"]``); changes are written
with ``update_row`` inside the caller's transaction. Op handlers use these through ``OpContext``,
which keeps what a batch has read and written. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Insert, Select, Update

from sync_server.db import is_sqlite
from sync_server.models import Bed, Booking, Handoff, Hospital, ImagingStudy, Transfer, User

Row = Mapping[Any, Any]  # a record read by column name: a core RowMapping or a dict of the same columns

TRANSFERS: Table = Transfer.__table__  # type: ignore[assignment]
BOOKINGS: Table = Booking.__table__  # type: ignore[assignment]
BEDS: Table = Bed.__table__  # type: ignore[assignment]
HOSPITALS: Table = Hospital.__table__  # type: ignore[assignment]
HANDOFFS: Table = Handoff.__table__  # type: ignore[assignment]
STUDIES: Table = ImagingStudy.__table__  # type: ignore[assignment]
USERS: Table = User.__table__  # type: ignore[assignment]

_statements: dict[tuple[object, ...], Select[Any] | Insert | Update] = {}


def _by_id(table: Table, for_update: bool) -> Select[Any]:
    key = ("get", table.name, for_update)
    statement = _statements.get(key)
    if statement is None:
        query = select(table).where(table.c.id == bindparam("row_id"))
        statement = _statements[key] = query.with_for_update() if for_update else query
    assert isinstance(statement, Select)
    return statement


def get_row(conn: Connection, table: Table, row_id: str, *, for_update: bool = False) -> Row | None:
    """The row with this id, or None. ``for_update`` locks it until the transaction ends (PostgreSQL;
    SQLite writers hold the database lock already)."""
    lock = for_update and not is_sqlite(conn)
    return conn.execute(_by_id(table, lock), {"row_id": row_id}).mappings().first()


def insert_row(conn: Connection, table: Table, values: Mapping[str, Any]) -> None:
    key = ("insert", table.name)
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = insert(table)
    conn.execute(statement, dict(values))


def update_row(conn: Connection, table: Table, row_id: str, values: Mapping[str, Any]) -> None:
    """Set ``values`` on the row ``row_id`` (statements are cached per set of columns)."""
    columns = tuple(sorted(values))
    key = ("update", table.name, columns)
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = (update(table).where(table.c.id == bindparam("row_id"))
                                        .values({c: bindparam(f"new_{c}") for c in columns}))
    conn.execute(statement, {"row_id": row_id, **{f"new_{c}": v for c, v in values.items()}})


def first_free_bed(conn: Connection, hospital_id: str, unit: str) -> Row | None:
    """The free bed of this unit with the lowest label, locked for this transaction. PostgreSQL skips
    beds another transaction has locked (it is about to take them); SQLite serializes writers."""
    sqlite = is_sqlite(conn)
    key = ("free_bed", sqlite)
    statement = _statements.get(key)
    if statement is None:
        query = (select(BEDS).where(BEDS.c.hospital_id == bindparam("hospital_id"), BEDS.c.unit == bindparam("unit"),
                                    BEDS.c.status == "available").order_by(BEDS.c.label).limit(1))
        statement = _statements[key] = query if sqlite else query.with_for_update(skip_locked=True)
    return conn.execute(statement, {"hospital_id": hospital_id, "unit": unit}).mappings().first()


def existing_ids(conn: Connection, table: Table, ids: list[str]) -> set[str]:
    """Which of ``ids`` have a row in ``table``."""
    key = ("existing", table.name)
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = select(table.c.id).where(table.c.id.in_(bindparam("ids", expanding=True)))
    return set(conn.execute(statement, {"ids": ids}).scalars()) if ids else set()


def rows_with_ids(conn: Connection, table: Table, ids: list[str]) -> list[Row]:
    key = ("with_ids", table.name)
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = select(table).where(table.c.id.in_(bindparam("ids", expanding=True)))
    return list(conn.execute(statement, {"ids": ids}).mappings()) if ids else []


def rows_where(conn: Connection, table: Table, column: str, value: Any) -> list[Row]:
    """Every row whose ``column`` equals ``value`` (e.g. a transfer's bookings), in id order."""
    key = ("where", table.name, column)
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = select(table).where(table.c[column] == bindparam("value")).order_by(table.c.id)
    return list(conn.execute(statement, {"value": value}).mappings())
