"""Two-step sign-in on the sign-in screen: the code step and the enrolment dialog (stand-in server calls;
a loopback stand-in answers the server status line's health check)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import segno
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.sync.http import SecondFactorRequired
from emsync_desktop.sync.protocol import MfaChallenge, MfaEnrolment, TokenResponse
from emsync_desktop.ui.enrolment_dialog import QR_BORDER_MODULES, EnrolmentDialog
from emsync_desktop.ui.login_view import ENROLMENT_NEEDED, LoginView
from emsync_desktop.ui.sync_bridge import SyncTarget
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import QR_DARK, QR_LIGHT
from tests.services.test_second_factor import PASSWORD, TOKENS, SecondFactorStandIn
from tests.ui.test_sign_in_offline import serve_health

URI = "otpauth://totp/EMsync:meera?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=EMsync"


class Server(SecondFactorStandIn):
    def start_enrolment(self, challenge_token: str) -> MfaEnrolment:
        return MfaEnrolment(secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", otpauth_uri=URI)


@dataclass
class Screen:
    login: LoginView
    server: Server
    sessions: dict[str, TokenResponse] = field(default_factory=dict)
    signed_in: list[UserInfo] = field(default_factory=list)


@pytest.fixture
def health_url(closed_port: int) -> Iterator[str]:
    server = serve_health(closed_port)
    yield f"http://127.0.0.1:{closed_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def screen_asking(step: str, qtbot: QtBot, app_context: AppContext, runner: DbRunner, url: str) -> Screen:
    def login(_username: str, _password: str) -> TokenResponse:
        raise SecondFactorRequired(MfaChallenge(mfa=step, challenge_token="challenge", expires_in_s=300))  # type: ignore[arg-type]

    server, sessions = Server(), {}
    target = SyncTarget(url, lambda _u: None, login=login, second_factor=server,
                        remember_tokens=sessions.__setitem__, tokens_for=sessions.get)
    view = LoginView(TaskRelay(runner), app_context, target)
    qtbot.addWidget(view)
    view.resize(1366, 720)
    view.show()
    screen = Screen(view, server, sessions)
    view.signed_in.connect(screen.signed_in.append)
    qtbot.waitUntil(lambda: view.server_line is not None and view.server_line.reachable is True, timeout=5000)
    return screen


@pytest.fixture
def code_screen(qtbot: QtBot, app_context: AppContext, runner: DbRunner, health_url: str) -> Screen:
    return screen_asking("code", qtbot, app_context, runner, health_url)


@pytest.fixture
def enrol_screen(qtbot: QtBot, app_context: AppContext, runner: DbRunner, health_url: str) -> Screen:
    return screen_asking("enrol", qtbot, app_context, runner, health_url)


def type_password(qtbot: QtBot, login: LoginView) -> None:
    qtbot.keyClicks(login.username, "meera")
    qtbot.keyClicks(login.password, PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)


def type_code(qtbot: QtBot, login: LoginView, code: str) -> None:
    qtbot.waitUntil(lambda: login.steps.currentWidget() is login.code_step and login.code_step.isVisible())
    qtbot.keyClicks(login.code_step.code, code)
    qtbot.keyClick(login.code_step.code, Qt.Key.Key_Return)


def open_dialog(qtbot: QtBot, screen: Screen) -> EnrolmentDialog:
    type_password(qtbot, screen.login)
    qtbot.waitUntil(lambda: screen.login.enrolment_dialog is not None and screen.login.enrolment_dialog.isVisible())
    dialog = screen.login.enrolment_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.turn_on_button.isEnabled())
    return dialog


def test_a_right_password_of_an_account_with_a_code_asks_for_it_then_signs_in(qtbot: QtBot,
                                                                              code_screen: Screen) -> None:
    type_password(qtbot, code_screen.login)
    assert code_screen.signed_in == []
    type_code(qtbot, code_screen.login, "123456")
    qtbot.waitUntil(lambda: code_screen.signed_in != [])
    assert code_screen.signed_in[0].role is Role.COORDINATOR
    assert code_screen.sessions["meera"] == TOKENS  # the engine renews this session instead of a password


def test_a_refused_code_says_why_and_the_code_can_be_typed_again(qtbot: QtBot, code_screen: Screen) -> None:
    login = code_screen.login
    type_password(qtbot, login)
    type_code(qtbot, login, "000000")
    qtbot.waitUntil(lambda: "used already" in login.message.text())
    assert login.steps.currentWidget() is login.code_step and login.code_step.verify_button.isEnabled()
    type_code(qtbot, login, "123456")
    qtbot.waitUntil(lambda: code_screen.signed_in != [])


def test_back_returns_to_the_password_and_drops_the_challenge(qtbot: QtBot, code_screen: Screen) -> None:
    login = code_screen.login
    type_password(qtbot, login)
    qtbot.waitUntil(lambda: login.code_step.isVisible())
    qtbot.mouseClick(login.code_step.back_button, Qt.MouseButton.LeftButton)
    assert login.steps.currentWidget() is login.password_step and login._second_step is None


def test_the_enrolment_dialog_shows_the_servers_key_as_a_qr_code(qtbot: QtBot, enrol_screen: Screen) -> None:
    dialog = open_dialog(qtbot, enrol_screen)
    image = dialog.qr.pixmap().toImage()
    matrix = list(segno.make(URI, error="m").matrix_iter(border=QR_BORDER_MODULES))
    module_px = image.width() // len(matrix)
    drawn = [[image.pixelColor(x * module_px + module_px // 2, y * module_px + module_px // 2) == QColor(QR_DARK)
              for x in range(len(matrix))] for y in range(len(matrix))]
    assert drawn == [[bool(module) for module in row] for row in matrix]
    assert image.pixelColor(1, 1) == QColor(QR_LIGHT)  # the quiet zone
    assert dialog.key.text() == "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"


def test_a_code_from_the_app_turns_it_on_and_shows_the_recovery_codes_once(qtbot: QtBot,
                                                                            enrol_screen: Screen) -> None:
    dialog = open_dialog(qtbot, enrol_screen)
    qtbot.keyClicks(dialog.code, "654321")
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1)
    assert dialog.codes_grid.count() == 10 and dialog.key.text() == ""
    assert not dialog.continue_button.isEnabled() and enrol_screen.signed_in == []
    dialog.saved.setChecked(True)
    qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: enrol_screen.signed_in != [])
    assert enrol_screen.sessions["meera"] == TOKENS


def test_a_wrong_code_leaves_it_off_and_says_so(qtbot: QtBot, enrol_screen: Screen) -> None:
    dialog = open_dialog(qtbot, enrol_screen)
    qtbot.keyClicks(dialog.code, "111111")
    qtbot.mouseClick(dialog.turn_on_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "does not match" in dialog.message.text())
    assert dialog.pages.currentIndex() == 0 and dialog.turn_on_button.isEnabled()


def test_the_recovery_codes_cannot_be_closed_away_unsaved(qtbot: QtBot, enrol_screen: Screen) -> None:
    dialog = open_dialog(qtbot, enrol_screen)
    qtbot.keyClicks(dialog.code, "654321")
    qtbot.keyClick(dialog.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == 1)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()


def test_cancelling_enrolment_leaves_the_coordinator_signed_out_and_says_why(qtbot: QtBot,
                                                                             enrol_screen: Screen) -> None:
    dialog = open_dialog(qtbot, enrol_screen)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: enrol_screen.login.message.text() == ENROLMENT_NEEDED)
    assert enrol_screen.signed_in == [] and enrol_screen.login.steps.currentWidget() is enrol_screen.login.password_step


def test_the_enrolment_dialog_fits_a_1366x768_laptop(qtbot: QtBot, enrol_screen: Screen) -> None:
    dialog = open_dialog(qtbot, enrol_screen)
    hint = dialog.sizeHint()
    assert hint.width() <= 1366 and hint.height() <= 700
