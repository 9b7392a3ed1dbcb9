"""Prebuilt statements run on the DBAPI cursor: compiled once per dialect by SQLAlchemy, executed
without its per-call machinery.

Why: on the op path a prebuilt core statement cost ~90–115 µs through ``Connection.execute`` (execution
context, compiled-cache lookup, events, result wrapping) against ~15 µs for the same SQL on the cursor
(measured on SQLite, tests/bench). The writer runs some ten of them per batch, and per op those its
handlers need. The SQL text and the type conversions are SQLAlchemy's own (``compile`` and each type's
``dialect_impl`` processors), so values are stored and read exactly as through ``Connection.execute``.

Contract: runs inside the caller's transaction on the same DBAPI connection; never commits. A DBAPI
error comes back as SQLAlchemy's exception (``IntegrityError`` …), as from ``Connection.execute``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement, Select
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any]


class FastStatement:
    """One statement, compiled for one dialect. Bind parameters are given by name."""

    def __init__(self, statement: ClauseElement, dialect: Dialect, column_keys: list[str] | None = None) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=column_keys)
        assert isinstance(compiled, SQLCompiler)
        if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
            raise ValueError("statements with Python-side column defaults need Connection.execute")
        self._sql = compiled.string
        self._positional = compiled.positiontup  # None for named styles (psycopg)
        binds = compiled.binds.items()
        self._fixed = {name: b.value for name, b in binds if not b.required and b.callable is None}
        self._binders = {name: p for name, b in binds
                         if (p := b.type.dialect_impl(dialect).bind_processor(dialect)) is not None}
        columns = statement.selected_columns if isinstance(statement, Select) else None
        self._keys = [str(c.key) for c in columns] if columns is not None else []
        self._readers = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns or ()]
        self._dbapi_error = dialect.loaded_dbapi.Error

    def _params(self, values: Mapping[str, Any]) -> Any:
        params = {**self._fixed, **values}
        for name, process in self._binders.items():
            params[name] = process(params[name])
        return params if self._positional is None else tuple(params[name] for name in self._positional)

    def run(self, conn: Connection, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Execute with ``values``; for a SELECT, its rows as dicts (column key -> value)."""
        params = self._params(values)
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(self._sql, params)
            if not self._keys:
                return []
            return [self._row(raw) for raw in cursor.fetchall()]
        except self._dbapi_error as error:
            raise sa_exc.DBAPIError.instance(self._sql, params, error, self._dbapi_error) from error
        finally:
            cursor.close()

    def run_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Execute once per item of ``rows`` (an INSERT or UPDATE), in order, with one ``executemany``."""
        params = [self._params(values) for values in rows]
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(self._sql, params)
        except self._dbapi_error as error:
            raise sa_exc.DBAPIError.instance(self._sql, params, error, self._dbapi_error) from error
        finally:
            cursor.close()

    def _row(self, raw: tuple[Any, ...]) -> dict[str, Any]:
        return {key: (value if read is None else read(value))
                for key, read, value in zip(self._keys, self._readers, raw, strict=True)}
