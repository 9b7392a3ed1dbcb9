"""Arrival times recomputed from ambulances' reported positions, for a screen that lists transfers (the ward's
cards, the coordinator's table and map). Routing runs off the GUI thread, once per new position; an older
answer never replaces a newer one. ``changed`` fires (GUI thread) when an arrival time is new."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import partial

from PySide6.QtCore import QObject, Signal

from emsync_desktop.domain.positions import LiveEta
from emsync_desktop.geo.routing import FallbackRouter
from emsync_desktop.services.live_eta import live_eta
from emsync_desktop.services.ward import AmbulanceFix
from emsync_desktop.ui.tasks import TaskRelay

log = logging.getLogger(__name__)


class LiveEtas(QObject):
    """One route at a time (a desk under a fleet's load would otherwise start a thread per position, and call an
    online routing service as often); while one runs, only each transfer's newest position waits."""

    changed = Signal()

    def __init__(self, relay: TaskRelay, router: FallbackRouter | None = None, parent: QObject | None = None) -> None:
        """``router``: the desk's routing chain (``geo.routing.router_for``); None: straight-line estimates."""
        super().__init__(parent)
        self._relay = relay
        self._router = router or FallbackRouter([])
        self._known: dict[str, LiveEta] = {}
        self._asked: dict[str, AmbulanceFix] = {}  # the newest position routed or waiting, per transfer
        self._waiting: dict[str, AmbulanceFix] = {}
        self._routing = False

    def get(self, transfer_id: str) -> LiveEta | None:
        return self._known.get(transfer_id)

    def update(self, fixes: Mapping[str, AmbulanceFix | None]) -> None:
        """Route every position newer than the last one asked for, or going somewhere else (a redirect)."""
        for transfer_id, fix in fixes.items():
            asked = self._asked.get(transfer_id)
            if fix is None or (asked is not None and asked.at >= fix.at and asked.destination == fix.destination):
                continue
            self._asked[transfer_id] = self._waiting[transfer_id] = fix
        self._route_next()

    def _route_next(self) -> None:
        if self._routing or not self._waiting:
            return
        transfer_id, fix = next(iter(self._waiting.items()))
        del self._waiting[transfer_id]
        self._routing = True
        self._relay.submit_background(live_eta, self._router, fix, on_result=partial(self._ready, transfer_id, fix),
                                      on_error=self._failed, owner=self)

    def _ready(self, transfer_id: str, fix: AmbulanceFix, live: LiveEta) -> None:
        self._routing = False
        if self._asked.get(transfer_id) == fix:  # not overtaken meanwhile by a newer position or a redirect
            self._known[transfer_id] = live
            self.changed.emit()
        self._route_next()

    def _failed(self, error: BaseException) -> None:
        self._routing = False
        log.error("could not compute an arrival time", exc_info=error)
        self._route_next()
