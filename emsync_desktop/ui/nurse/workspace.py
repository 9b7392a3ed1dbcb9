"""Nurse workspace: the ward's beds by unit and status, and incoming transfers to accept or reject.

The full bed board (per-bed status changes) arrives with the ward issue.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.network import BED_STATUSES, HospitalCapacity, network_capacity
from emsync_desktop.services.ward import WardService
from emsync_desktop.store.database import Store
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.ui.nurse.incoming import IncomingTransfersView
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme
from emsync_desktop.ui.widgets.frame import card


class NurseWorkspace(QWidget):
    def __init__(self, relay: TaskRelay, store: Store, user: UserInfo, theme: Theme,
                 on_local_change: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._user = user
        self.heading = QLabel("Bed board")
        self.heading.setObjectName("heading")
        self.table = QTableWidget(0, 2 + len(BED_STATUSES))
        self.table.setHorizontalHeaderLabels(
            ["Unit", "Beds", *(s.replace("_", "\n").capitalize() for s in BED_STATUSES)])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setStyleSheet("font-size: 18px;")
        self._relay = relay
        self._store = store
        self.incoming = IncomingTransfersView(relay, WardService(store, user), on_local_change)
        incoming = QScrollArea()
        incoming.setWidgetResizable(True)
        incoming.setWidget(self.incoming)
        row = QHBoxLayout()
        row.addWidget(card("Beds by unit and status", self.table), 3)
        row.addWidget(card("Incoming transfers", incoming), 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(row, 1)
        relay.submit(network_capacity, store, on_result=self._on_capacity, owner=self)

    def on_synced(self, status: SyncStatus) -> None:
        """Refresh after the sync engine brought changes (new transfers, bed states)."""
        if status.touched & {"transfer", "handoff", "booking"}:
            self.incoming.refresh()
        if status.touched & {"bed"}:
            self._relay.submit(network_capacity, self._store, on_result=self._on_capacity, owner=self)

    def _on_capacity(self, hospitals: list[HospitalCapacity]) -> None:
        mine = next((h for h in hospitals if h.id == self._user.hospital_id), None)
        if mine is None:
            self.heading.setText("Bed board — no hospital assigned to this account")
            return
        self.heading.setText(f"Bed board — {mine.name}")
        self.table.setRowCount(len(mine.units))
        for r, unit in enumerate(mine.units.values()):
            self.table.setItem(r, 0, QTableWidgetItem(unit.unit))
            self.table.setItem(r, 1, QTableWidgetItem(str(unit.total)))
            for c, status in enumerate(BED_STATUSES, start=2):
                item = QTableWidgetItem(str(unit.by_status.get(status, 0)))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(r, c, item)
            self.table.setRowHeight(r, 48)
