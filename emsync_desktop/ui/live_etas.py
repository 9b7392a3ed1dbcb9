"""Arrival times recomputed from ambulances' reported positions, for a screen that lists transfers (the ward's
cards, the coordinator's table and map). Routing runs off the GUI thread, once per new position; an older
answer never replaces a newer one. ``changed`` fires (GUI thread) when an arrival time is new."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from PySide6.QtCore import QObject, Signal

from emsync_desktop.domain.positions import LiveEta
from emsync_desktop.geo.routing import FallbackRouter
from emsync_desktop.services.live_eta import live_eta
from emsync_desktop.services.ward import AmbulanceFix
from emsync_desktop.ui.tasks import TaskRelay


class LiveEtas(QObject):
    changed = Signal()

    def __init__(self, relay: TaskRelay, router: FallbackRouter | None = None, parent: QObject | None = None) -> None:
        """``router``: the desk's routing chain (``geo.routing.router_for``); None: straight-line estimates."""
        super().__init__(parent)
        self._relay = relay
        self._router = router or FallbackRouter([])
        self._known: dict[str, LiveEta] = {}
        self._asked: dict[str, AmbulanceFix] = {}  # the newest position routed or being routed, per transfer

    def get(self, transfer_id: str) -> LiveEta | None:
        return self._known.get(transfer_id)

    def update(self, fixes: Mapping[str, AmbulanceFix | None]) -> None:
        """Route every position newer than the last one asked for (per transfer id)."""
        for transfer_id, fix in fixes.items():
            asked = self._asked.get(transfer_id)
            if fix is None or (asked is not None and asked.at >= fix.at):
                continue
            self._asked[transfer_id] = fix
            self._relay.submit_background(live_eta, self._router, fix, on_result=partial(self._ready, transfer_id),
                                          owner=self)

    def _ready(self, transfer_id: str, live: LiveEta) -> None:
        known = self._known.get(transfer_id)
        if known is None or live.position_at >= known.position_at:
            self._known[transfer_id] = live
            self.changed.emit()
