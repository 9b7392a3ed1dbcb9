"""Nurse workspace frame: the ward's bed summary and the incoming-transfers area.

The full bed board and incoming transfers arrive with the sync and ward issues.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.network import BED_STATUSES, HospitalCapacity, network_capacity
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme
from emsync_desktop.ui.widgets.frame import card


class NurseWorkspace(QWidget):
    def __init__(self, relay: TaskRelay, store: object, user: UserInfo, theme: Theme,
                 parent: QWidget | None = None) -> None:
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
        incoming = QLabel("No incoming transfers.\nTransfers and SBAR handoffs from ambulances appear here "
                          "once this workstation is connected to the sync server.")
        incoming.setObjectName("muted")
        incoming.setWordWrap(True)
        incoming.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QHBoxLayout()
        row.addWidget(card("Beds by unit and status", self.table), 3)
        row.addWidget(card("Incoming transfers", incoming), 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(row, 1)
        relay.submit(network_capacity, store, on_result=self._on_capacity, owner=self)

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
