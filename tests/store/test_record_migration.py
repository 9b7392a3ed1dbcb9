"""Upgrade to 0008 (the case record) from a 0007 database built here, not from a fixture file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import select, text

from emsync_desktop.security.crypto import new_data_key
from emsync_desktop.store.database import Store
from emsync_desktop.store.engine import create_sqlite_engine
from emsync_desktop.store.migrate import alembic_config, current_revision, head_revision
from emsync_desktop.store.models import Encounter, MedicationEntry, OutboxOp, TimelineStamp

_AT = "2026-12-04 07:42:00.000000"


def _database_at_0007(path: Path) -> None:
    engine = create_sqlite_engine(path)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0007")
        conn.execute(text("INSERT INTO users (id, username, display_name, role, is_demo) "
                          "VALUES ('u1', 'asha', 'Asha', 'paramedic', 0)"))
        conn.execute(text(
            "INSERT INTO encounters (id, device_id, created_by, crew, created_at, updated_at, status, age_years, sex, "
            "chief_complaint, history, allergies, medications, spo2_scale) VALUES ('e1', 'd1', 'u1', 'KL-07', "
            f"'{_AT}', '{_AT}', 'open', 58, 'male', 'Chest pain', '', '', '', 1)"))
        conn.execute(text(
            "INSERT INTO outbox (op_id, user_id, kind, entity_id, payload, hlc, created_at, state, attempts) "
            f"VALUES ('o1', 'u1', 'transfer.request', 't1', '{{}}', '', '{_AT}', 'pending', 0)"))
    engine.dispose()


def test_0007_database_upgrades_with_case_and_queued_op_intact_and_empty_record_tables(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _database_at_0007(db)
    store = Store.open(db, new_data_key())
    with store.sessions.begin() as session:
        encounter = session.scalars(select(Encounter)).one()
        op = session.scalars(select(OutboxOp)).one()
        stamps = session.scalars(select(TimelineStamp)).all()
        drugs = session.scalars(select(MedicationEntry)).all()
    assert current_revision(store.engine) == head_revision() and store.backup_made == "old.db.bak-0007"
    store.close()
    assert (encounter.chief_complaint, encounter.age_years, op.state) == ("Chest pain", 58, "pending")
    assert stamps == [] and drugs == []


def test_upgraded_database_takes_a_timeline_stamp(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _database_at_0007(db)
    store = Store.open(db, new_data_key())
    at = datetime(2026, 12, 4, 7, 42, tzinfo=UTC)
    with store.sessions.begin() as session:
        session.add(TimelineStamp(id="s1", encounter_id="e1", step="at_scene", at=at, recorded_by="u1",
                                  recorded_by_name="Asha", recorded_at=at, sync_state="pending"))
    with store.sessions.begin() as session:
        stamp = session.get(TimelineStamp, "s1")
    store.close()
    assert stamp is not None and (stamp.step, stamp.at, stamp.replaces) == ("at_scene", at, None)
