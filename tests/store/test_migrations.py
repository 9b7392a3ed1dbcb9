import shutil
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from emsync_desktop.security.crypto import new_data_key
from emsync_desktop.store.database import Store
from emsync_desktop.store.migrate import current_revision, head_revision
from emsync_desktop.store.models import (
    Base,
    BedEvent,
    Encounter,
    HandoffRecord,
    ImagingStudy,
    OutboxOp,
    TransferRecord,
    TriageRecord,
    VitalsRecord,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_migrations_create_exactly_the_models(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "new.db", new_data_key())
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    store.close()
    assert diff == []


def test_schema_0001_database_opens_with_data_intact(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema_0001.db", db)
    store = Store.open(db, new_data_key())
    with store.sessions.begin() as session:
        encounter = session.scalars(select(Encounter)).one()
        vitals = session.scalars(select(VitalsRecord)).one()
    assert current_revision(store.engine) == head_revision()
    store.close()
    assert (encounter.chief_complaint, encounter.spo2_scale) == ("Breathlessness", 2)
    assert (vitals.spo2_pct, vitals.on_oxygen) == (89, True)


def test_upgrade_from_older_schema_keeps_a_backup(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema_0001.db", db)
    store = Store.open(db, new_data_key())
    store.close()
    if head_revision() != "0001":
        assert store.backup_made == "old.db.bak-0001"
        assert (tmp_path / "old.db.bak-0001").exists()
    else:
        assert store.backup_made is None


def test_schema_0002_database_upgrades_with_queued_op_intact(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema_0002.db", db)
    store = Store.open(db, new_data_key())
    with store.sessions.begin() as session:
        op = session.scalars(select(OutboxOp)).one()
        transfer = session.get(TransferRecord, "t1")
        triage = session.scalars(select(TriageRecord)).all()
    assert current_revision(store.engine) == head_revision()
    store.close()
    assert (op.kind, op.state, transfer.state) == ("transfer.request", "pending", "PENDING")  # type: ignore[union-attr]
    assert triage == [] and store.backup_made == "old.db.bak-0002"


def test_schema_0004_database_opens_with_triage_and_acknowledgement_intact(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema_0004.db", db)
    store = Store.open(db, new_data_key())
    with store.sessions.begin() as session:
        triage = session.scalars(select(TriageRecord)).one()
        handoff = session.scalars(select(HandoffRecord)).one()
    assert current_revision(store.engine) == head_revision()
    store.close()
    assert (triage.severity, triage.suggested_unit) == ("Critical", "ICU")
    assert handoff.acknowledged_by_name == "Maria Joseph" and handoff.acknowledged_at is not None


def test_schema_0006_database_opens_with_bed_history_and_unsent_study_intact(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema_0006.db", db)
    store = Store.open(db, new_data_key())
    with store.sessions.begin() as session:
        event = session.scalars(select(BedEvent)).one()
        study = session.scalars(select(ImagingStudy)).one()
    assert current_revision(store.engine) == head_revision()
    store.close()
    assert (event.seq, event.to_status) == (41, "occupied")
    assert (study.blob_state, study.sync_state, study.size_bytes) == ("to_send", "pending", 1024)
