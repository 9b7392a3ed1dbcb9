"""Coordinator workspace frame: network capacity and the open-transfers area.

The map, transfer control and charts arrive with the map and coordinator issues.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from emsync_desktop.services.network import HospitalCapacity, network_capacity
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme
from emsync_desktop.ui.widgets.capacity_table import CapacityTable
from emsync_desktop.ui.widgets.frame import card


class CoordinatorWorkspace(QWidget):
    def __init__(self, relay: TaskRelay, store: object, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel("Network overview")
        self.heading.setObjectName("heading")
        self.capacity = CapacityTable(theme)
        transfers = QLabel("No open transfers.\nEvery transfer in the network appears here, with its state, "
                           "age, destination and ETA, once connected to the sync server.")
        transfers.setObjectName("muted")
        transfers.setWordWrap(True)
        transfers.setAlignment(Qt.AlignmentFlag.AlignCenter)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(card("Capacity by hospital and unit (free / total beds)", self.capacity))
        split.addWidget(card("Open transfers", transfers))
        split.setSizes([520, 260])
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(split, 1)
        relay.submit(network_capacity, store, on_result=self._on_capacity, owner=self)

    def _on_capacity(self, hospitals: list[HospitalCapacity]) -> None:
        self.capacity.set_capacity(hospitals)
        free = sum(h.available for h in hospitals)
        self.heading.setText(f"Network overview — {len(hospitals)} hospitals, {free} beds free")
