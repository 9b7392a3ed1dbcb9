"""``emsync-server migrate | backup | restore``: what an operator runs beside the server.

A backup is a directory holding the database (SQLite: a consistent copy made with SQLite's online
backup API while the server runs; PostgreSQL: a ``pg_dump --format=custom`` file) and the data
directory's own files the database cannot be used without: the token secret, the audit key, the signed
audit anchors and the radiograph blobs. Restore puts them back into an EMPTY data directory and an
EMPTY database, and never over live data: a restore that would overwrite refuses and says so.
Errors are ``MaintenanceError`` with a sentence for the operator.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.exc import OperationalError

from sync_server.config import AUDIT_ANCHOR_FILE, AUDIT_KEY_FILE, SECRET_FILE
from sync_server.db import make_engine

SQLITE_COPY = "server.db"
PG_DUMP = "server.pgdump"
MANIFEST = "backup.json"
KEY_FILES = (SECRET_FILE, AUDIT_KEY_FILE, AUDIT_ANCHOR_FILE)
BLOBS = "blobs"


class MaintenanceError(RuntimeError):
    pass


def migrate(db_url: str) -> str:
    """Bring the database to the newest schema; returns the revision it is at."""
    from sync_server.app import migrate as upgrade

    if db_url.startswith("sqlite"):
        _sqlite_path(db_url).parent.mkdir(parents=True, exist_ok=True)  # as the server does on its first start
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())
    except OperationalError as exc:
        raise MaintenanceError(f"Cannot reach the database ({exc.orig}): check --db and that it is running.") from exc
    finally:
        engine.dispose()


def backup(db_url: str, data_dir: Path, target: Path) -> Path:
    """Write a backup of the running (or stopped) server into the new directory ``target``."""
    if target.exists() and any(target.iterdir()):
        raise MaintenanceError(f"{target} is not empty: back up into a new directory.")
    target.mkdir(parents=True, exist_ok=True)
    if db_url.startswith("sqlite"):
        _sqlite_online_copy(_sqlite_path(db_url), target / SQLITE_COPY)
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target / PG_DUMP}", _libpq_url(db_url)],
             "pg_dump")
    copied = _copy_files(data_dir, target)
    (target / MANIFEST).write_text(json.dumps({
        "made_at": datetime.now(UTC).isoformat(), "database": "sqlite" if db_url.startswith("sqlite") else
        "postgresql", "files": copied}, indent=2))
    return target


def restore(source: Path, db_url: str, data_dir: Path) -> None:
    """Put the backup in ``source`` into an empty ``data_dir`` and an empty database."""
    manifest = _read_manifest(source)
    if any((data_dir / name).exists() for name in (*KEY_FILES, BLOBS)):
        raise MaintenanceError(f"{data_dir} already holds a server's keys or files: restore into an empty "
                               "data directory (move the old one aside first).")
    if manifest["database"] == "sqlite":
        if not db_url.startswith("sqlite"):
            raise MaintenanceError("This backup is of a SQLite server: restore it with a SQLite --db.")
        path = _sqlite_path(db_url)
        if path.exists():
            raise MaintenanceError(f"{path} exists: restore into a new database file.")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / SQLITE_COPY, path)
    else:
        _require_empty_postgres(db_url)
        _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq_url(db_url)}",
              str(source / PG_DUMP)], "pg_restore")
    data_dir.mkdir(parents=True, exist_ok=True)
    files = manifest.get("files", [])
    for name in files if isinstance(files, list) else []:
        origin = source / str(name)
        if origin.is_dir():
            shutil.copytree(origin, data_dir / str(name))
        else:
            shutil.copy2(origin, data_dir / str(name))


def _sqlite_online_copy(live: Path, copy: Path) -> None:
    """SQLite's backup API: a consistent copy while the server writes (WAL included)."""
    if not live.exists():
        raise MaintenanceError(f"No database at {live}: check --db and --data-dir.")
    source = sqlite3.connect(f"file:{live}?mode=ro", uri=True)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _copy_files(data_dir: Path, target: Path) -> list[str]:
    copied = []
    for name in KEY_FILES:
        if (data_dir / name).is_file():
            shutil.copy2(data_dir / name, target / name)
            copied.append(name)
    if (data_dir / BLOBS).is_dir():  # content-addressed and never changed: a plain copy is consistent
        shutil.copytree(data_dir / BLOBS, target / BLOBS)
        copied.append(BLOBS)
    return copied


def _read_manifest(source: Path) -> dict[str, object]:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise MaintenanceError(f"{source} is not an EMsync server backup ({MANIFEST} unreadable: {exc}).") from exc
    if not isinstance(manifest, dict) or manifest.get("database") not in ("sqlite", "postgresql"):
        raise MaintenanceError(f"{source / MANIFEST} does not say which database it holds.")
    return manifest


def _require_empty_postgres(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise MaintenanceError(f"The database already has {len(tables)} tables: restore into an empty database "
                               "(createdb a new one, or drop this one first).")


def _sqlite_path(db_url: str) -> Path:
    return Path(db_url.removeprefix("sqlite:///"))


def _libpq_url(db_url: str) -> str:
    """SQLAlchemy's 'postgresql+psycopg://' as libpq tools read it."""
    scheme, _, rest = db_url.partition("://")
    return f"postgresql://{rest}" if scheme.startswith("postgres") else db_url


def _run(command: list[str], tool: str) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise MaintenanceError(f"{tool} is not installed: install the PostgreSQL client tools.") from exc
    if done.returncode != 0:
        raise MaintenanceError(f"{tool} failed: {done.stderr.strip() or done.returncode}")
