"""One line on the sign-in screen: does the sync server answer?

Threading: each check runs on a background thread (``TaskRelay.submit_background``), never on the GUI
thread and never on the DB thread. The line does not wait for the check to give up: a name lookup or
a dropped packet can hold a connection attempt far longer than its timeout, so after ``DEADLINE_MS``
without an answer it says the server is unreachable, and a late answer corrects it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from emsync_desktop.sync.http import ServerUntrusted, probe_server
from emsync_desktop.ui.tasks import TaskRelay

DEADLINE_MS = 3000  # a person waits at most this long to learn the server is not answering
RETRY_MS = 5000  # while unreachable: how soon a server that is back is noticed
STARTING_RETRY_MS = 1000  # the demo server is coming up: it answers within seconds
RECHECK_MS = 30_000  # while reachable: how soon a server that went away is noticed


class ServerStatusLine(QLabel):
    """Checks the server while shown; ``reachable`` is None until the first answer or deadline."""

    changed = Signal(bool)  # reachable; emitted when it changes

    def __init__(self, relay: TaskRelay, url: str, *, starting: Callable[[], bool] = lambda: False,
                 probe: Callable[[str], None] = probe_server, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._url, self._starting, self._probe = relay, url, starting, probe
        self.reachable: bool | None = None
        self._in_flight = False
        self._watching = False  # the sign-in screen is shown: check again after each answer
        self.setWordWrap(True)
        self.setVisible(False)
        self._next = QTimer(self)
        self._next.setSingleShot(True)
        self._next.timeout.connect(self.check)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.setInterval(DEADLINE_MS)
        self._deadline.timeout.connect(self._no_answer_yet)

    def check(self) -> None:
        """Ask the server now (unless a check is already waiting for it)."""
        if self._in_flight:
            return
        self._in_flight = True
        self._deadline.start()
        self._relay.submit_background(self._probe, self._url, on_result=lambda _r: self._answered(True),
                                      on_error=lambda e: self._answered(False, e), owner=self)

    def _answered(self, reachable: bool, error: BaseException | None = None) -> None:
        self._in_flight = False
        self._deadline.stop()
        self._show(reachable, error)
        if self._watching:
            self._next.start(RECHECK_MS if reachable else STARTING_RETRY_MS if self._starting() else RETRY_MS)

    def _no_answer_yet(self) -> None:
        if self._in_flight:
            self._show(False)

    def _show(self, reachable: bool, error: BaseException | None = None) -> None:
        if reachable:
            self.setText("")  # nothing stale left once the server answers
        elif isinstance(error, ServerUntrusted):  # not a network problem: says which certificate and what to do
            self._set_text(f"{error} Working offline meanwhile.", "fieldWarning")
        elif self._starting():
            self._set_text("Starting the sync server…", "muted")
        else:
            self._set_text(f"Server unreachable at {self._url}: working offline; sign in with an account "
                           "this device already knows.", "fieldWarning")
        self.setVisible(not reachable)
        if reachable != self.reachable:
            self.reachable = reachable
            self.changed.emit(reachable)

    def _set_text(self, text: str, style: str) -> None:
        self.setText(text)
        if self.objectName() != style:
            self.setObjectName(style)  # the theme styles it by name: re-polish to apply the new one
            self.style().unpolish(self)
            self.style().polish(self)

    def start(self) -> None:
        """Check now and keep checking (the sign-in screen is shown)."""
        self._watching = True
        self.check()

    def stop(self) -> None:
        """Stop checking (the sign-in screen is hidden); an answer on its way still lands."""
        self._watching = False
        self._next.stop()
