"""Setting up two-step sign-in: scan a QR code, type a code from the app, keep the recovery codes.

The key and the recovery codes come from the server once and live only in this dialog's widgets; they
are never written to disk or to a log. Network calls run on background threads (``TaskRelay``).
"""

from __future__ import annotations

import io

import segno
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.services.auth import SignInError
from emsync_desktop.services.second_factor import (
    SecondFactorServer,
    confirm_enrolment,
    grouped_key,
    start_enrolment,
)
from emsync_desktop.sync.protocol import MfaChallenge, MfaEnrolled, MfaEnrolment
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import QR_DARK, QR_LIGHT, TOUCH_PX
from emsync_desktop.ui.widgets.buttons import touch_button

QR_BORDER_MODULES = 4  # the quiet zone scanners need around the code
QR_TARGET_PX = 232

REQUIRED_TEXT = ("Coordinators and administrators sign in with their password and a code from an authenticator "
                 "app on their phone. Set it up once, now; it takes a minute.")
OPTIONAL_TEXT = "From now on, sign in with your password and a code from an authenticator app on your phone."


def qr_pixmap(uri: str, target_px: int = QR_TARGET_PX) -> QPixmap:
    """``uri`` as a QR code (segno), whole pixels per module, dark on light as scanners expect."""
    qr = segno.make(uri, error="m")
    modules = qr.symbol_size(border=QR_BORDER_MODULES)[0]
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=max(2, target_px // modules), border=QR_BORDER_MODULES, dark=QR_DARK,
            light=QR_LIGHT)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


class EnrolmentDialog(QDialog):
    """Two pages: the key (QR code and text) with the code that confirms it; then the recovery codes."""

    enrolled = Signal(object)  # TokenResponse: on, and the person says the recovery codes are kept

    def __init__(self, relay: TaskRelay, server: SecondFactorServer, challenge: MfaChallenge, *, required: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay = relay
        self._server = server
        self._challenge = challenge
        self._result: MfaEnrolled | None = None
        self.setWindowTitle("Set up two-step sign-in")
        self.setModal(True)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._key_page(required))
        self.pages.addWidget(self._codes_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.addWidget(self.pages)
        self.setMinimumWidth(640)
        for button in (self.cancel_button, self.turn_on_button, self.copy_button, self.continue_button):
            button.setAutoDefault(False)  # Return in the code field sends the code; it never cancels
        relay.submit_background(start_enrolment, server, challenge, on_result=self._on_key,
                                on_error=self._on_error, owner=self)

    def _key_page(self, required: bool) -> QWidget:
        page = QWidget()
        heading = QLabel("Set up two-step sign-in")
        heading.setObjectName("heading")
        intro = QLabel(REQUIRED_TEXT if required else OPTIONAL_TEXT)
        intro.setWordWrap(True)
        self.qr = QLabel("Getting your key…")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setFixedSize(QR_TARGET_PX + 8, QR_TARGET_PX + 8)
        scan = QLabel("1. In an authenticator app (Google or Microsoft Authenticator, FreeOTP…), add an "
                      "account and scan this QR code.")
        scan.setWordWrap(True)
        manual = QLabel("Cannot scan? Type this key:")
        manual.setObjectName("muted")
        self.key = QLabel("")
        self.key.setObjectName("secretText")
        self.key.setWordWrap(True)
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        confirm = QLabel("2. Type the 6-digit code the app now shows for EMsync:")
        confirm.setWordWrap(True)
        self.code = QLineEdit()
        self.code.setObjectName("codeField")
        self.code.setPlaceholderText("123456")
        self.code.setMaxLength(12)
        self.code.setMinimumHeight(TOUCH_PX + 8)
        self.message = QLabel("")
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        steps = QVBoxLayout()
        for widget in (scan, manual, self.key, confirm, self.code):
            steps.addWidget(widget)
        steps.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)
        middle.addSpacing(16)
        middle.addLayout(steps, 1)
        self.cancel_button = touch_button("Cancel")
        self.turn_on_button = touch_button("Turn on", primary=True)
        self.turn_on_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.turn_on_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addSpacing(8)
        layout.addLayout(middle)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.cancel_button.clicked.connect(self.reject)
        self.turn_on_button.clicked.connect(self._confirm)
        self.code.returnPressed.connect(self._confirm)
        return page

    def _codes_page(self) -> QWidget:
        page = QWidget()
        heading = QLabel("Two-step sign-in is on")
        heading.setObjectName("heading")
        explain = QLabel("Keep these recovery codes apart from your phone: print them or write them down. If you "
                         "lose your phone, type one instead of a code. Each works once. They are shown only now.")
        explain.setWordWrap(True)
        self.codes_grid = QGridLayout()
        self.codes_grid.setHorizontalSpacing(32)
        self.copy_button = touch_button("Copy codes")
        self.saved = touch_button("I have saved these codes")
        self.saved.setCheckable(True)  # a touch-sized toggle: it shows "on" in the theme's accent colour
        self.continue_button = touch_button("Continue", primary=True)
        self.continue_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.saved)
        buttons.addWidget(self.continue_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading)
        layout.addWidget(explain)
        layout.addSpacing(8)
        layout.addLayout(self.codes_grid)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.copy_button.clicked.connect(self._copy_codes)
        self.saved.toggled.connect(self.continue_button.setEnabled)
        self.saved.toggled.connect(lambda on: self.saved.setText(("✔ " if on else "") + "I have saved these codes"))
        self.continue_button.clicked.connect(self._finish)
        return page

    def _on_key(self, enrolment: MfaEnrolment) -> None:
        self.qr.setPixmap(qr_pixmap(enrolment.otpauth_uri))
        self.qr.setAccessibleName("QR code of the key for your authenticator app")
        self.key.setText(grouped_key(enrolment.secret))
        self.turn_on_button.setEnabled(True)
        self.code.setFocus()

    def _confirm(self) -> None:
        if not self.turn_on_button.isEnabled():
            return  # no key yet, or a code is on its way
        self.turn_on_button.setEnabled(False)
        self.message.setText("Checking the code…")
        code = self.code.text()
        self.code.clear()
        self._relay.submit_background(confirm_enrolment, self._server, self._challenge, code,
                                      on_result=self._on_enrolled, on_error=self._on_code_refused, owner=self)

    def _on_code_refused(self, error: BaseException) -> None:
        self.turn_on_button.setEnabled(bool(self.key.text()))
        self._on_error(error)

    def _on_error(self, error: BaseException) -> None:
        self.message.setText(str(error) if isinstance(error, SignInError) else f"Setting up failed: {error}")

    def _on_enrolled(self, result: MfaEnrolled) -> None:
        self._result = result
        self.key.clear()  # the key is not needed on screen any longer
        self.qr.clear()
        for index, code in enumerate(result.recovery_codes):
            label = QLabel(code)
            label.setObjectName("secretText")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.codes_grid.addWidget(label, index // 2, index % 2)
        self.pages.setCurrentIndex(1)
        self.saved.setFocus()

    def _copy_codes(self) -> None:
        if self._result is not None:
            QGuiApplication.clipboard().setText("\n".join(self._result.recovery_codes))

    def _finish(self) -> None:
        if self._result is None:
            return
        self.enrolled.emit(self._result.tokens)
        self.accept()

    def reject(self) -> None:
        if self._result is not None:
            return  # on, and the codes are shown only now: leave by "I have saved these codes", Continue
        super().reject()

    @property
    def recovery_codes(self) -> list[str]:
        return [] if self._result is None else list(self._result.recovery_codes)
