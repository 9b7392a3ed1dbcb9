"""Core-SQL access to records for the op handlers: prebuilt statements, one round trip each (reads by
many ids take them as one parameter; many rows are written with one ``executemany``).

Why not the ORM on this path: applying a pushed op through the ORM cost about 2.5 ms (identity map,
flushes, statement construction). The per-op statements (get, insert, update, first free bed) go further,
onto the DBAPI cursor (``fast_sql``): through ``Connection.execute`` they cost 90–115 µs each on SQLite
here, on the cursor 13–52 µs (measured 2026-12-01; docs/BENCHMARKS.md). Rows come back as mappings
(``row["state"]``); changes are written with ``update_row`` inside the caller's transaction. Op handlers
use these through ``OpContext``, which keeps what a batch has read and written. Nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Integer, String, Table, any_, bindparam, func, insert, literal_column, select, true, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select, Update

from sync_server.db import is_sqlite
from sync_server.fast_sql import FastStatement
from sync_server.models import (
    Bed,
    Booking,
    EncounterCrew,
    Handoff,
    Hospital,
    ImagingStudy,
    PublishedFormulary,
    RecordEntry,
    Transfer,
    TransferMessage,
    TransferPosition,
    User,
)

Row = Mapping[Any, Any]  # a record read by column name: a core RowMapping or a dict of the same columns

TRANSFERS: Table = Transfer.__table__  # type: ignore[assignment]
BOOKINGS: Table = Booking.__table__  # type: ignore[assignment]
BEDS: Table = Bed.__table__  # type: ignore[assignment]
HOSPITALS: Table = Hospital.__table__  # type: ignore[assignment]
HANDOFFS: Table = Handoff.__table__  # type: ignore[assignment]
STUDIES: Table = ImagingStudy.__table__  # type: ignore[assignment]
USERS: Table = User.__table__  # type: ignore[assignment]
RECORDS: Table = RecordEntry.__table__  # type: ignore[assignment]
CREWS: Table = EncounterCrew.__table__  # type: ignore[assignment]
FORMULARIES: Table = PublishedFormulary.__table__  # type: ignore[assignment]
POSITIONS: Table = TransferPosition.__table__  # type: ignore[assignment]
MESSAGES: Table = TransferMessage.__table__  # type: ignore[assignment]

_statements: dict[tuple[object, ...], Select[Any]] = {}  # the batch-level selects
_fast: dict[tuple[object, ...], FastStatement] = {}


def fast_statement(conn: Connection, key: tuple[object, ...], build: Callable[[], Any],
                   column_keys: list[str] | None = None) -> FastStatement:
    """The statement ``build()`` makes, compiled once per dialect (``fast_sql``)."""
    full_key = (conn.dialect.name, *key)
    statement = _fast.get(full_key)
    if statement is None:
        statement = _fast[full_key] = FastStatement(build(), conn.dialect, column_keys)
    return statement


def get_row(conn: Connection, table: Table, row_id: str, *, for_update: bool = False) -> Row | None:
    """The row with this id, or None. ``for_update`` locks it until the transaction ends (PostgreSQL;
    SQLite writers hold the database lock already)."""
    lock = for_update and not is_sqlite(conn)

    def build() -> Select[Any]:
        query = select(table).where(table.c.id == bindparam("row_id"))
        return query.with_for_update() if lock else query

    rows = fast_statement(conn, ("get", table.name, lock), build).run(conn, {"row_id": row_id})
    return rows[0] if rows else None


def insert_row(conn: Connection, table: Table, values: Mapping[str, Any]) -> None:
    columns = sorted(values)
    fast_statement(conn, ("insert", table.name, *columns), lambda: insert(table), columns).run(conn, values)


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (all with the same columns) in the order given (an autoincrement key follows it),
    in one ``executemany``. (On PostgreSQL one INSERT … SELECT FROM unnest(arrays) was slower: 3.4 ms
    against 2.2 ms for 100 feed rows, measured.)"""
    if rows:
        columns = sorted(rows[0])
        fast_statement(conn, ("insert", table.name, *columns), lambda: insert(table), columns).run_many(conn, rows)


def update_row(conn: Connection, table: Table, row_id: str, values: Mapping[str, Any]) -> None:
    """Set ``values`` on the row ``row_id`` (statements are compiled per set of columns)."""
    _update_statement(conn, table, tuple(sorted(values))).run(conn, _update_params(row_id, values))


def update_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Set each item's values (all with the same columns, and ``id``) on the row ``id``, in order."""
    if rows:
        columns = tuple(sorted(c for c in rows[0] if c != "id"))
        statement = _update_statement(conn, table, columns)
        statement.run_many(conn, [_update_params(r["id"], {c: r[c] for c in columns}) for r in rows])


def _update_statement(conn: Connection, table: Table, columns: tuple[str, ...]) -> FastStatement:
    def build() -> Update:
        return (update(table).where(table.c.id == bindparam("row_id"))
                .values({c: bindparam(f"new_{c}") for c in columns}))

    return fast_statement(conn, ("update", table.name, *columns), build)


def _update_params(row_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
    return {"row_id": row_id, **{f"new_{c}": v for c, v in values.items()}}


def first_free_bed(conn: Connection, hospital_id: str, unit: str) -> Row | None:
    """The free bed of this unit with the lowest label, locked for this transaction (``free_beds_in``)."""
    beds = free_beds_in(conn, {(hospital_id, unit): 1})
    return beds[0] if beds else None


def free_beds_in(conn: Connection, wanted: Mapping[tuple[str, str], int]) -> Sequence[Row]:
    """Up to ``n`` free beds of each (hospital id, unit) -> n, lowest labels first, locked for this
    transaction: on PostgreSQL in one statement, skipping beds another transaction has locked (it is
    about to take them); on SQLite (writers serialized already) one statement per unit."""
    if not wanted:
        return []
    if is_sqlite(conn):
        def build() -> Select[Any]:
            return (select(BEDS).where(BEDS.c.hospital_id == bindparam("hospital_id"), BEDS.c.unit == bindparam("unit"),
                                       BEDS.c.status == "available").order_by(BEDS.c.label).limit(bindparam("n")))

        statement = fast_statement(conn, ("free_beds_in",), build)
        return [row for (hospital_id, unit), n in wanted.items()
                for row in statement.run(conn, {"hospital_id": hospital_id, "unit": unit, "n": n})]
    keys = list(wanted)
    return fast_statement(conn, ("free_beds_in",), _free_beds_in_postgresql).run(conn, {
        "hospital_ids": [h for h, _ in keys], "units": [u for _, u in keys], "counts": [wanted[k] for k in keys]})


def _free_beds_in_postgresql() -> Select[Any]:
    wanted = func.unnest(bindparam("hospital_ids", type_=ARRAY(String)), bindparam("units", type_=ARRAY(String)),
                         bindparam("counts", type_=ARRAY(Integer))).table_valued(
        "hospital_id", "unit", "n").render_derived("wanted")
    free = (select(BEDS).where(BEDS.c.hospital_id == wanted.c.hospital_id, BEDS.c.unit == wanted.c.unit,
                               BEDS.c.status == "available")
            .order_by(BEDS.c.label).limit(wanted.c.n).with_for_update(skip_locked=True).lateral("free"))
    return select(free).select_from(wanted).join(free, true())


def free_bed_counts(conn: Connection) -> dict[tuple[str, str], int]:
    """Available beds per (hospital id, unit)."""
    query = (select(BEDS.c.hospital_id, BEDS.c.unit, func.count()).where(BEDS.c.status == "available")
             .group_by(BEDS.c.hospital_id, BEDS.c.unit))
    return {(hospital_id, unit): count for hospital_id, unit, count in conn.execute(query)}


def all_rows(conn: Connection, table: Table) -> list[Row]:
    return list(conn.execute(select(table)).mappings())


def existing_ids(conn: Connection, table: Table, ids: list[str]) -> set[str]:
    """Which of ``ids`` have a row in ``table``."""
    if not ids:
        return set()
    statement = fast_statement(conn, ("existing", table.name), _with_ids(conn, table, "id", [table.c.id]))
    return {row["id"] for row in statement.run(conn, {"ids": _id_list(conn, ids)})}


def rows_with_ids(conn: Connection, table: Table, ids: list[str], column: str = "id") -> list[dict[str, Any]]:
    """The rows of ``table`` whose ``column`` is one of ``ids``."""
    if not ids:
        return []
    statement = fast_statement(conn, ("with_ids", table.name, column), _with_ids(conn, table, column, [table]))
    return statement.run(conn, {"ids": _id_list(conn, ids)})


def _with_ids(conn: Connection, table: Table, column: str, selected: list[Any]) -> Callable[[], Select[Any]]:
    """A select of rows whose ``column`` is one of the ids bound as one parameter, ``ids``: the same SQL
    for any number of ids, so it is compiled once (and PostgreSQL prepares it), unlike an expanding IN."""
    if is_sqlite(conn):
        ids_json: Select[Any] = select(literal_column("value")).select_from(func.json_each(bindparam("ids")))
        return lambda: select(*selected).where(table.c[column].in_(ids_json))
    return lambda: select(*selected).where(table.c[column] == any_(bindparam("ids", type_=ARRAY(String))))


def _id_list(conn: Connection, ids: list[str]) -> Any:
    return json.dumps(ids) if is_sqlite(conn) else ids


def rows_where(conn: Connection, table: Table, column: str, value: Any) -> list[Row]:
    """Every row whose ``column`` equals ``value`` (e.g. a transfer's bookings), in id order."""
    key = ("where", table.name, column)
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = select(table).where(table.c[column] == bindparam("value")).order_by(table.c.id)
    return list(conn.execute(statement, {"value": value}).mappings())
