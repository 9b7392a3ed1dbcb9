"""The admin's Audit chain tab: "Audit chain verified up to #N at HH:MM", or the first broken link named."""

from __future__ import annotations

from datetime import UTC, datetime

from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.sync.audit_anchors import keep_anchors
from emsync_desktop.sync.protocol import AuditAnchor, AuditVerification
from emsync_desktop.ui.admin.workspace import AdminWorkspace
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import LIGHT
from tests.ui.conftest import sign_in_as

CHECKED = datetime(2026, 12, 4, 9, 41, tzinfo=UTC)
HELD = AuditAnchor(seq=40, mac="a" * 64, at=CHECKED, sig="b" * 64)


def answer(**changes: object) -> AuditVerification:
    fields: dict[str, object] = {"ok": True, "events": 42, "verified_up_to": 42, "first_broken_id": None,
                                 "reason": "", "anchors_checked": 3, "checked_at": CHECKED}
    return AuditVerification.model_validate(fields | changes)


def workspace(qtbot: QtBot, runner: DbRunner, context: AppContext, verdict: AuditVerification,
              sent: list[list[AuditAnchor]]) -> AdminWorkspace:
    def verify(held: list[AuditAnchor]) -> AuditVerification:
        sent.append(held)
        return verdict

    admin = next(u for u in demo_users(context.store) if u.role is Role.ADMIN)
    view = AdminWorkspace(TaskRelay(runner), context, LIGHT, verify, user=admin)
    qtbot.addWidget(view)
    return view


def test_verified_chain_says_up_to_which_event_and_when(qtbot: QtBot, runner: DbRunner,
                                                        app_context: AppContext) -> None:
    keep_anchors(app_context.store, [HELD])
    sent: list[list[AuditAnchor]] = []
    view = workspace(qtbot, runner, app_context, answer(), sent)
    expected = f"Audit chain verified up to #42 at {CHECKED.astimezone().strftime('%H:%M')}"
    qtbot.waitUntil(lambda: view.audit_status.text().startswith(expected))
    assert sent == [[HELD]] and "1 held by this desk" in view.audit_status.text()


def test_broken_chain_names_the_first_broken_link(qtbot: QtBot, runner: DbRunner, app_context: AppContext) -> None:
    verdict = answer(ok=False, verified_up_to=6, first_broken_id=7,
                     reason="event #7 was changed or forged: its keyed hash does not match it")
    view = workspace(qtbot, runner, app_context, verdict, [])
    qtbot.waitUntil(lambda: view.audit_status.text().startswith("Audit chain broken at #7: event #7 was changed"))
    assert view.verify_button.isEnabled()


def test_admin_without_a_server_is_told_where_the_chain_is_verified(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, Role.ADMIN)
    view = window.workspace
    assert isinstance(view, AdminWorkspace)
    assert "not connected to a sync server" in view.audit_status.text() and not view.verify_button.isEnabled()
