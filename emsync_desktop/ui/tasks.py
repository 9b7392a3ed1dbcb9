"""Run store work on the DbRunner thread and get the result back on the GUI thread.

The worker never touches a widget: its result is re-emitted as a queued Qt signal
and delivered on the GUI thread. A callback whose owner widget has been deleted
is dropped, so late results never reach dead widgets.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from emsync_desktop.services.runner import DbRunner

log = logging.getLogger(__name__)


class TaskRelay(QObject):
    """Lives on the GUI thread; ``finished`` is emitted from the DB thread."""

    finished = Signal(object, object)
    idle = Signal()

    def __init__(self, runner: DbRunner) -> None:
        super().__init__()
        self.runner = runner
        self.pending = 0
        self.finished.connect(self._deliver)

    def submit(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        owner: QObject | None = None,
    ) -> None:
        if self.runner.closed:
            log.info("dropped %s: the app is closing", getattr(fn, "__name__", fn))  # reads only: saves flush first
            return
        self._hand_back(self.runner.submit(fn, *args), on_result, on_error, owner)

    def submit_background(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        owner: QObject | None = None,
    ) -> None:
        """Run ``fn`` on its own daemon thread (work that may wait on the network and must not hold up
        the DB thread); the result comes back like ``submit``'s. ``fn`` must not touch the store."""
        future: Future[Any] = Future()

        def work() -> None:
            try:
                future.set_result(fn(*args))
            except Exception as error:  # delivered to on_error on the GUI thread
                future.set_exception(error)

        self._hand_back(future, on_result, on_error, owner)
        threading.Thread(target=work, name="emsync-background", daemon=True).start()

    def _hand_back(self, future: Future[Any], on_result: Callable[[Any], None],
                   on_error: Callable[[BaseException], None] | None, owner: QObject | None) -> None:
        """When ``future`` is done (in any thread), deliver its result or error on the GUI thread."""
        self.pending += 1

        def done(fut: Future[Any]) -> None:
            error = fut.exception()
            callback: Callable[[Any], None] = on_result if error is None else (on_error or _log_error)
            self.finished.emit((callback, owner), error if error is not None else fut.result())

        future.add_done_callback(done)

    def _deliver(self, target: tuple[Callable[[Any], None], QObject | None], value: Any) -> None:
        self.pending -= 1
        callback, owner = target
        if owner is None or shiboken6.isValid(owner):
            callback(value)
        if self.pending == 0:
            self.idle.emit()


def _log_error(error: BaseException) -> None:
    log.error("background task failed", exc_info=error)
