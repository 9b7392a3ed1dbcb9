"""The admin's Formulary tab: the formulary in force (the defaults say they are not reviewed), its export,
and an imported file: every problem listed, or named and published, with the server's answer shown."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from emsync_desktop.domain.formulary_defaults import DEFAULT_FORMULARY
from emsync_desktop.domain.formulary_parse import formulary_to_data
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.formulary_admin import FormularyAdmin, read_formulary_file
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.store.models import OutboxOp
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.sync.local import store_changes, store_results
from emsync_desktop.sync.protocol import Change, OpResult
from emsync_desktop.ui.admin.formulary_view import FormularyView
from emsync_desktop.ui.admin.workspace import AdminWorkspace
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.tasks import TaskRelay
from tests.services.conftest import NOW
from tests.ui.conftest import sign_in_as

LABEL = "Kochi EMS formulary 2026-11, reviewed by Dr X"
LIMIT_ROWS = sum(len(drug.limits) for drug in DEFAULT_FORMULARY)


def synced(*touched: str) -> SyncStatus:
    return SyncStatus(True, 0, NOW, None, frozenset(touched))


@pytest.fixture
def nudged() -> list[int]:
    return []


@pytest.fixture
def view(qtbot: QtBot, runner: DbRunner, app_context: AppContext, nudged: list[int]) -> FormularyView:
    admin = next(u for u in demo_users(app_context.store) if u.role is Role.ADMIN)
    widget = FormularyView(TaskRelay(runner), FormularyAdmin(app_context.store, admin), lambda: nudged.append(1))
    qtbot.addWidget(widget)
    widget.ask_label = lambda: LABEL  # type: ignore[method-assign]  # the dialog is Qt's; the name is ours
    qtbot.waitUntil(lambda: widget.table.rowCount() == LIMIT_ROWS)
    return widget


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


def queued(app_context: AppContext) -> list[OutboxOp]:
    with app_context.store.sessions.begin() as session:
        return list(session.scalars(select(OutboxOp)).all())


def test_the_defaults_are_shown_with_the_not_reviewed_notice(view: FormularyView) -> None:
    assert view.notice.isVisibleTo(view) and view.notice.text().startswith("Default formulary, not reviewed")
    row = [view.table.item(0, c).text() for c in range(6)]  # type: ignore[union-attr]
    assert row[:5] == ["Adrenaline", "mg", "IM", "0.5 mg", "0.01 mg/kg, max 0.5 mg"]
    assert row[5].startswith("RCUK 2021 anaphylaxis")


def test_a_file_with_problems_lists_every_one_and_publishes_nothing(
        qtbot: QtBot, view: FormularyView, app_context: AppContext, tmp_path: Path) -> None:
    data = copy.deepcopy(formulary_to_data(DEFAULT_FORMULARY))
    data[0]["unit"], data[1]["source"], data[2]["limits"][0]["routes"] = "tablets", "", ["rectal"]
    view.import_file(write(tmp_path / "edited.json", data))
    qtbot.waitUntil(lambda: view.result.text().startswith("Not published: 3 problems in the file."))
    items = [view.problems.item(i).text() for i in range(view.problems.count())]
    assert [item[:21] for item in items] == ["Drug 1 (Adrenaline): ", "Drug 2 (Amiodarone): ", "Drug 3 (Aspirin), lim"]
    assert view.problems.isVisibleTo(view) and queued(app_context) == []


def test_a_file_that_is_not_json_says_so(qtbot: QtBot, view: FormularyView, tmp_path: Path) -> None:
    (tmp_path / "edited.json").write_text("[{")
    view.import_file(tmp_path / "edited.json")
    qtbot.waitUntil(lambda: view.result.text() == "Not published: 1 problem in the file. Fix it and import it again.")
    assert view.problems.item(0).text().startswith("edited.json is not valid JSON")  # type: ignore[union-attr]


def test_a_good_file_is_named_published_and_the_answer_shown(
        qtbot: QtBot, view: FormularyView, app_context: AppContext, tmp_path: Path, nudged: list[int]) -> None:
    view.import_file(write(tmp_path / "edited.json", formulary_to_data(DEFAULT_FORMULARY)))
    qtbot.waitUntil(lambda: view.result.text().startswith("Publishing: waiting for the sync server"))
    [op] = queued(app_context)
    assert (op.kind, json.loads(op.payload)["label"], nudged) == ("formulary.publish", LABEL, [1])
    store_results(app_context.store, [OpResult(op_id=op.op_id, status="applied", version=4)], NOW)
    view.on_synced(synced())
    qtbot.waitUntil(lambda: view.result.text().startswith("Published as version 4: every device uses it"))


def test_a_refusal_from_the_server_lists_its_problems(
        qtbot: QtBot, view: FormularyView, app_context: AppContext, tmp_path: Path) -> None:
    view.import_file(write(tmp_path / "edited.json", formulary_to_data(DEFAULT_FORMULARY)))
    qtbot.waitUntil(lambda: view.result.text().startswith("Publishing:"))
    [op] = queued(app_context)
    reason = "The formulary was not published (1 problem to fix):\n- Drug 1 (Adrenaline): source is missing."
    store_results(app_context.store, [OpResult(op_id=op.op_id, status="rejected", reason=reason)], NOW)
    view.on_synced(synced())
    qtbot.waitUntil(lambda: view.result.text().startswith("Refused by the server: The formulary was not published"))
    assert view.problems.item(0).text() == "Drug 1 (Adrenaline): source is missing."  # type: ignore[union-attr]


def test_cancelling_the_name_publishes_nothing(qtbot: QtBot, view: FormularyView, app_context: AppContext,
                                               tmp_path: Path) -> None:
    view.ask_label = lambda: None  # type: ignore[method-assign]
    view.import_file(write(tmp_path / "edited.json", formulary_to_data(DEFAULT_FORMULARY)))
    qtbot.waitUntil(lambda: view.result.text() == "Not published: no name was given.")
    assert queued(app_context) == []


def test_a_pulled_formulary_replaces_the_notice_with_its_name(qtbot: QtBot, view: FormularyView,
                                                              app_context: AppContext) -> None:
    data = {"id": "f1", "version": 1, "label": LABEL, "drugs": formulary_to_data(DEFAULT_FORMULARY[:2]),
            "published_by": "u1", "published_by_name": "Deepa Varghese", "published_at": NOW.isoformat()}
    store_changes(app_context.store, [Change(seq=1, entity="formulary", entity_id="f1", version=1, data=data)], 1)
    view.on_synced(synced("formulary"))
    qtbot.waitUntil(lambda: view.table.rowCount() == 3)  # adrenaline IM and IV/IO, amiodarone
    assert not view.notice.isVisibleTo(view)
    assert view.source.text().startswith(f"In force: {LABEL} (version 1, published ")
    assert view.source.text().endswith(" · published by Deepa Varghese")


def test_export_writes_the_formulary_in_force(qtbot: QtBot, view: FormularyView, tmp_path: Path) -> None:
    assert view.export_button.isEnabled()
    view.export_to(tmp_path / "out" / "formulary.json")
    qtbot.waitUntil(lambda: view.result.text().startswith("Exported to "))
    assert read_formulary_file(tmp_path / "out" / "formulary.json") == DEFAULT_FORMULARY


def test_the_admin_workspace_has_a_formulary_tab(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, Role.ADMIN)
    workspace = window.workspace
    assert isinstance(workspace, AdminWorkspace)
    qtbot.waitUntil(lambda: workspace.formulary.table.rowCount() == LIMIT_ROWS)


def test_a_route_names_its_indication_and_a_long_source_is_readable_in_full(view: FormularyView) -> None:
    routes, source = view.table.item(1, 2), view.table.item(1, 5)
    assert routes is not None and (routes.text(), routes.toolTip()) == ("IV/IO", "cardiac arrest")
    assert source is not None and source.toolTip() == DEFAULT_FORMULARY[0].source
