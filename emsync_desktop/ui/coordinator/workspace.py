"""Coordinator workspace: the network on a map and in a table, every open transfer (redirect one to
another hospital), the last day's trends, and past transfers looked up on the sync server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from emsync_desktop.domain.case_mix import Dimension
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.geo.map_page import MapScene
from emsync_desktop.geo.routing import router_for
from emsync_desktop.services.blood_views import BloodViews
from emsync_desktop.services.case_mix import load_case_mix
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.edxl_have import capacity_with_external
from emsync_desktop.services.exports import export_capacity_csv
from emsync_desktop.services.forecasts import UnitForecast, load_forecasts, surges
from emsync_desktop.services.messages import MessageService, ThreadCount
from emsync_desktop.services.network import HospitalCapacity, capacity_label, capacity_scene
from emsync_desktop.services.network_transfers import OpenTransfer, fleet_pins, open_transfers
from emsync_desktop.services.redirect import RedirectOptions, redirect_options, redirect_transfer
from emsync_desktop.services.report import ReportData, ReportKind, gather_report
from emsync_desktop.services.trends import network_trends
from emsync_desktop.store.database import Store
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.sync.protocol import AMBULANCE_POSITION_ENTITY, CASE_MIX_ENTITY, FORECAST_ENTITY
from emsync_desktop.sync.protocol_blood import BLOOD_UNIT_ENTITY
from emsync_desktop.ui.blood_bank.network_blood import NetworkBloodView
from emsync_desktop.ui.coordinator.case_mix_view import CaseMixView
from emsync_desktop.ui.coordinator.edxl_actions import EdxlActions
from emsync_desktop.ui.coordinator.forecast_view import ForecastsView
from emsync_desktop.ui.coordinator.open_transfers import OpenTransfersTable
from emsync_desktop.ui.coordinator.past_transfers_view import FetchTransfer, LookupTransfers, PastTransfersView
from emsync_desktop.ui.coordinator.redirect_dialog import RedirectDialog
from emsync_desktop.ui.coordinator.report_pdf import render_charts, write_report_pdf
from emsync_desktop.ui.coordinator.trends_view import TrendsView
from emsync_desktop.ui.live_etas import LiveEtas
from emsync_desktop.ui.messages.center import MessageCenter
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.capacity_table import CapacityTable
from emsync_desktop.ui.widgets.frame import card
from emsync_desktop.ui.widgets.map_panel import MapPanel

REFRESH_MS = 30_000  # ages and countdowns move on by themselves
AGES_MS = 5_000


class CoordinatorWorkspace(QWidget):
    def __init__(self, relay: TaskRelay, store: Store, user: UserInfo, theme: Theme, data_dir: Path,
                 on_local_change: Callable[[], None], lookup: LookupTransfers | None = None,
                 fetch: FetchTransfer | None = None, parent: QWidget | None = None) -> None:
        """``lookup``/``fetch``: old transfers from the sync server (``PastTransfersView``; None: no server)."""
        super().__init__(parent)
        self._relay = relay
        self._store = store
        self._user = user
        self._data_dir = data_dir
        self._on_local_change = on_local_change
        self._hospitals: list[HospitalCapacity] = []
        self.redirect_dialog: RedirectDialog | None = None
        self.heading = QLabel("Network overview")
        self.heading.setObjectName("heading")
        self.export_csv = touch_button("Export capacity (CSV)")
        self.export_csv.clicked.connect(self._export_csv)
        self.export_result = QLabel()
        self.export_result.setObjectName("muted")
        self.export_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.capacity = CapacityTable(theme, show_capabilities=False)
        self.edxl = EdxlActions(relay, store, data_dir)
        self.edxl.imported.connect(lambda _result: self.refresh_capacity())
        self.map = MapPanel(relay, data_dir, action_text=None,
                            hint="Tap a hospital for the free beds of every unit.", night=theme.name == "dark")
        self.map.hospital_picked.connect(self._on_hospital_picked)
        self.transfers = OpenTransfersTable(theme)
        self._open: list[OpenTransfer] = []
        self._picked: str | None = None  # the hospital tapped on the map
        self.live = LiveEtas(relay, router_for(data_dir), self)  # arrivals from the ambulances' positions
        self.live.changed.connect(self._show_transfers)
        self.transfers.activated.connect(lambda _index: self.open_redirect())  # Return or a double tap on a row
        self.redirect = touch_button("Redirect selected transfer…")
        self.redirect.clicked.connect(self.open_redirect)
        self.messages = MessageCenter(relay, MessageService(store, user), user.id, on_local_change, self,
                                      current=self.transfers.selected_transfer_id)
        self.messages.counts_changed.connect(self._on_message_counts)
        self.open_messages = touch_button("Messages…", tooltip="The selected transfer's thread with its crew and ward")
        self.open_messages.clicked.connect(self._open_selected_thread)
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.transfers.itemSelectionChanged.connect(lambda: self.message.setText(""))  # a hint about choosing one
        self.trends = TrendsView(theme)
        self.past = PastTransfersView(relay, store, lookup, fetch)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._overview(), "Overview")
        self.tabs.addTab(self.trends, "Trends (24 h)")
        self.tabs.addTab(self.past, "Past transfers")
        self.blood = NetworkBloodView(relay, BloodViews(store, user))
        self.tabs.addTab(self.blood, "Blood")
        self.forecasts = ForecastsView(theme)
        self.forecasts.report_asked.connect(self._make_report)
        self.tabs.addTab(self.forecasts, "Forecasts")
        self.case_mix = CaseMixView()
        self.case_mix.asked.connect(self._load_case_mix)
        self.tabs.addTab(self.case_mix, "Case mix")
        self.tabs.currentChanged.connect(lambda _i: self.refresh_trends())
        self.tabs.currentChanged.connect(lambda _i: self.case_mix.ask() if self.tabs.currentWidget() is self.case_mix
                                         else None)
        self.tabs.currentChanged.connect(lambda _i: self.blood.refresh() if self.tabs.currentWidget() is self.blood
                                         else None)
        for index, key in enumerate(("Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4", "Ctrl+5", "Ctrl+6")):
            QShortcut(QKeySequence(key), self, lambda i=index: self._go_to(i),
                      context=Qt.ShortcutContext.WindowShortcut)
            self.tabs.setTabToolTip(index, f"{self.tabs.tabText(index)} ({key})")
        self.redirect.setToolTip("Redirect the selected transfer (Return on its row)")
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.export_result)
        top.addWidget(self.export_csv)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.messages.banner)
        layout.addWidget(self.tabs, 1)
        self.refresh_capacity()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh_transfers)
        self._timer.start(REFRESH_MS)
        self._ages = QTimer(self)  # "updated 20 s ago" stays true to within a few seconds (no database read)
        self._ages.timeout.connect(lambda: self.transfers.set_transfers(self._open, self.live.get))
        self._ages.start(AGES_MS)
        self.refresh_transfers()

    def _overview(self) -> QWidget:
        network = QSplitter(Qt.Orientation.Horizontal)
        table = QWidget()
        table_box = QVBoxLayout(table)
        table_box.setContentsMargins(0, 0, 0, 0)
        table_box.addWidget(self.capacity, 1)
        table_box.addWidget(self.edxl)
        network.addWidget(card("Capacity by hospital and unit (free / total beds)", table))
        network.addWidget(card("Free ICU beds on the map", self.map))
        network.setSizes([880, 720])
        actions = QHBoxLayout()
        actions.addWidget(self.message, 1)
        actions.addWidget(self.open_messages)
        actions.addWidget(self.redirect)
        transfers = QWidget()
        box = QVBoxLayout(transfers)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.transfers, 1)
        box.addLayout(actions)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(network)
        split.addWidget(card("Open transfers (needing attention first)", transfers))
        split.setSizes([470, 330])  # the open transfers are what a desk watches: three rows at 1366x768
        return split

    def refresh_transfers(self) -> None:
        self._relay.submit(open_transfers, self._store, utc_now(), on_result=self._on_transfers, owner=self)

    def _on_transfers(self, transfers: list[OpenTransfer]) -> None:
        self._open = transfers
        self.live.update({t.id: t.ambulance for t in transfers})
        self._show_transfers()

    def _show_transfers(self) -> None:
        """The table, and the map's ambulances (with the hospitals' pins as they are)."""
        self.transfers.set_transfers(self._open, self.live.get)
        self.map.show_scene(self._scene())

    def _scene(self) -> MapScene:
        return capacity_scene(self._hospitals, selected=self._picked, fleet=fleet_pins(self._open, self.live.get,
                                                                                         utc_now()))

    def refresh_capacity(self) -> None:
        self._relay.submit(capacity_with_external, self._store, on_result=self._on_capacity, owner=self)
        self.refresh_forecasts()

    def refresh_trends(self) -> None:
        if self.tabs.currentWidget() is self.trends:
            self._relay.submit(network_trends, self._store, utc_now(), on_result=self.trends.set_trends, owner=self)

    def refresh_forecasts(self) -> None:
        """Read on every sync that brings a forecast, whichever tab is shown: a surge is counted in the tab's title."""
        self._relay.submit(load_forecasts, self._store, on_result=self._on_forecasts, owner=self)

    def _on_forecasts(self, forecasts: list[UnitForecast]) -> None:
        now = utc_now()
        self.forecasts.set_forecasts(forecasts, now)
        count = len(surges(forecasts, now))
        title = "Forecasts" if not count else f"Forecasts ({count} surge{'s' if count > 1 else ''})"
        self.tabs.setTabText(self.tabs.indexOf(self.forecasts), title)

    def _make_report(self, kind: ReportKind) -> None:
        """Gathered on the DB thread, charts drawn here (the Forecasts tab's code), the PDF written off this thread."""
        self._relay.submit(gather_report, self._store, kind, utc_now(), on_result=self._report_gathered,
                           on_error=self.forecasts.show_report_result, owner=self)

    def _report_gathered(self, data: ReportData) -> None:
        self._relay.submit(write_report_pdf, data, render_charts(data), self._data_dir,
                           on_result=self.forecasts.show_report_result, on_error=self.forecasts.show_report_result,
                           owner=self)

    def _load_case_mix(self, first: date, last: date, rows: Dimension, columns: Dimension) -> None:
        self._relay.submit(load_case_mix, self._store, first, last, rows, columns, on_result=self.case_mix.set_case_mix,
                           owner=self)

    def flush(self) -> None:
        """Save anything typed but not yet committed (a message thread's line), before sign-out or a rebuild."""
        self.messages.flush()

    def on_synced(self, status: SyncStatus) -> None:
        """Refresh what the sync engine's changes touched (transfers, bookings, beds, the hourly figures)."""
        if status.touched & {"transfer", "booking", AMBULANCE_POSITION_ENTITY}:
            self.refresh_transfers()
        if status.touched & {"bed", "hospital"}:
            self.refresh_capacity()
        if status.touched & {"capacity_hour"}:
            self.refresh_trends()
        if status.touched & {FORECAST_ENTITY}:
            self.refresh_forecasts()
        if status.touched & {CASE_MIX_ENTITY} and self.tabs.currentWidget() is self.case_mix:
            self.case_mix.ask()
        if status.touched & {BLOOD_UNIT_ENTITY} and self.tabs.currentWidget() is self.blood:
            self.blood.refresh()
        self.messages.on_synced(status)

    def _on_message_counts(self, counts: dict[str, ThreadCount]) -> None:
        self.transfers.message_counts = counts
        self.transfers.set_transfers(self._open, self.live.get)

    def _open_selected_thread(self) -> None:
        transfer_id = self.transfers.selected_transfer_id()
        if transfer_id is None:
            self.message.setText("Select a transfer in the table first, then open its messages.")
            return
        self.message.setText("")
        self.messages.open_thread(transfer_id)

    def _go_to(self, tab: int) -> None:
        """A tab by its shortcut, with the keyboard on it: the transfers, or the tab bar (charts take none)."""
        self.tabs.setCurrentIndex(tab)
        focus = {0: self.transfers, 2: self.past.day, 4: self.forecasts.table, 5: self.case_mix.period}.get(
            tab, self.tabs.tabBar())
        focus.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_first(self) -> None:
        """The keyboard starts on the open transfers: arrow keys pick one, Return redirects it."""
        self.transfers.setFocus()

    def open_redirect(self) -> None:
        transfer_id = self.transfers.selected_transfer_id()
        if transfer_id is None:
            self.message.setText("Select a transfer in the table first.")
            return
        self._relay.submit(redirect_options, self._store, transfer_id, on_result=self._show_redirect,
                           on_error=self._show_error, owner=self)

    def _show_redirect(self, options: RedirectOptions) -> None:
        self.message.setText("")
        dialog = RedirectDialog(options, self)
        dialog.redirect_chosen.connect(partial(self._redirect, options.transfer_id))
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _r: self.transfers.setFocus())  # the keyboard back on the transfers
        self.redirect_dialog = dialog
        dialog.open()

    def _redirect(self, transfer_id: str, hospital_id: str, unit: str, reason: str) -> None:
        self._relay.submit(redirect_transfer, self._store, self._user, transfer_id, hospital_id, unit, reason,
                           utc_now(), on_result=self._redirected, on_error=self._show_error, owner=self)

    def _redirected(self, _result: object) -> None:
        self._on_local_change()
        self.refresh_transfers()

    def _show_error(self, error: object) -> None:
        self.message.setText(str(error))

    def _on_capacity(self, hospitals: list[HospitalCapacity]) -> None:
        self._hospitals = hospitals
        self.capacity.set_capacity(hospitals)
        self.map.show_scene(self._scene())
        own = [h for h in hospitals if h.external is None]
        external = len(hospitals) - len(own)
        free = sum(h.available for h in own)
        also = f" (and {external} external, read-only)" if external else ""
        self.heading.setText(f"Network overview — {len(own)} hospitals, {free} beds free{also}")

    def _on_hospital_picked(self, hospital_id: str) -> None:
        chosen = next((h for h in self._hospitals if h.id == hospital_id), None)
        self._picked = hospital_id
        self.map.show_scene(self._scene())
        if chosen is not None:
            self.map.selection.setText(f"<b>{chosen.name}</b>: {capacity_label(chosen)} (free / total beds)")

    def _export_csv(self) -> None:
        self._relay.submit(export_capacity_csv, self._store, self._data_dir, on_result=self._exported,
                           on_error=self._exported, owner=self)

    def _exported(self, result: object) -> None:
        self.export_result.setText(f"Saved: {result}" if isinstance(result, Path) else f"Could not export: {result}")
