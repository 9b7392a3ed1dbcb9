"""The map: hospitals on a local Leaflet page; for the crew ranked for this patient with the ambulance and
the route, for the coordinator with each hospital's capacity.

QtWebEngine is loaded on first show, not at start-up. The page is built off the GUI thread (folium,
and the roads GeoJSON of an import can be megabytes), written to the data dir and loaded from there.
Scene updates made before the page says it is ready are kept and applied when it is (only the
latest scene matters); calls after the widget is gone are dropped with it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from emsync_desktop.geo.map_page import MapScene, build_map_page
from emsync_desktop.geo.roads import load_road_data
from emsync_desktop.geo.tiles import tile_server_for
from emsync_desktop.ui.keyboard import keep_out_of_focus
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button


class MapBridge(QObject):
    """The one object the page sees (``bridge`` in JavaScript)."""

    ready = Signal()
    hospital_picked = Signal(str)

    @Slot()
    def page_ready(self) -> None:
        self.ready.emit()

    @Slot(str)
    def hospital_clicked(self, hospital_id: str) -> None:
        self.hospital_picked.emit(hospital_id)


class MapPanel(QWidget):
    hospital_picked = Signal(str)
    page_ready = Signal()
    send_requested = Signal()  # "send the case to the selected hospital", as on the Hospital tab

    def __init__(self, relay: TaskRelay, data_dir: Path, parent: QWidget | None = None,
                 action_text: str | None = "Send request, hold bed and SBAR",
                 hint: str = "Tap a hospital on the map or in the Hospital tab.", night: bool = False,
                 page_name: str = "map.html", compact: bool = False) -> None:
        """``night``: the page in the night theme's dark colours (set once its page is ready). ``page_name``: its
        file in the data dir (one per panel shown at once). ``compact``: a small map that follows its scene (fitted
        to it on every update), with no hint or action bar."""
        super().__init__(parent)
        self._night = night
        self._page_name = page_name
        self._compact = compact
        self._relay = relay
        self._data_dir = data_dir
        self._scene: MapScene | None = None
        self._shown_scene: MapScene | None = None
        self._view: QWidget | None = None
        self._ready = False
        self._chosen = False
        self.bridge = MapBridge(self)
        self.bridge.ready.connect(self._on_ready)
        self.bridge.hospital_picked.connect(self.hospital_picked)
        self.waiting = QLabel("Loading the map…")
        self.waiting.setObjectName("muted")
        self.selection = QLabel(hint)
        self.selection.setWordWrap(True)
        self.send = touch_button(action_text or "", primary=True)
        self.send.clicked.connect(self.send_requested)
        self._action_text = action_text or ""
        self._can_send = True  # the page's owner may say no (a send in flight, one made already)
        if action_text is None:
            self.send.hide()  # (never setVisible(True) before the button has a parent: it would be a window)
        bar = QHBoxLayout()
        bar.addWidget(self.selection, 1)
        bar.addWidget(self.send)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.waiting)
        self._layout.addLayout(bar)
        if compact:
            self.selection.hide()

    def set_send_state(self, enabled: bool, text: str) -> None:
        """The send button says and does what the owner's own send does now ("Send elsewhere…" once the case
        is going somewhere; disabled while a send is in flight)."""
        self._can_send = enabled
        self.send.setText(text or self._action_text)
        self.send.setEnabled(enabled and self._chosen)

    @property
    def ready(self) -> bool:
        return self._ready

    def show_scene(self, scene: MapScene) -> None:
        self._scene = scene
        chosen = next((h for h in scene.hospitals if h.id == scene.selected), None)
        self._chosen = chosen is not None
        self.send.setEnabled(self._chosen and self._can_send)
        if chosen is not None and chosen.label:
            self.selection.setText(f"<b>{chosen.label}</b>")
        elif chosen is not None:
            self.selection.setText(f"<b>{chosen.rank}. {chosen.name}</b> · {chosen.eta} · {chosen.free} {chosen.unit} "
                                   "free")
        if self._ready:
            self._apply_latest()
        elif self._view is None and self.isVisible():
            self._build_page()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._view is None and self._scene is not None:
            self._build_page()

    def run_js(self, script: str) -> None:
        """For tests and tools: run JavaScript once the page is ready (ignored before)."""
        if self._ready and self._view is not None:
            self._view.page().runJavaScript(script)  # type: ignore[attr-defined]

    def _build_page(self) -> None:
        from PySide6.QtWebChannel import QWebChannel
        from PySide6.QtWebEngineWidgets import QWebEngineView

        view = QWebEngineView(self)
        keep_out_of_focus(view)
        channel = QWebChannel(view.page())
        channel.registerObject("bridge", self.bridge)
        view.page().setWebChannel(channel)
        self._view = view
        self._layout.insertWidget(1, view, 1)
        scene = self._scene
        assert scene is not None
        self._shown_scene = scene
        self._relay.submit_background(_write_page, scene, self._data_dir, self._page_name, self._compact,
                                      on_result=self._load, owner=self)

    def _load(self, page: Path) -> None:
        if self._view is not None:
            self._view.load(QUrl.fromLocalFile(str(page)))  # type: ignore[attr-defined]

    def _on_ready(self) -> None:
        self._ready = True
        if self._view is not None:
            keep_out_of_focus(self._view)  # its render widget exists once the page is up
            if self._night:
                self._view.page().runJavaScript("emsync.setNight(true);")  # type: ignore[attr-defined]
        self.waiting.hide()
        self.page_ready.emit()
        if self._scene is not self._shown_scene:
            self._apply_latest()

    def _apply_latest(self) -> None:
        if self._scene is None or self._view is None:
            return
        shown, self._shown_scene = self._shown_scene, self._scene
        # An ambulance new on the map brings it into view; otherwise the person's pan and zoom stay (a compact
        # map follows its scene).
        new_ambulance = shown is not None and bool({a.id for a in self._scene.fleet} - {a.id for a in shown.fleet})
        fit = self._compact or new_ambulance
        self._view.page().runJavaScript(  # type: ignore[attr-defined]
            f"emsync.update({self._scene.as_json()}, {'true' if fit else 'false'});")


def _write_page(scene: MapScene, data_dir: Path, page_name: str, compact: bool) -> Path:
    """Build the page (worker thread: folium and the roads file) and write it into the data dir."""
    roads = load_road_data(data_dir)
    basemap = roads.basemap if roads is not None and roads.coverage.contains(scene.center) else None
    folder = data_dir / "map"
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / page_name
    tiles = tile_server_for(data_dir)
    page.write_text(build_map_page(scene, basemap, tiles.url, tiles.cache.count() > 0, compact=compact),
                    encoding="utf-8")
    return page
