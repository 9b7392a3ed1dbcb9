"""Nurse workspace: the ward's bed board (every bed, changed by tap or key) and incoming transfers."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.bed_board import BedBoardService
from emsync_desktop.services.ward import WardService
from emsync_desktop.store.database import Store
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.ui.nurse.bed_board import BedBoardView
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
        self._relay = relay
        self.beds = BedBoardView(relay, BedBoardService(store, user), theme, on_local_change)
        self.incoming = IncomingTransfersView(relay, WardService(store, user), on_local_change)
        row = QHBoxLayout()
        row.addWidget(card("Beds", _scrolling(self.beds)), 3)
        row.addWidget(card("Incoming transfers", _scrolling(self.incoming)), 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(row, 1)
        relay.submit(hospital_name, store, user, on_result=self._on_hospital, owner=self)

    def on_synced(self, status: SyncStatus) -> None:
        """Refresh after the sync engine brought changes (new transfers, bed states)."""
        if status.touched & {"transfer", "handoff", "booking"}:
            self.incoming.refresh()
        if status.touched & {"bed", "booking"} or not status.pending:
            self.beds.refresh()

    def _on_hospital(self, name: str | None) -> None:
        self.heading.setText(f"Bed board — {name}" if name else "Bed board — no hospital assigned to this account")


def hospital_name(store: Store, user: UserInfo) -> str | None:
    return BedBoardService(store, user).board().hospital or None


def _scrolling(widget: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(widget)
    return scroll
