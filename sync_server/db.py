"""Database engines for the server: SQLite (default) or PostgreSQL (production).

Concurrency contract:
- SQLite: write transactions start with ``BEGIN IMMEDIATE`` (``make_write_sessions``),
  so writers are serialized and a bed is never given twice; reads begin deferred.
- PostgreSQL: beds are chosen with ``SELECT … FOR UPDATE SKIP LOCKED``; the change
  feed and audit chain are appended under a transaction advisory lock so their
  sequence numbers commit in order (a client's cursor never skips a change).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

FEED_LOCK_KEY = 0x454D53594E43  # "EMSYNC"


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # Pool sized to the request thread pool (40) so a burst of clients queues on the write lock,
        # not on the pool.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=20, max_overflow=40)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_size=20, max_overflow=40, pool_pre_ping=True)


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(conn: Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def lock_feed(conn: Connection) -> None:
    """Serialize appends to the change feed and audit chain until this transaction ends (asked of the
    database once per transaction: the feed and the audit chain of one batch share it)."""
    if is_sqlite(conn):
        return
    transaction = conn.get_transaction()
    if transaction is not None and conn.info.get(_FEED_LOCKED_IN) is transaction:
        return
    conn.execute(_LOCK_FEED, {"key": FEED_LOCK_KEY})
    conn.info[_FEED_LOCKED_IN] = transaction


_LOCK_FEED = text("SELECT pg_advisory_xact_lock(:key)")
_FEED_LOCKED_IN = "emsync_feed_locked_in"  # conn.info: the transaction that holds the feed lock


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions for reads (SQLite: deferred BEGIN; WAL readers never block the writer)."""
    return sessionmaker(engine, expire_on_commit=False)


def make_write_engine(engine: Engine) -> Engine:
    """``engine`` for writes (SQLite: ``BEGIN IMMEDIATE``, one writer at a time)."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def make_write_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions for writes (SQLite: ``BEGIN IMMEDIATE``, one writer at a time)."""
    return sessionmaker(make_write_engine(engine), expire_on_commit=False)
