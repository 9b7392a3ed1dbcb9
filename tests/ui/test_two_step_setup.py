"""A paramedic or nurse turns two-step sign-in on from a signed-in session (stand-in server calls)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.sync.http import RequestRefused
from emsync_desktop.sync.protocol import MfaChallenge
from emsync_desktop.ui.enrolment_dialog import OPTIONAL_TEXT
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.sync_bridge import SyncTarget, describe
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import LIGHT
from emsync_desktop.ui.two_step_setup import NOT_CONNECTED, TwoStepSetup
from tests.ui.test_two_step_sign_in import Server

NURSE = UserInfo(id="0190f0e0-0000-7000-8000-0000000000dd", username="devi", display_name="Devi Nair",
                 role=Role.NURSE, hospital_id=demo_id("hospital", "Lourdes"))


class AlreadyOn(Server):
    def set_up_second_factor(self, token: str, password: str) -> MfaChallenge:
        raise RequestRefused("HTTP 409: Two-step sign-in is on already. For a new phone, ask an administrator "
                             "to reset it.")


def setup_with(qtbot: QtBot, runner: DbRunner, server: Server, token: str | None) -> tuple[TwoStepSetup, list[str]]:
    parent = QWidget()
    qtbot.addWidget(parent)
    setup = TwoStepSetup(TaskRelay(runner), server, lambda: token, lambda: "her password", parent)
    said: list[str] = []
    setup.done.connect(said.append)
    setup.start()
    return setup, said


def test_the_enrolment_dialog_opens_for_a_signed_in_nurse_and_turns_it_on(qtbot: QtBot, runner: DbRunner) -> None:
    setup, said = setup_with(qtbot, runner, Server(), "access")
    qtbot.waitUntil(lambda: setup.dialog is not None and setup.dialog.turn_on_button.isEnabled())
    dialog = setup.dialog
    assert dialog is not None and any(label.text() == OPTIONAL_TEXT for label in dialog.findChildren(QLabel))
    qtbot.keyClicks(dialog.code, "654321")
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1)
    dialog.saved.setChecked(True)
    qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: said != [])
    assert "Two-step sign-in is on" in said[0]


def test_without_a_server_session_it_says_to_wait_for_online(qtbot: QtBot, runner: DbRunner) -> None:
    _setup, said = setup_with(qtbot, runner, Server(), None)
    assert said == [NOT_CONNECTED]


def test_an_account_that_has_it_already_is_told_so_in_plain_words(qtbot: QtBot, runner: DbRunner) -> None:
    _setup, said = setup_with(qtbot, runner, AlreadyOn(), "access")
    qtbot.waitUntil(lambda: said != [])
    assert said[0].startswith("Two-step sign-in is on already")


def test_the_toolbar_offers_it_to_a_nurse_with_a_real_server_until_sign_out(qtbot: QtBot, app_context: AppContext,
                                                                             runner: DbRunner) -> None:
    target = SyncTarget("http://127.0.0.1:9", lambda _u: None, login=lambda _u, _p: None,  # type: ignore[arg-type,return-value]
                        second_factor=Server())
    window = MainWindow(app_context, TaskRelay(runner), LIGHT, target)
    qtbot.addWidget(window)
    window.show()
    window.show_workspace(NURSE)
    assert window.two_step_action.isVisible()
    window.sign_out()
    assert not window.two_step_action.isVisible()
    window.close()


def test_the_status_bar_says_to_sign_in_again_when_a_code_is_needed() -> None:
    text, good = describe(SyncStatus(False, 3, None, "two-step", sign_in_needed=True))
    assert not good and text.startswith("● Not syncing: sign out and sign in again with a code") and "3 changes" in text
