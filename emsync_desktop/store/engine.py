"""Opening the local SQLite database safely.

Contract:
- WAL journal, ``synchronous=FULL``, foreign keys on: a committed transaction
  survives a kill or power cut.
- One app instance per data dir (an OS file lock); a second one gets
  ``StoreLockedError`` instead of racing the first.
- A file that is not SQLite, or fails ``quick_check``, raises ``StoreCorruptError``
  and is never written to.
- Before migrating an older schema the file is copied to ``<name>.bak-<revision>``.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path
from typing import IO, Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


class StoreError(Exception):
    """The local database cannot be used. The message says what to do."""


class StoreCorruptError(StoreError):
    pass


class StoreLockedError(StoreError):
    pass


def _set_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_sqlite_engine(path: Path) -> Engine:
    """Engine for ``path`` with the durability pragmas. Does not check the file."""
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )
    event.listen(engine, "connect", _set_pragmas)
    return engine


def check_file_header(path: Path) -> None:
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise StoreCorruptError(_corrupt_message(path, "it is not an SQLite database"))


def check_integrity(engine: Engine, path: Path) -> None:
    try:
        with engine.connect() as conn:
            result = conn.execute(text("PRAGMA quick_check")).scalar()
    except OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise StoreLockedError(_locked_message(path)) from exc
        raise StoreCorruptError(_corrupt_message(path, str(exc.orig))) from exc
    except DatabaseError as exc:
        raise StoreCorruptError(_corrupt_message(path, str(exc.orig))) from exc
    if result != "ok":
        raise StoreCorruptError(_corrupt_message(path, f"integrity check reported: {result}"))


def _corrupt_message(path: Path, why: str) -> str:
    return (
        f"The case database {path} cannot be opened ({why}). It has not been changed. "
        "Move it aside or restore the latest backup (*.bak-*) from the same folder, then start "
        "EMsync again; a new empty database will be created if none is there."
    )


def _locked_message(path: Path) -> str:
    return (
        f"The case database {path} is in use by another program. Close other EMsync windows "
        "(or the program holding the file) and start again. Nothing was changed."
    )


class InstanceLock:
    """Exclusive advisory lock on ``<data_dir>/emsync.lock`` held for the app's lifetime."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        handle = open(self.path, "a+")  # noqa: SIM115 - held open for the app lifetime
        try:
            _lock_file(handle)
        except OSError as exc:
            handle.close()
            raise StoreLockedError(
                f"EMsync is already running with the data folder {self.path.parent}. "
                "Switch to that window, or close it and start again."
            ) from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _lock_file(handle: IO[str]) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
