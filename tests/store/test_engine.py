import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from emsync_desktop.security.crypto import new_data_key
from emsync_desktop.store.database import Store, StoreKeyMismatchError
from emsync_desktop.store.engine import InstanceLock, StoreCorruptError, StoreLockedError


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_durability_pragmas_are_on(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "e.db", new_data_key())
    with store.engine.connect() as conn:
        mode = conn.execute(text("PRAGMA journal_mode")).scalar()
        sync = conn.execute(text("PRAGMA synchronous")).scalar()
    store.close()
    assert (mode, sync) == ("wal", 2)  # 2 = FULL


def test_non_database_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    db.write_bytes(b"this is a spreadsheet, not a database" * 100)
    before = digest(db)
    with pytest.raises(StoreCorruptError, match=r"not an SQLite database.*Move it aside"):
        Store.open(db, new_data_key())
    assert digest(db) == before


def test_damaged_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    Store.open(db, new_data_key()).close()
    data = bytearray(db.read_bytes())
    data[4096 : 4096 * 3] = b"\xff" * (4096 * 2)
    db.write_bytes(bytes(data))
    before = digest(db)
    with pytest.raises(StoreCorruptError, match="has not been changed"):
        Store.open(db, new_data_key())
    assert digest(db) == before


def test_database_locked_by_another_program_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "e.db"
    Store.open(db, new_data_key()).close()
    monkeypatch.setattr("emsync_desktop.store.engine.BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(db)
    holder.execute("PRAGMA journal_mode=DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreLockedError, match="in use by another program"):
            Store.open(db, new_data_key())
    finally:
        holder.rollback()
        holder.close()


def test_second_instance_on_same_data_dir_is_refused(tmp_path: Path) -> None:
    first = InstanceLock(tmp_path / "emsync.lock")
    first.acquire()
    try:
        with pytest.raises(StoreLockedError, match="already running"):
            InstanceLock(tmp_path / "emsync.lock").acquire()
    finally:
        first.release()


def test_wrong_data_key_is_detected(tmp_path: Path) -> None:
    Store.open(tmp_path / "e.db", new_data_key()).close()
    with pytest.raises(StoreKeyMismatchError, match="another key"):
        Store.open(tmp_path / "e.db", new_data_key())
