"""The small map on an incoming card (issue 29): where the ambulance last was and this hospital, fitted to both,
the ambulance grey once its position is too old for an arrival time.

One map (a web view each) per transfer under way with a reported position, at most ``MAX_MAPS``. The cards are
rebuilt on every refresh; the maps are not: they are parked on a hidden shelf in the same window meanwhile and
put on the new card, so a page is built once per transfer and then only updated."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from emsync_desktop.domain.positions import LiveEta, live_eta_short, position_stale
from emsync_desktop.geo.map_page import AmbulancePin, MapScene
from emsync_desktop.services.ward import AmbulanceFix
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.map_panel import MapPanel

MAX_MAPS = 3  # a ward rarely has more ambulances on their way at once; the rest keep their text line
MAP_HEIGHT_PX = 170
PAGE_PREFIX = "approach-"


class ApproachMaps(QObject):
    def __init__(self, relay: TaskRelay, data_dir: Path, shelf: QWidget, night: bool = False) -> None:
        """``shelf``: a hidden widget in the cards' window, where maps wait while the cards are rebuilt."""
        super().__init__(shelf)
        self._relay, self._data_dir, self._shelf, self._night = relay, data_dir, shelf, night
        self.maps: dict[str, MapPanel] = {}
        self._scenes: dict[str, MapScene] = {}
        for old in (data_dir / "map").glob(f"{PAGE_PREFIX}*.html"):  # left by an earlier run: rebuilt when needed
            old.unlink(missing_ok=True)

    def park(self) -> None:
        """Before the cards are deleted: keep every map out of them."""
        for panel in self.maps.values():
            panel.setParent(self._shelf)

    def keep_only(self, transfer_ids: list[str]) -> list[str]:
        """Maps for these transfers (the first ``MAX_MAPS``), dropping the others; returns those kept."""
        wanted = transfer_ids[:MAX_MAPS]
        for transfer_id in [t for t in self.maps if t not in wanted]:
            self.maps.pop(transfer_id).deleteLater()
            self._scenes.pop(transfer_id, None)
            self._page(transfer_id).unlink(missing_ok=True)
        return wanted

    def map_for(self, transfer_id: str) -> MapPanel:
        panel = self.maps.get(transfer_id)
        if panel is None:
            panel = MapPanel(self._relay, self._data_dir, self._shelf, action_text=None, hint="", night=self._night,
                             page_name=self._page(transfer_id).name, compact=True)
            panel.setFixedHeight(MAP_HEIGHT_PX)
            self.maps[transfer_id] = panel
        return panel

    def _page(self, transfer_id: str) -> Path:
        """Its page's file (each map its own: two building at once must not write one file)."""
        return self._data_dir / "map" / f"{PAGE_PREFIX}{transfer_id}.html"

    def show(self, transfer_id: str, fix: AmbulanceFix, live: LiveEta | None, now: datetime) -> None:
        """The ambulance where it was and what its arrival line says; the page is touched only on a change."""
        panel = self.maps.get(transfer_id)
        if panel is None:
            return
        label = "Ambulance · " + live_eta_short(live, now)
        at = live.position_at if live is not None else fix.at  # the line above and the pin judge the same fix
        pin = AmbulancePin(transfer_id, fix.point.lat, fix.point.lon, label, stale=position_stale(at, now))
        scene = MapScene(center=fix.destination, hospitals=[], fleet=[pin], destination=fix.destination,
                         destination_label="This hospital")
        if self._scenes.get(transfer_id) != scene:
            self._scenes[transfer_id] = scene
            panel.show_scene(scene)
