"""Sign-in screen: user name and password, and one-tap demo accounts on a demo install.

With a sync server, a line says within seconds whether it answers (``ServerStatusLine``); the
password goes to the server on a background thread, or straight to this device's cached verifier
while the server is known to be unreachable. Demo accounts (no password) only on a demo install
without a real server.

Two-step sign-in: when the server answers a right password with a challenge, the form shows the code
step (``CodeStep``), or, for a coordinator or admin who has not set it up, the enrolment dialog; the
password stays in memory only until that step ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.auth import (
    SignedIn,
    SignInError,
    UnknownOffline,
    ask_server,
    demo_accounts,
    finish_sign_in,
    sign_in,
    sign_in_demo,
)
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.second_factor import send_code
from emsync_desktop.sync.protocol import MfaChallenge, TokenResponse
from emsync_desktop.ui.code_step import CodeStep
from emsync_desktop.ui.enrolment_dialog import EnrolmentDialog
from emsync_desktop.ui.sync_bridge import SyncTarget
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import TOUCH_PX
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.server_status import ServerStatusLine

ROLE_ORDER = {"paramedic": 0, "nurse": 1, "coordinator": 2, "admin": 3}
ENROLMENT_NEEDED = ("Two-step sign-in must be set up before a coordinator or an administrator can sign in. "
                    "Sign in again to set it up.")


@dataclass(frozen=True)
class _SecondStep:
    """A right password waiting for its second step (kept in memory until that step ends)."""

    username: str
    password: str
    challenge: MfaChallenge


class LoginView(QWidget):
    signed_in = Signal(object)  # UserInfo
    server_checked = Signal(bool)  # whether the sync server answered; emitted when that changes

    def __init__(self, relay: TaskRelay, context: AppContext, sync_target: SyncTarget | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay = relay
        self._context = context
        self._sync_target = sync_target
        # A real server (--server) has accounts with passwords: no one-tap demo accounts beside it.
        self._real_server = sync_target is not None and sync_target.login is not None
        self._demo_allowed = context.install.demo and not self._real_server
        self._message_is_offline = False  # the message is about the server not answering: stale once it does
        self._second_step: _SecondStep | None = None
        self.enrolment_dialog: EnrolmentDialog | None = None
        self.server_line = (ServerStatusLine(relay, sync_target.url, starting=sync_target.starting)
                            if sync_target is not None else None)
        title = QLabel("EMsync")
        title.setStyleSheet("font-size: 34px; font-weight: 800;")
        subtitle = QLabel("Emergency coordination — works offline")
        subtitle.setObjectName("muted")
        self.username = QLineEdit()
        self.username.setPlaceholderText("User name")
        self.password = QLineEdit()
        self.password.setPlaceholderText("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        for edit in (self.username, self.password):
            edit.setMinimumHeight(TOUCH_PX)
        self.sign_in_button = touch_button("Sign in", primary=True)
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        form = QFrame()
        form.setObjectName("card")
        form.setMinimumWidth(380)
        self.password_step = QWidget()
        password_layout = QVBoxLayout(self.password_step)
        password_layout.setContentsMargins(0, 0, 0, 0)
        for field in (self.username, self.password, self.sign_in_button):
            password_layout.addWidget(field)
        self.code_step = CodeStep()
        self.steps = QStackedWidget()
        for step in (self.steps, self.password_step, self.code_step):
            step.setObjectName("cardPage")  # the card's own background shows through
        self.steps.addWidget(self.password_step)
        self.steps.addWidget(self.code_step)
        form_layout = QVBoxLayout(form)
        for widget in (title, subtitle, self.server_line, self.steps, self.message):
            if widget is not None:
                form_layout.addWidget(widget)
        form_layout.addStretch(1)
        self.demo_box = QFrame()
        self.demo_box.setObjectName("card")
        self.demo_layout = QVBoxLayout(self.demo_box)
        heading = QLabel("Demo accounts")
        heading.setObjectName("subheading")
        note = QLabel("Demo install with made-up patients and the Kochi hospital network. Pick a role:")
        note.setObjectName("muted")
        note.setWordWrap(True)
        self.demo_layout.addWidget(heading)
        self.demo_layout.addWidget(note)
        self.demo_buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(form)
        row.addWidget(self.demo_box)
        row.addStretch(1)
        outer = QGridLayout(self)
        outer.addLayout(row, 1, 0)
        outer.setRowStretch(0, 1)
        outer.setRowStretch(2, 2)
        self.demo_box.setVisible(self._demo_allowed)  # only once parented: never a stray top-level window
        self.sign_in_button.clicked.connect(self._sign_in)
        self.password.returnPressed.connect(self._sign_in)
        self.username.returnPressed.connect(self.password.setFocus)
        self.code_step.submitted.connect(self._send_code)
        self.code_step.back.connect(self._back_to_password)
        if self.server_line is not None:
            self.server_line.changed.connect(self._on_server_changed)
            self.server_line.changed.connect(self.server_checked)
        if self._demo_allowed:
            relay.submit(demo_accounts, context.store, on_result=self._on_demo_users, owner=self)

    def _on_demo_users(self, accounts: list[tuple[UserInfo, str]]) -> None:
        for user, works_at in sorted(accounts, key=lambda a: ROLE_ORDER.get(a[0].role.value, 9)):
            where = f" · {works_at}" if works_at else ""
            button = QPushButton(f"{user.role.label}  —  {user.display_name}{where}")
            button.setMinimumHeight(TOUCH_PX + 8)
            button.setAutoDefault(True)  # Return signs in as this user when the button has focus
            button.setStyleSheet("text-align: left; padding-left: 16px;")
            button.clicked.connect(lambda _c=False, u=user: self.sign_in_demo(u))
            self.demo_layout.addWidget(button)
            self.demo_buttons[user.role.value] = button
        self.demo_layout.addStretch(1)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.server_line is not None:
            self.server_line.start()
        if self.steps.currentWidget() is self.password_step:  # typing starts with the user name
            QTimer.singleShot(0, self, self.username.setFocus)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if self.server_line is not None:
            self.server_line.stop()

    def _on_server_changed(self, reachable: bool) -> None:
        if reachable and self._message_is_offline:
            self._set_message("")

    def show_notice(self, text: str) -> None:
        """A word for whoever signs in next (e.g. the last person's changes still waiting on this PC)."""
        self._set_message(text)

    def _set_message(self, text: str, *, offline: bool = False) -> None:
        self.message.setText(text)
        self._message_is_offline = offline

    def sign_in_demo(self, user: UserInfo) -> None:
        demo = self._context.install.demo
        self._relay.submit(partial(sign_in_demo, demo_install=demo, real_server=self._real_server),
                           self._context.store, user.id, on_result=self._on_signed_in, on_error=self._on_error,
                           owner=self)

    def _sign_in(self) -> None:
        username, password = self.username.text(), self.password.text()
        if not username.strip() or not password:
            self._set_message("Type your user name and password.")
            return
        self.password.clear()
        target = self._sync_target
        if target is None or target.login is None:
            self._relay.submit(sign_in, self._context.store, username, password, on_result=self._on_signed_in,
                               on_error=self._on_error, owner=self)
            return

        def answered(answer: TokenResponse | MfaChallenge | None) -> None:
            if isinstance(answer, MfaChallenge):
                self._begin_second_step(_SecondStep(username, password, answer))
            else:
                self._finish(username, password, answer)

        assert self.server_line is not None
        if self.server_line.reachable is False:  # known not to answer: no need to wait for it again
            self.server_line.check()
            self._finish(username, password, None)
            return
        self._set_message("Signing in…")
        self._relay.submit_background(ask_server, target.login, username, password, on_result=answered,
                                      on_error=self._on_error, owner=self)

    def _finish(self, username: str, password: str, tokens: TokenResponse | None) -> None:
        """With the server's tokens (or None: it did not answer), sign in on this device."""
        target = self._sync_target
        assert target is not None

        def on_signed_in(result: SignedIn) -> None:
            target.remember_password(result.user.username, password)  # the engine signs in with it when online
            if tokens is not None:
                target.remember_tokens(result.user.username, tokens)  # and renews this session's access
            self._on_signed_in(result.user)

        self._relay.submit(finish_sign_in, self._context.store, tokens, username, password,
                           on_result=on_signed_in, on_error=self._on_error, owner=self)

    def _begin_second_step(self, step: _SecondStep) -> None:
        self._second_step = step
        self._set_message("")
        if step.challenge.mfa == "code":
            self.steps.setCurrentWidget(self.code_step)
            self.code_step.start()
            return
        target = self._sync_target
        assert target is not None and target.second_factor is not None
        dialog = EnrolmentDialog(self._relay, target.second_factor, step.challenge, required=True, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.enrolled.connect(lambda tokens: self._finish(step.username, step.password, tokens))
        dialog.rejected.connect(self._enrolment_cancelled)
        self.enrolment_dialog = dialog
        dialog.open()

    def _enrolment_cancelled(self) -> None:
        self._back_to_password()
        self._set_message(ENROLMENT_NEEDED)

    def _send_code(self, code: str) -> None:
        step, target = self._second_step, self._sync_target
        if step is None or target is None or target.second_factor is None:
            return
        self.code_step.set_busy(True)
        self._set_message("Checking the code…")

        def refused(error: BaseException) -> None:
            self.code_step.set_busy(False)
            self._on_error(error)

        self._relay.submit_background(send_code, target.second_factor, step.challenge, code,
                                      on_result=lambda tokens: self._finish(step.username, step.password, tokens),
                                      on_error=refused, owner=self)

    def _back_to_password(self) -> None:
        """Drop the second step (and the password kept for it); the form asks for a password again."""
        self._second_step = None
        self.enrolment_dialog = None
        self.code_step.code.clear()
        self.steps.setCurrentWidget(self.password_step)
        self._set_message("")
        self.password.setFocus()

    def _on_signed_in(self, user: UserInfo) -> None:
        self._back_to_password()  # nothing of this attempt is left for the next sign-in
        self.signed_in.emit(user)

    def _on_error(self, error: BaseException) -> None:
        text = str(error) if isinstance(error, SignInError) else f"Sign-in failed: {error}"
        self._set_message(text, offline=isinstance(error, UnknownOffline))
