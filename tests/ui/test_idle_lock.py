"""Shared workstations lock after idle time; unlocking loses nothing; another user can switch."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role
from emsync_desktop.security.passwords import hash_password
from emsync_desktop.store.models import User
from emsync_desktop.ui.main_window import MainWindow
from tests.ui.conftest import sign_in_as
from tests.ui.test_case_entry import open_new_case, stored, vital_field


def _go_idle(window: MainWindow) -> None:
    assert window.idle is not None
    window.idle._clock = lambda: 1e12  # far beyond the idle time, without waiting for it
    window.idle.check()


def _give_password(window: MainWindow, role: Role, password: str) -> None:
    assert window.user is not None and window.user.role is role
    with window.context.store.sessions.begin() as session:
        row = session.get(User, window.user.id)
        assert row is not None
        row.password_hash = hash_password(password)


def test_idle_ward_pc_locks_and_only_the_right_password_unlocks(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, Role.NURSE)
    _give_password(window, Role.NURSE, "right horse")
    _go_idle(window)
    lock = window.lock_screen
    assert lock is not None and lock.isVisible() and lock.objectName() == "lockFull"
    assert window.workspace is not None and not window.workspace.isEnabled()
    qtbot.keyClicks(lock.password, "wrong")
    qtbot.keyClick(lock.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Wrong password" in lock.message.text())
    qtbot.keyClicks(lock.password, "right horse")
    qtbot.keyClick(lock.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.lock_screen is None)
    assert window.workspace.isEnabled()


def test_paramedic_case_stays_visible_and_typing_survives_the_lock(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    hr = vital_field(workspace, "hr_bpm")
    hr.edit.setFocus()
    qtbot.keyClicks(hr.edit, "118")  # typed, not yet moved on from
    _go_idle(window)
    assert window.lock_screen is not None and window.lock_screen.objectName() == "lockDim"
    case_id = workspace.model.snapshot.id  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: [v.vitals.hr_bpm for v in stored(window).load(case_id).vitals] == [118])
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # locked: opens no case
    qtbot.wait(100)
    assert workspace.model.snapshot is not None and workspace.model.snapshot.id == case_id
    qtbot.mouseClick(window.lock_screen.unlock_button, Qt.MouseButton.LeftButton)  # demo account: no password
    qtbot.waitUntil(lambda: window.lock_screen is None)
    assert hr.edit.text() == "118" and workspace.isEnabled()


def test_another_nurse_switches_user_from_the_lock_screen(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, Role.NURSE)
    _go_idle(window)
    assert window.lock_screen is not None
    qtbot.mouseClick(window.lock_screen.switch_button, Qt.MouseButton.LeftButton)
    assert window.user is None and window.stack.currentWidget() is window.login and window.lock_screen is None


def test_a_key_press_in_the_window_counts_as_use(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    assert window.idle is not None
    now = [0.0]
    window.idle._clock = lambda: now[0]
    window.idle.reset()
    now[0] = 10 * 60.0  # ten minutes later...
    vital_field(workspace, "hr_bpm").edit.setFocus()
    QTest.keyClick(window.windowHandle(), Qt.Key.Key_9)  # ...a key pressed just now, as the platform sends it
    window.idle.check()
    assert window.lock_screen is None
    now[0] += 6 * 60.0
    window.idle.check()
    assert window.lock_screen is not None


def test_idle_watcher_follows_the_window_qt_recreated(qtbot: QtBot) -> None:
    """In a real X window, the first QtWebEngine view makes Qt replace the top-level's QWindow; input on the new
    one must still count, and stopping must not touch the old one (it is deleted)."""
    from PySide6.QtGui import QWindow
    from PySide6.QtWidgets import QWidget

    from emsync_desktop.ui.idle_lock import IdleWatcher

    top = QWidget()
    qtbot.addWidget(top)
    top.show()
    old = QWindow()
    now = [0.0]
    watcher = IdleWatcher(5, old, clock=lambda: now[0], parent=top)
    old.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(old))
    watcher.check()
    now[0] = 600.0
    QTest.keyClick(top.windowHandle(), Qt.Key.Key_A)
    watcher.check()
    assert watcher._last_input == 600.0
    watcher.stop()


def test_a_message_thread_window_hides_under_the_lock_and_comes_back(qtbot: QtBot, window: MainWindow) -> None:
    from emsync_desktop.ui.nurse.workspace import NurseWorkspace
    from tests.ui.conftest import send_case_as_paramedic

    transfer_id = send_case_as_paramedic(window, "Chest pain", "Lourdes", "ICU")
    sign_in_as(qtbot, window, Role.NURSE)
    _give_password(window, Role.NURSE, "right horse")
    workspace = window.workspace
    assert isinstance(workspace, NurseWorkspace)
    workspace.messages.open_thread(transfer_id)
    thread = workspace.messages.windows[transfer_id]
    assert thread.isVisible()
    _go_idle(window)
    assert not thread.isVisible()  # the patient's thread is not left over the locked screen
    assert window.lock_screen is not None
    qtbot.keyClicks(window.lock_screen.password, "right horse")
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.lock_screen is None)
    assert thread.isVisible()


def test_typing_in_a_message_thread_counts_as_use(qtbot: QtBot, window: MainWindow) -> None:
    from emsync_desktop.ui.nurse.workspace import NurseWorkspace
    from tests.ui.conftest import send_case_as_paramedic

    transfer_id = send_case_as_paramedic(window, "Chest pain", "Lourdes", "ICU")
    sign_in_as(qtbot, window, Role.NURSE)
    workspace = window.workspace
    assert isinstance(workspace, NurseWorkspace) and window.idle is not None
    workspace.messages.open_thread(transfer_id)
    thread = workspace.messages.windows[transfer_id]
    now = [0.0]
    window.idle._clock = lambda: now[0]
    window.idle.reset()
    window.idle.check()  # finds the thread's window
    now[0] = 10 * 60.0
    thread.view.entry.setFocus()
    QTest.keyClick(thread.windowHandle(), Qt.Key.Key_A)  # typing in the thread, as the platform sends it
    window.idle.check()
    assert window.lock_screen is None


def test_a_modal_dialog_open_at_the_lock_is_kept_not_cancelled(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtWidgets import QDialog

    sign_in_as(qtbot, window, Role.NURSE)
    assert window.workspace is not None
    reason = QDialog(window.workspace)  # as a reject reason being typed
    reason.setModal(True)
    reason.open()
    _go_idle(window)
    assert reason.isVisible() and reason.result() == 0 and not reason.isEnabled()
    reason.close()
