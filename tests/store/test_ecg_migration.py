"""Upgrade to 0011 (an ECG's attached file) from a 0010 database built here: a 12-lead ECG recorded before,
with only its file's name, stays as it was and has nothing to send."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import select, text

from emsync_desktop.security.crypto import new_data_key
from emsync_desktop.store.database import Store
from emsync_desktop.store.engine import create_sqlite_engine
from emsync_desktop.store.migrate import alembic_config, current_revision, head_revision
from emsync_desktop.store.models import ProcedureEntry
from emsync_desktop.sync.blobs import files_to_send

_AT = "2026-12-05 07:48:00.000000"


def _database_at_0010(path: Path) -> None:
    engine = create_sqlite_engine(path)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0010")
        conn.execute(text(
            "INSERT INTO procedure_entries (id, encounter_id, procedure, done_at, done_by, done_by_name, recorded_at, "
            f"extras, sync_state) VALUES ('p1', 'e1', 'ecg_12_lead', '{_AT}', 'u1', 'Asha', '{_AT}', "
            "'{\"ecg_file\": \"ecg-0748.pdf\"}', 'synced')"))
    engine.dispose()


def test_an_ecg_recorded_before_keeps_its_name_and_has_no_file_to_send(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _database_at_0010(db)
    store = Store.open(db, new_data_key())
    with store.sessions.begin() as session:
        entry = session.scalars(select(ProcedureEntry)).one()
    waiting = files_to_send(store)
    assert current_revision(store.engine) == head_revision() and store.backup_made == "old.db.bak-0010"
    store.close()
    assert (entry.extras, entry.ecg_sha256, entry.blob_state) == ('{"ecg_file": "ecg-0748.pdf"}', None, None)
    assert waiting == []
