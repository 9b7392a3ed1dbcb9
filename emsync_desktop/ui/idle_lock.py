"""Shared-workstation lock (HIPAA 164.312(a)(2)(iii) automatic logoff; NIST SP 800-63B re-authentication).

After ``minutes`` without a key press, click or touch, the signed-in user's screen locks. Nothing on it is
lost: the workspace stays as it was under the lock, with what was typed already saved. Ward and desk PCs
cover it; the paramedic's laptop keeps the case visible (dimmed) and only input is locked. The user unlocks
with their password (checked on the DB thread against this device's verifier); another user can switch
from the lock screen (the workspace flushes, then signs out).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.ui.theme import TOUCH_PX
from emsync_desktop.ui.widgets.buttons import touch_button

_ACTIVITY = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.Wheel,
             QEvent.Type.MouseMove}
DEFAULT_LOCK_MINUTES = 5.0


class IdleWatcher(QObject):
    """Emits ``idle`` once the app has seen no input for ``minutes`` (0: never). Call ``reset`` after an unlock."""

    idle = Signal()

    def __init__(self, minutes: float, watched: QObject | None, clock: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None) -> None:
        """``watched``: the top-level window's QWindow, which receives every key press and click of the
        window before its widgets do. (Not the QApplication: a Python filter there sees QtWebEngine's
        internal events too, and crashed it.)"""
        super().__init__(parent)
        self._watched = watched
        self._minutes = minutes
        self._clock = clock
        self._last_input = clock()
        self._fired = False
        self._extra: set[QObject] = set()  # the windows of the window's own dialogs, watched too
        self._timer = QTimer(self, interval=5_000)
        self._timer.timeout.connect(self.check)
        if watched is not None:
            watched.installEventFilter(self)
        if minutes > 0:
            self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY:
            self._last_input = self._clock()
        return False

    def _follow(self, window: QObject | None) -> None:
        """In a real window (not offscreen) the top-level's QWindow is replaced when a QtWebEngine view first
        shows (Qt recreates it for OpenGL): watch the new one, or input after the map opened goes unseen.
        Looked at with every ``check`` (no event told this window's filters about the change)."""
        if window is not None and window is not self._watched:
            self._watched = window
            window.installEventFilter(self)

    def check(self) -> None:
        parent = self.parent()
        if isinstance(parent, QWidget):
            self._follow(parent.windowHandle())
            self._watch_own_windows(parent)
        if self._minutes > 0 and not self._fired and self._clock() - self._last_input >= self._minutes * 60:
            self._fired = True
            self.idle.emit()

    def _watch_own_windows(self, parent: QWidget) -> None:
        """Typing in one of the window's own windows (a message thread) is use too: their QWindows are watched
        as well, once each (looked for with every ``check``)."""
        for dialog in parent.findChildren(QDialog):
            handle = dialog.windowHandle()
            if dialog.isVisible() and handle is not None and handle not in self._extra:
                self._extra.add(handle)
                handle.installEventFilter(self)
                handle.destroyed.connect(lambda _obj=None, h=handle: self._extra.discard(h))

    def reset(self) -> None:
        self._last_input = self._clock()
        self._fired = False

    def stop(self) -> None:
        self._timer.stop()
        for handle in [h for h in self._extra if shiboken6.isValid(h)]:
            handle.removeEventFilter(self)
        self._extra.clear()
        if self._watched is not None and shiboken6.isValid(self._watched):
            self._watched.removeEventFilter(self)


class LockScreen(QFrame):
    """Lies over ``cover`` (the workspace), as a child of the window so that the workspace under it can be
    disabled (its shortcuts too). ``see_through``: the paramedic's case stays visible under a dim layer;
    elsewhere the screen is hidden. Emits ``unlock_requested(password)`` and ``switch_user``."""

    unlock_requested = Signal(str)
    switch_user = Signal()

    def __init__(self, user: UserInfo, see_through: bool, parent: QWidget, cover: QWidget) -> None:
        super().__init__(parent)
        self._cover = cover
        self.setObjectName("lockDim" if see_through else "lockFull")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        panel = QFrame(self)
        panel.setObjectName("card")
        panel.setMaximumWidth(460)
        title = QLabel(f"Locked · {user.display_name}")
        title.setObjectName("heading")
        why = QLabel("Locked after a while without use. Everything is saved; unlock to carry on.")
        why.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Your password" if not user.is_demo else "Demo account: no password")
        self.password.setMinimumHeight(TOUCH_PX)
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.unlock_button = touch_button("Unlock", primary=True)
        self.switch_button = touch_button("Switch user")
        self.unlock_button.clicked.connect(self._unlock)
        self.password.returnPressed.connect(self._unlock)
        self.switch_button.clicked.connect(self.switch_user)
        inner = QVBoxLayout(panel)
        for widget in (title, why, self.password, self.message, self.unlock_button, self.switch_button):
            inner.addWidget(widget)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(panel, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        cover.installEventFilter(self)
        self._follow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._cover and event.type() in (QEvent.Type.Resize, QEvent.Type.Move):
            self._follow()
        return False

    def _follow(self) -> None:
        self.setGeometry(self._cover.geometry())

    def show_locked(self) -> None:
        self.password.clear()
        self.message.setText("")
        self._follow()
        self.show()
        self.raise_()
        self.password.setFocus()

    def refused(self) -> None:
        self.password.clear()
        self.message.setText("Wrong password. Check Caps Lock, or switch user.")
        self.password.setFocus()

    def _unlock(self) -> None:
        self.unlock_requested.emit(self.password.text())
