"""While the crew has a transfer under way, its device reports the ambulance's position (issue 29).

Every ``TICK_MS`` the newest fix is read from the position source in use (GPS, or the demo drive once a case
was sent; memory only, no I/O) and handed to the DB thread
(``services.positions.record_position``), which decides per transfer whether a report is due and queues it;
when one was, the sync engine is nudged. The GUI thread never waits on disk or network.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from emsync_desktop.geo.position import PositionSource
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.positions import record_position
from emsync_desktop.store.database import Store
from emsync_desktop.ui.tasks import TaskRelay

TICK_MS = 5_000
log = logging.getLogger(__name__)


class PositionReporter(QObject):
    def __init__(self, source: Callable[[], PositionSource], store: Store, user_id: str, relay: TaskRelay,
                 on_reported: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source, self._store, self._user_id = source, store, user_id
        self._relay, self._on_reported = relay, on_reported
        self._busy = False  # one report in hand at a time: a slow disk never piles them up
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.report_now)
        self._timer.start()

    def report_now(self) -> None:
        fix = self._source().latest()
        if fix is None or self._busy:
            return
        self._busy = True
        self._relay.submit(record_position, self._store, self._user_id, fix, utc_now(),
                           on_result=self._reported, on_error=self._failed, owner=self)

    def stop(self) -> None:
        self._timer.stop()

    def _reported(self, transfers: list[str]) -> None:
        self._busy = False
        if transfers:
            self._on_reported()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        log.error("could not queue the ambulance's position (the next tick tries again)", exc_info=error)
