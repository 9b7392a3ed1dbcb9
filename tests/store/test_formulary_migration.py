"""Upgrade to 0010 (the service's formulary) from the schema just before it, built here: queued ops stay,
the formularies table starts empty and the shipped defaults stay in force."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from emsync_desktop.security.crypto import new_data_key
from emsync_desktop.services.formulary_store import DEFAULT_INFO, current_formulary_in
from emsync_desktop.store.database import Store
from emsync_desktop.store.engine import create_sqlite_engine
from emsync_desktop.store.migrate import alembic_config
from emsync_desktop.store.models import FormularyVersion, OutboxOp


def _revision_before_0010() -> str:
    before = ScriptDirectory.from_config(alembic_config()).get_revision("0010").down_revision
    assert isinstance(before, str)
    return before


def _database_before_0010(path: Path) -> None:
    engine = create_sqlite_engine(path)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, _revision_before_0010())
        conn.execute(text("INSERT INTO outbox (op_id, user_id, kind, entity_id, payload, hlc, created_at, state, "
                          "attempts) VALUES ('o1', 'u1', 'record.medication', 'm1', '{}', '', "
                          "'2026-12-05 07:42:00.000000', 'pending', 0)"))
    engine.dispose()


def test_database_before_0010_upgrades_with_its_queue_intact_and_the_defaults_in_force(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    _database_before_0010(db)
    store = Store.open(db, new_data_key())
    with store.sessions.begin() as session:
        op = session.scalars(select(OutboxOp)).one()
        stored = session.scalars(select(FormularyVersion)).all()
        info = current_formulary_in(session)
    store.close()
    assert (op.op_id, op.state) == ("o1", "pending") and stored == [] and info == DEFAULT_INFO
    assert store.backup_made == f"old.db.bak-{_revision_before_0010()}"
