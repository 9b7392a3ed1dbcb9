"""The opened local store: engine, session factory, key binding, migrations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from emsync_desktop.security.crypto import DecryptionError, FieldCipher
from emsync_desktop.store.engine import (
    StoreError,
    StoreLockedError,
    check_file_header,
    check_integrity,
    create_sqlite_engine,
)
from emsync_desktop.store.migrate import upgrade_to_head
from emsync_desktop.store.models import Setting
from emsync_desktop.store.types import bind_cipher

DB_FILE = "emsync.db"
_KEY_CHECK = "key_check"
_KEY_CHECK_PLAIN = "emsync data key check v1"
_KEY_CHECK_CONTEXT = b"settings.key_check"


class StoreKeyMismatchError(StoreError):
    pass


@dataclass
class Store:
    """An open database. ``sessions()`` gives a Session; use ``with s.begin():`` per use case."""

    path: Path
    engine: Engine
    sessions: sessionmaker[Session]
    backup_made: str | None = None

    @classmethod
    def open(cls, path: Path, key: bytes) -> Store:
        """Check, migrate and open ``path``. Raises StoreError subclasses with a user message."""
        check_file_header(path)
        engine = create_sqlite_engine(path)
        try:
            check_integrity(engine, path)
            backup = _migrate(engine, path)
            cipher = FieldCipher(key)
            bind_cipher(engine, cipher)
            store = cls(path, engine, sessionmaker(engine, expire_on_commit=False), backup)
            store._check_key(cipher)
        except BaseException:
            engine.dispose()
            raise
        return store

    def close(self) -> None:
        self.engine.dispose()

    def _check_key(self, cipher: FieldCipher) -> None:
        with self.sessions.begin() as session:
            row = session.scalar(select(Setting).where(Setting.key == _KEY_CHECK))
            if row is None:
                blob = cipher.encrypt(_KEY_CHECK_PLAIN, _KEY_CHECK_CONTEXT).hex()
                session.add(Setting(key=_KEY_CHECK, value=blob))
                return
            try:
                cipher.decrypt(bytes.fromhex(row.value), _KEY_CHECK_CONTEXT)
            except (DecryptionError, ValueError) as exc:
                raise StoreKeyMismatchError(
                    f"The data key does not open {self.path}: it was encrypted with another key. "
                    "Restore the keystore.json (or OS keyring entry) that belongs to this database."
                ) from exc


def _migrate(engine: Engine, path: Path) -> str | None:
    try:
        return upgrade_to_head(engine, path)
    except OperationalError as exc:
        if "locked" in str(exc).lower():
            raise StoreLockedError(
                f"The case database {path} is in use by another program; close it and start again."
            ) from exc
        raise
