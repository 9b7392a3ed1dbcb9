from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import LIGHT, apply_theme


@pytest.fixture
def runner() -> Iterator[DbRunner]:
    runner = DbRunner()
    yield runner
    runner.shutdown()


@pytest.fixture
def window(no_leaked_threads: None, qtbot: QtBot, app_context: AppContext, runner: DbRunner) -> MainWindow:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, LIGHT)
    win = MainWindow(app_context, TaskRelay(runner), LIGHT)
    qtbot.addWidget(win)
    win.resize(1440, 900)
    win.show()
    return win


def sign_in_as(qtbot: QtBot, window: MainWindow, role: Role) -> None:
    user = next(u for u in demo_users(window.context.store) if u.role is role)
    qtbot.waitUntil(lambda: role.value in window.login.demo_buttons)
    qtbot.mouseClick(window.login.demo_buttons[role.value], _left())
    qtbot.waitUntil(lambda: window.user == user)


def _left():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


@pytest.fixture(autouse=True)
def collect_on_gui_thread(qapp: QApplication) -> Iterator[None]:
    """As in the app (ui/gc_guard.py): no garbage collection in worker threads."""
    from emsync_desktop.ui.gc_guard import GuiThreadCollector

    collector = GuiThreadCollector()
    yield
    collector.stop()
    import gc

    gc.collect()


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """A UI test must stop every thread it started (the DB runner included)."""
    import threading

    before = set(threading.enumerate())
    yield
    leaked = [t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon]
    assert leaked == [], f"threads left running: {[t.name for t in leaked]}"


def send_case_as_paramedic(window: MainWindow, complaint: str, hospital: str, unit: str) -> str:
    """A case sent by the demo paramedic on this device (transfer, hold, SBAR queued); its transfer id."""
    store = window.context.store
    paramedic = next(u for u in demo_users(store) if u.role is Role.PARAMEDIC)
    cases = CaseService(store, paramedic, window.context.install.device_id)
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", complaint)
    return TransferService(store, paramedic).send_to_hospital(case.id, demo_id("hospital", hospital), unit).id
