"""Blood bank workspace (issue 24): the request queue (Ctrl+1), stock against par (Ctrl+2), the shelf (Ctrl+3),
registering units (Ctrl+4), donors and the call-up list (Ctrl+5). Every change is saved here first and decided by
the server."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.blood_bank import BloodBankService
from emsync_desktop.services.blood_donors import DonorService
from emsync_desktop.services.blood_views import BloodViews
from emsync_desktop.store.database import Store
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.sync.protocol_blood import BLOOD_PAR_ENTITY, BLOOD_REQUEST_ENTITY, BLOOD_UNIT_ENTITY, DONOR_ENTITY
from emsync_desktop.ui.blood_bank.donors_view import DonorsView
from emsync_desktop.ui.blood_bank.queue_view import RequestQueueView
from emsync_desktop.ui.blood_bank.register_form import UnitRegisterForm
from emsync_desktop.ui.blood_bank.shelf_view import ShelfView
from emsync_desktop.ui.blood_bank.stock_view import StockView
from emsync_desktop.ui.nurse.workspace import hospital_name
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme

_SHOWN = {BLOOD_UNIT_ENTITY, BLOOD_REQUEST_ENTITY, DONOR_ENTITY, BLOOD_PAR_ENTITY}


class BloodBankWorkspace(QWidget):
    def __init__(self, relay: TaskRelay, store: Store, user: UserInfo, theme: Theme,
                 on_local_change: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        views, service = BloodViews(store, user), BloodBankService(store, user)
        self.heading = QLabel("Blood bank")
        self.heading.setObjectName("heading")
        self.queue = RequestQueueView(relay, views, service, theme, on_local_change)
        self.stock = StockView(relay, views, service, theme, on_local_change)
        self.shelf = ShelfView(relay, views, service, theme, on_local_change)
        self.register = UnitRegisterForm(relay, service, on_local_change)
        self.donors = DonorsView(relay, DonorService(store, user), on_local_change)
        self.tabs = QTabWidget()
        for index, (view, title) in enumerate(((self.queue, "Requests"), (self.stock, "Stock"),
                                               (self.shelf, "Shelf"), (self.register, "Register units"),
                                               (self.donors, "Donors"))):
            self.tabs.addTab(view, title)
            QShortcut(QKeySequence(f"Ctrl+{index + 1}"), self, lambda i=index: self.tabs.setCurrentIndex(i),
                      context=Qt.ShortcutContext.WindowShortcut)
        self.register.registered.connect(lambda _id: self.refresh())
        self.queue.changed.connect(self.shelf.refresh)
        self.shelf.changed.connect(self.stock.refresh)
        self.shelf.changed.connect(self.donors.refresh)  # a unit discarded may put a group below par
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        relay.submit(hospital_name, store, user, on_result=self._on_hospital, owner=self)
        self.refresh()

    def refresh(self) -> None:
        self.queue.refresh()
        self.stock.refresh()
        self.shelf.refresh()
        self.donors.refresh()

    def on_synced(self, status: SyncStatus) -> None:
        """The server's answers and others' requests arrived: redraw what shows them."""
        if status.touched & _SHOWN or not status.pending:
            self.refresh()

    def _on_hospital(self, name: str | None) -> None:
        self.heading.setText(f"Blood bank · {name}" if name else
                             "No hospital assigned to this account: ask an admin to assign one")
