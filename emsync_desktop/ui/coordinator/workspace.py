"""Coordinator workspace frame: network capacity and the open-transfers area.

The map, transfer control and charts arrive with the map and coordinator issues.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.exports import export_capacity_csv
from emsync_desktop.services.network import HospitalCapacity, network_capacity
from emsync_desktop.services.network_transfers import open_transfers
from emsync_desktop.store.database import Store
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.ui.coordinator.open_transfers import OpenTransfersTable
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.capacity_table import CapacityTable
from emsync_desktop.ui.widgets.frame import card

REFRESH_MS = 30_000  # ages and countdowns move on by themselves


class CoordinatorWorkspace(QWidget):
    def __init__(self, relay: TaskRelay, store: Store, theme: Theme, data_dir: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay = relay
        self._store = store
        self._data_dir = data_dir
        self.heading = QLabel("Network overview")
        self.heading.setObjectName("heading")
        self.export_csv = touch_button("Export capacity (CSV)")
        self.export_csv.clicked.connect(self._export_csv)
        self.export_csv.setVisible(data_dir is not None)
        self.export_result = QLabel()
        self.export_result.setObjectName("muted")
        self.export_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.capacity = CapacityTable(theme)
        self.transfers = OpenTransfersTable(theme)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(card("Capacity by hospital and unit (free / total beds)", self.capacity))
        split.addWidget(card("Open transfers (needing attention first)", self.transfers))
        split.setSizes([520, 260])
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.export_result)
        top.addWidget(self.export_csv)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        relay.submit(network_capacity, store, on_result=self._on_capacity, owner=self)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh_transfers)
        self._timer.start(REFRESH_MS)
        self.refresh_transfers()

    def refresh_transfers(self) -> None:
        self._relay.submit(open_transfers, self._store, utc_now(), on_result=self.transfers.set_transfers, owner=self)

    def on_synced(self, status: SyncStatus) -> None:
        """Refresh after the sync engine brought changes (transfers, bookings, beds)."""
        if status.touched & {"transfer", "booking"}:
            self.refresh_transfers()
        if status.touched & {"bed"}:
            self._relay.submit(network_capacity, self._store, on_result=self._on_capacity, owner=self)

    def _on_capacity(self, hospitals: list[HospitalCapacity]) -> None:
        self.capacity.set_capacity(hospitals)
        free = sum(h.available for h in hospitals)
        self.heading.setText(f"Network overview — {len(hospitals)} hospitals, {free} beds free")

    def _export_csv(self) -> None:
        if self._data_dir is not None:
            self._relay.submit(export_capacity_csv, self._store, self._data_dir, on_result=self._exported,
                               on_error=self._exported, owner=self)

    def _exported(self, result: object) -> None:
        self.export_result.setText(f"Saved: {result}" if isinstance(result, Path) else f"Could not export: {result}")
