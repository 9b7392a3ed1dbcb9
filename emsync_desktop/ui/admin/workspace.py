"""Admin workspace frame: this device, users, hospitals."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.network import HospitalCapacity, network_capacity
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme
from emsync_desktop.ui.widgets.capacity_table import CapacityTable


class AdminWorkspace(QWidget):
    def __init__(self, relay: TaskRelay, context: AppContext, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel("Administration")
        heading.setObjectName("heading")
        device = QWidget()
        form = QFormLayout(device)
        form.addRow("Install id", QLabel(context.install.install_id))
        form.addRow("Device id", QLabel(context.install.device_id))
        form.addRow("Mode", QLabel("Demo (made-up patients)" if context.install.demo else "Production"))
        form.addRow("Data folder", QLabel(str(context.data_dir)))
        form.addRow("Data key kept by", QLabel(context.key_source))
        self.users = QTableWidget(0, 4)
        self.users.setHorizontalHeaderLabels(["User", "Name", "Role", "Assigned to"])
        self.users.verticalHeader().setVisible(False)
        self.users.horizontalHeader().setStretchLastSection(True)
        self.hospitals = CapacityTable(theme)
        tabs = QTabWidget()
        tabs.addTab(device, "This device")
        tabs.addTab(self.users, "Users")
        tabs.addTab(self.hospitals, "Hospitals")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(tabs, 1)
        relay.submit(demo_users, context.store, on_result=self._on_users, owner=self)
        relay.submit(network_capacity, context.store, on_result=self._on_hospitals, owner=self)

    def _on_users(self, users: list[UserInfo]) -> None:
        self.users.setRowCount(len(users))
        for r, u in enumerate(users):
            where = u.ambulance_unit or u.hospital_id or "network"
            for c, text in enumerate((u.username, u.display_name, u.role.label, where)):
                self.users.setItem(r, c, QTableWidgetItem(text))
        self.users.resizeColumnsToContents()

    def _on_hospitals(self, hospitals: list[HospitalCapacity]) -> None:
        self.hospitals.set_capacity(hospitals)
