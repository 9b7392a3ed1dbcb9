"""Admin workspace frame: this device, users, hospitals, the formulary, models, the server's audit chain,
NEMSIS export."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.audit_check import (
    AuditCheck,
    VerifyAudit,
    check_audit_chain,
    describe_audit_check,
    held_for_check,
)
from emsync_desktop.services.auth import demo_accounts
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.formulary_admin import FormularyAdmin
from emsync_desktop.services.network import HospitalCapacity, network_capacity
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.sync.protocol import AuditAnchor
from emsync_desktop.ui.admin.formulary_view import FormularyView
from emsync_desktop.ui.admin.models_view import ModelsView
from emsync_desktop.ui.admin.reports_view import NemsisReportsView
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.capacity_table import CapacityTable


class AdminWorkspace(QWidget):
    def __init__(self, relay: TaskRelay, context: AppContext, theme: Theme, verify_audit: VerifyAudit | None = None,
                 parent: QWidget | None = None, *, user: UserInfo, nudge: Callable[[], None] = lambda: None) -> None:
        """``verify_audit``: asks the sync server to check its audit chain (None: not connected to one);
        ``user``: the signed-in admin (who publishes the formulary); ``nudge``: send queued changes now."""
        super().__init__(parent)
        self._relay, self._data_dir, self._store = relay, context.data_dir, context.store
        self._verify_audit = verify_audit
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
        self.formulary = FormularyView(relay, FormularyAdmin(context.store, user), nudge)
        tabs = QTabWidget()
        tabs.addTab(device, "This device")
        tabs.addTab(self.users, "Users")
        tabs.addTab(self.hospitals, "Hospitals")
        tabs.addTab(self.formulary, "Formulary")
        self.models = ModelsView(relay, context.data_dir, user.display_name or user.username)
        tabs.addTab(self.models, "Models")
        tabs.addTab(self._audit_tab(), "Audit chain")
        self.reports = NemsisReportsView(relay, context.store)
        tabs.addTab(self.reports, "NEMSIS export")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(tabs, 1)
        relay.submit(demo_accounts, context.store, on_result=self._on_users, owner=self)
        relay.submit(network_capacity, context.store, on_result=self._on_hospitals, owner=self)
        self.models.refresh()
        self.verify_audit()

    def on_synced(self, status: SyncStatus) -> None:
        """A sync cycle ended (main window): the formulary may have changed, or its publishing been answered."""
        self.formulary.on_synced(status)

    def _audit_tab(self) -> QWidget:
        tab = QWidget()
        self.audit_status = QLabel()
        self.audit_status.setWordWrap(True)
        self.verify_button = touch_button("Verify audit chain now")
        self.verify_button.clicked.connect(self.verify_audit)
        layout = QVBoxLayout(tab)
        layout.addWidget(QLabel("<b>Server audit chain</b>"))
        layout.addWidget(self.audit_status)
        explanation = QLabel("The server records every change in a keyed hash chain and signs its head every few "
                             "minutes. This desk and the coordinators' desks keep those signed heads, so a chain "
                             "shortened or rewritten on the server is caught when it is verified here.")
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        layout.addWidget(self.verify_button)
        layout.addStretch(1)
        return tab

    def verify_audit(self) -> None:
        """Ask the server to check its whole chain against its anchors and the ones this desk holds."""
        if self._verify_audit is None:
            self.audit_status.setText("This desk is not connected to a sync server: the audit chain is kept and "
                                      "verified there.")
            self.verify_button.setEnabled(False)
            return
        self.audit_status.setText("Verifying the audit chain on the server…")
        self.verify_button.setEnabled(False)
        self._relay.submit(held_for_check, self._store, on_result=self._send_held, on_error=self._not_verified,
                           owner=self)

    def _send_held(self, held: tuple[list[AuditAnchor], str | None]) -> None:
        self._relay.submit_background(check_audit_chain, self._verify_audit, *held, on_result=self._verified,
                                      on_error=self._not_verified, owner=self)

    def _verified(self, check: AuditCheck) -> None:
        self.audit_status.setText(describe_audit_check(check))
        self.audit_status.setObjectName("" if check.ok else "fieldWarning")  # the theme styles it by name
        self.audit_status.style().unpolish(self.audit_status)
        self.audit_status.style().polish(self.audit_status)
        self.verify_button.setEnabled(True)

    def _not_verified(self, error: BaseException) -> None:
        self.audit_status.setText(f"The audit chain could not be verified now: {error}")
        self.verify_button.setEnabled(True)

    def _on_users(self, accounts: list[tuple[UserInfo, str]]) -> None:
        self.users.setRowCount(len(accounts))
        for r, (u, works_at) in enumerate(accounts):
            where = works_at or "network"  # the ambulance, or the hospital by name (never its id)
            for c, text in enumerate((u.username, u.display_name, u.role.label, where)):
                self.users.setItem(r, c, QTableWidgetItem(text))
        self.users.resizeColumnsToContents()

    def _on_hospitals(self, hospitals: list[HospitalCapacity]) -> None:
        self.hospitals.set_capacity(hospitals)
