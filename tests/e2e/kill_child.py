"""Child process for test_kill_durability: drive the real window, then wait to be killed.

Prints ``SAVED <case_id>`` once the heart rate typed into a new case is committed,
then keeps the event loop running until the parent sends SIGKILL.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from emsync_desktop.domain.roles import Role
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.ui.app import make_qapp, open_context
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.paramedic.workspace import ParamedicWorkspace
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import LIGHT
from emsync_desktop.ui.widgets.fields import SavingField


def pump_until(app: object, condition: object, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            sys.exit("timed out")
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.005)


def record_entries(app: object, workspace: ParamedicWorkspace) -> None:
    """Stamp the call, give aspirin through the dialog, type an allergy: each committed before returning."""
    from emsync_desktop.domain.history import HistoryItem
    from emsync_desktop.domain.timeline import TimelineStep
    from emsync_desktop.ui.paramedic.drug_dialog import DrugDialog

    pump_until(app, lambda: workspace.record.record is not None)
    answers: list[str] = []
    workspace.record.entry_answered.connect(lambda kind, error, _w: answers.append(kind) if not error else None)
    QTest.mouseClick(workspace.timeline.buttons[TimelineStep.CALL_RECEIVED], Qt.MouseButton.LeftButton)
    pump_until(app, lambda: "stamp" in answers)
    QTest.mouseClick(workspace.give_drug, Qt.MouseButton.LeftButton)
    dialog = next(d for d in workspace.window().findChildren(DrugDialog) if d.isVisible())
    QTest.mouseClick(dialog.drug_buttons["aspirin"], Qt.MouseButton.LeftButton)
    QTest.keyClicks(dialog.dose, "300")
    QTest.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    pump_until(app, lambda: "drug" in answers)
    workspace.show_tab("History")
    items = workspace.history.lists[HistoryItem.ALLERGIES].items
    items.setFocus()
    QTest.keyClicks(items, "penicillin")
    pump_until(app, lambda: "history" in answers)  # saved after the typing pause, no field left


def main(data_dir: Path, heart_rate: str) -> None:
    app = make_qapp()
    context = open_context(data_dir, interactive=False)
    assert context is not None
    runner = DbRunner()
    window = MainWindow(context, TaskRelay(runner), LIGHT)
    window.show()
    window.show_workspace(next(u for u in demo_users(context.store) if u.role is Role.PARAMEDIC))
    workspace = window.workspace
    assert isinstance(workspace, ParamedicWorkspace)
    workspace.model.open_new()
    pump_until(app, lambda: workspace.model.snapshot is not None)
    saved: list[str] = []
    workspace.model.saved.connect(saved.append)
    workspace.tabs.setCurrentIndex(0)
    if heart_rate == "record":
        record_entries(app, workspace)
        print("SAVED", workspace.model.snapshot.id, flush=True)  # type: ignore[union-attr]
        while True:
            app.processEvents()
            time.sleep(0.01)
    field = workspace.vitals.fields["hr_bpm"]
    assert isinstance(field, SavingField)
    field.edit.setFocus()
    QTest.keyClicks(field.edit, heart_rate)
    QTest.keyClick(field.edit, Qt.Key.Key_Return)
    pump_until(app, lambda: "hr_bpm" in saved)
    print("SAVED", workspace.model.snapshot.id, flush=True)  # type: ignore[union-attr]
    while True:
        app.processEvents()
        time.sleep(0.01)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
