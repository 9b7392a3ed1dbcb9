"""Turning two-step sign-in on from a signed-in session (optional for paramedics and nurses).

Coordinators and admins are led through enrolment at sign-in (``LoginView``); everyone else may turn it
on here: the session's password (kept in memory for it) is sent again to the server with the access
token, then the same enrolment dialog runs.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from emsync_desktop.services.auth import SignInError
from emsync_desktop.services.second_factor import SecondFactorServer, ask_to_enrol
from emsync_desktop.sync.protocol import MfaChallenge
from emsync_desktop.ui.enrolment_dialog import EnrolmentDialog
from emsync_desktop.ui.tasks import TaskRelay

NOT_CONNECTED = "Two-step sign-in is turned on with the sync server: wait until the status bar says Online."


class TwoStepSetup(QObject):
    """One attempt to turn it on; ``done`` says how it ended, in words for the status bar."""

    done = Signal(str)

    def __init__(self, relay: TaskRelay, server: SecondFactorServer, access_token: Callable[[], str | None],
                 password: Callable[[], str | None], parent: QWidget) -> None:
        super().__init__(parent)
        self._relay, self._server, self._parent = relay, server, parent
        self._access_token, self._password = access_token, password
        self.dialog: EnrolmentDialog | None = None

    def start(self) -> None:
        token, password = self._access_token(), self._password()
        if token is None or password is None:
            self.done.emit(NOT_CONNECTED)
            return
        self._relay.submit_background(ask_to_enrol, self._server, token, password, on_result=self._open,
                                      on_error=self._refused, owner=self)

    def _open(self, challenge: MfaChallenge) -> None:
        dialog = EnrolmentDialog(self._relay, self._server, challenge, required=False, parent=self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.enrolled.connect(lambda _tokens: self.done.emit("Two-step sign-in is on: from now on, sign in with "
                                                               "your password and a code from the app."))
        dialog.rejected.connect(lambda: self.done.emit("Two-step sign-in was not turned on."))
        self.dialog = dialog
        dialog.open()

    def _refused(self, error: BaseException) -> None:
        self.done.emit(str(error) if isinstance(error, SignInError) else f"Two-step sign-in failed: {error}")
