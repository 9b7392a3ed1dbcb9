"""The formulary in force on a device: the shipped defaults, marked not reviewed, until the pull brings
one the admin published; then the newest version, whatever order versions arrive in (issue 19)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from emsync_desktop.domain.formulary_defaults import DEFAULT_FORMULARY
from emsync_desktop.domain.formulary_parse import formulary_to_data
from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.formulary_store import DEFAULT_INFO, FormularyInfo, current_formulary_in
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import FormularyVersion
from emsync_desktop.sync.local import store_changes
from emsync_desktop.sync.protocol import Change
from tests.services.conftest import NOW

LABEL = "Kochi EMS formulary 2026-11, reviewed by Dr X"
PUBLISHED_AT = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def drugs_data(aspirin_max_mg: float = 300.0) -> list[dict[str, Any]]:
    data = copy.deepcopy(formulary_to_data(DEFAULT_FORMULARY))
    next(d for d in data if d["key"] == "aspirin")["limits"][0]["adult_max_single"] = aspirin_max_mg
    return data


def published(version: int, aspirin_max_mg: float = 300.0, formulary_id: str | None = None) -> Change:
    fid = formulary_id or new_id()
    return Change(seq=version, entity="formulary", entity_id=fid, version=version, data={
        "id": fid, "version": version, "label": LABEL, "drugs": drugs_data(aspirin_max_mg), "published_by": new_id(),
        "published_by_name": "Deepa Varghese", "published_at": PUBLISHED_AT.isoformat()})


def in_force(store: Store) -> FormularyInfo:
    with store.sessions.begin() as session:
        return current_formulary_in(session)


def aspirin_max(store: Store) -> float | None:
    aspirin = next(d for d in in_force(store).drugs if d.key == "aspirin")
    return aspirin.limits[0].adult_max_single


def test_a_device_with_no_published_formulary_uses_the_defaults_marked_not_reviewed(app_context: AppContext) -> None:
    assert in_force(app_context.store) == DEFAULT_INFO and not DEFAULT_INFO.reviewed


def test_a_pulled_formulary_is_in_force_reviewed_with_its_name_version_and_date(app_context: AppContext) -> None:
    store_changes(app_context.store, [published(1, aspirin_max_mg=150.0)], 1)
    info = in_force(app_context.store)
    assert info.reviewed and info.source == f"{LABEL} (version 1, published 05 Dec 2026)"
    assert aspirin_max(app_context.store) == 150.0


def test_the_newest_version_wins_whatever_order_they_arrive_in(app_context: AppContext) -> None:
    store_changes(app_context.store, [published(2, aspirin_max_mg=150.0)], 2)
    store_changes(app_context.store, [published(1, aspirin_max_mg=200.0)], 3)
    assert aspirin_max(app_context.store) == 150.0 and "(version 2," in in_force(app_context.store).source


def test_a_formulary_applied_twice_is_stored_once(app_context: AppContext) -> None:
    change = published(1)
    store_changes(app_context.store, [change, change], 1)
    store_changes(app_context.store, [change], 1)
    with app_context.store.sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(FormularyVersion)) == 1


def test_a_formulary_this_app_cannot_read_leaves_the_defaults_in_force_and_says_so(app_context: AppContext) -> None:
    change = published(1)
    change.data["drugs"][0]["unit"] = "units"  # a unit a newer server may know and this app does not
    store_changes(app_context.store, [change], 1)
    info = in_force(app_context.store)
    assert info.drugs == DEFAULT_FORMULARY and not info.reviewed
    assert info.source.startswith(f"{LABEL} (version 1) cannot be read by this version of the app: update it.")


def test_the_dose_check_uses_the_published_limit(app_context: AppContext, cases: CaseService,
                                                 paramedic: UserInfo) -> None:
    record = RecordService(app_context.store, paramedic, clock=lambda: NOW)
    case_id = cases.open_case().id
    cases.set_detail(case_id, "age_years", "58")
    record.stamp_step(case_id, TimelineStep.CALL_RECEIVED, NOW.replace(hour=9))
    assert record.record_medication(case_id, drug="aspirin", dose=300, unit="mg", route="PO").warnings == ()
    store_changes(app_context.store, [published(1, aspirin_max_mg=150.0)], 1)
    [warning] = record.record_medication(case_id, drug="aspirin", dose=300, unit="mg", route="PO").warnings
    assert "150 mg" in warning and record.formulary().reviewed
