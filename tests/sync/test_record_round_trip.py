"""The case record through the server and back (issue 19): the crew's device pushes its entries, the
answers land on them, and a pull applies them idempotently, on the crew's device and on a ward's device
that never had the case. Runs on SQLite and PostgreSQL servers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from emsync_desktop.domain.history import AnswerStatus, BodyWeight, ListAnswer, SampleHistory, WeightKind
from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.security.crypto import new_data_key
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.record_views import current_history
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import HistoryEntry, MedicationEntry, ProcedureEntry, TimelineStamp
from emsync_desktop.sync.local import store_changes, store_results, take_pending
from emsync_desktop.sync.protocol import Change, OpResult
from tests.sync_server.conftest import LOURDES, Server, db_url, server, transfer_request

__all__ = ["db_url", "server"]  # the server fixtures, on both databases
NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
_RECORD = ("timeline", "medication", "procedure", "history")
Entry = TimelineStamp | MedicationEntry | ProcedureEntry | HistoryEntry


def _record_a_case(app_context: AppContext, cases: CaseService, paramedic: UserInfo) -> str:
    record = RecordService(app_context.store, paramedic, clock=lambda: NOW)
    case_id = cases.open_case().id
    assert record.stamp_step(case_id, TimelineStep.CALL_RECEIVED, NOW - timedelta(minutes=20)).ok
    assert record.record_medication(case_id, drug="aspirin", dose=300, unit="mg", route="PO").ok
    assert record.record_procedure(case_id, Procedure.DEFIBRILLATION, NOW, {Extra.ENERGY_J: 200}).ok
    assert record.record_history(case_id, SampleHistory(
        allergies=ListAnswer(AnswerStatus.NONE), weight=BodyWeight(82, WeightKind.MEASURED))).ok
    return case_id


def _push(server: Server, app_context: AppContext) -> list[dict[str, Any]]:
    ops = take_pending(app_context.store, app_context.install.device_id, 100)
    response = server.client.post("/sync/push", json={"ops": [op.model_dump(mode="json") for op in ops]},
                                  headers={"Authorization": f"Bearer {server.token('asha')}"})
    results = list(response.json()["results"])
    store_results(app_context.store, [OpResult.model_validate(r) for r in results], NOW)
    return results


def _pull_into(store: Store, server: Server, user: str) -> None:
    """The record's changes of a pull (a bare store holds no hospitals for the beds' changes)."""
    page = server.pull(user)
    store_changes(store, [Change.model_validate(c) for c in page["changes"] if c["entity"] in _RECORD],
                  page["cursor"])


def _entries(store: Store) -> list[Entry]:
    with store.sessions.begin() as session:
        return [row for model in (TimelineStamp, MedicationEntry, ProcedureEntry, HistoryEntry)
                for row in session.scalars(select(model)).all()]


@pytest.fixture
def ward_store(tmp_path: Path) -> Store:
    store = Store.open(tmp_path / "ward.db", new_data_key())
    yield store  # type: ignore[misc]
    store.close()


def test_pushed_entries_are_answered_and_marked_synced(server: Server, app_context: AppContext,
                                                       cases: CaseService, paramedic: UserInfo) -> None:
    _record_a_case(app_context, cases, paramedic)
    results = _push(server, app_context)
    assert [r["status"] for r in results] == ["applied"] * 4
    assert {row.sync_state for row in _entries(app_context.store)} == {"synced"}


def test_the_ward_device_gets_the_record_once_however_often_it_pulls(
        server: Server, app_context: AppContext, cases: CaseService, paramedic: UserInfo, ward_store: Store) -> None:
    case_id = _record_a_case(app_context, cases, paramedic)
    _push(server, app_context)
    server.push("asha", transfer_request(new_id(), LOURDES, encounter_id=case_id))
    _pull_into(ward_store, server, "maria")
    _pull_into(ward_store, server, "maria")
    entries = _entries(ward_store)
    assert [type(e).__name__ for e in entries] == ["TimelineStamp", "MedicationEntry", "ProcedureEntry",
                                                         "HistoryEntry"]
    drug = next(e for e in entries if isinstance(e, MedicationEntry))
    assert (drug.drug, drug.dose_value, drug.route, drug.given_at) == ("Aspirin", 300.0, "PO", NOW)
    assert drug.given_by_name and drug.encounter_id == case_id
    shock = next(e for e in entries if isinstance(e, ProcedureEntry))
    assert shock.extras == '{"energy_j": 200.0}'
    with ward_store.sessions.begin() as session:
        saved = current_history(session, case_id)
    assert saved is not None and saved.history.weight == BodyWeight(82, WeightKind.MEASURED)
    assert saved.history.allergies.status is AnswerStatus.NONE


def test_the_crews_own_entries_coming_back_are_not_doubled(server: Server, app_context: AppContext,
                                                          cases: CaseService, paramedic: UserInfo) -> None:
    _record_a_case(app_context, cases, paramedic)
    _push(server, app_context)
    _pull_into(app_context.store, server, "asha")
    entries = _entries(app_context.store)
    assert len(entries) == 4 and {e.sync_state for e in entries} == {"synced"}
