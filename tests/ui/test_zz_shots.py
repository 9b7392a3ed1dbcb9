from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role
from emsync_desktop.domain.ward_tasks import Priority
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.ward_tasks import NewTask, WardTaskService
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.nurse.workspace import NurseWorkspace
from tests.ui.conftest import sign_in_as


def test_shot_tasks(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1366, 768)
    store = window.context.store
    nurse = next(u for u in demo_users(store) if u.role is Role.NURSE)
    service = WardTaskService(store, nurse)
    beds = service.beds()
    service.create(NewTask("Suction and reposition", "ICU", Priority.STAT, None, bed_id=beds[0].id, patient="Mr K"))
    service.create(NewTask("Check IV line", "ICU", Priority.URGENT, timedelta(minutes=30), bed_id=beds[1].id))
    service.create(NewTask("Restock gloves", "WARD", Priority.ROUTINE, timedelta(hours=2)))
    sign_in_as(qtbot, window, Role.NURSE)
    workspace = window.findChild(NurseWorkspace)
    assert workspace is not None
    workspace.tasks.in_charge.setChecked(True)
    workspace.tabs.setCurrentWidget(workspace.tasks)
    qtbot.wait(1500)
    window.grab().save("/tmp/shots/tasks.png")


def test_shot_handover(qtbot: QtBot, window: MainWindow) -> None:
    from datetime import UTC, datetime

    from emsync_desktop.domain.ids import new_id
    from emsync_desktop.services.clock import utc_now
    from emsync_desktop.services.handover import gather_handover
    from emsync_desktop.sync.local import store_changes
    from emsync_desktop.sync.protocol import Change
    from emsync_desktop.ui.nurse.handover_dialog import HandoverDialog, write_handover_pdf

    store = window.context.store
    nurse = next(u for u in demo_users(store) if u.role is Role.NURSE)
    service = WardTaskService(store, nurse)
    beds = service.beds()
    now = utc_now()
    changes = []
    for i, (news2, bed) in enumerate([(6, beds[2]), (1, beds[3])]):
        tid = new_id()
        data = {"id": tid, "hospital_id": nurse.hospital_id, "unit": bed.unit, "bed_id": bed.id, "bed_label": bed.label,
                "patient": "", "title": "Observations", "note": "", "kind": "observations", "priority": "urgent",
                "state": "completed", "due_at": (now - timedelta(hours=2)).isoformat(),
                "created_at": (now - timedelta(hours=3)).isoformat(), "created_by_name": "EMsync",
                "claimed_by": None, "claimed_by_name": "Leela", "reason": "", "source_id": None, "news2": news2,
                "news2_single_three": False, "updated_at": now.isoformat(), "version": 3}
        changes.append(Change(seq=i + 1, entity="ward_task", entity_id=tid, version=3, data=data, at=datetime.now(UTC)))
    store_changes(store, changes, 2)
    service.create(NewTask("Check IV line", "ICU", Priority.URGENT, timedelta(minutes=30), bed_id=beds[1].id))
    handover = gather_handover(store, nurse, now)
    dialog = HandoverDialog((window.workspace and None) or None, handover, window.context.data_dir)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.resize(1000, 700)
    dialog.show()
    qtbot.wait(300)
    dialog.grab().save("/tmp/shots/handover.png")
    print(write_handover_pdf(handover, window.context.data_dir))


def test_shot_roster(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1366, 768)
    sign_in_as(qtbot, window, Role.NURSE)
    workspace = window.findChild(NurseWorkspace)
    assert workspace is not None
    workspace.tabs.setCurrentWidget(workspace.roster)
    qtbot.mouseClick(workspace.roster.build, __import__("PySide6.QtCore").QtCore.Qt.MouseButton.LeftButton)
    qtbot.wait(1500)
    window.grab().save("/tmp/shots/roster-progress.png")
    qtbot.waitUntil(lambda: workspace.roster.build.isEnabled(), timeout=60_000)
    qtbot.wait(500)
    window.grab().save("/tmp/shots/roster.png")
