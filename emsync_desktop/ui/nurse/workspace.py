"""Nurse workspace: the ward's bed board (every bed, changed by tap or key) and incoming transfers; the ward's
tasks, chest X-ray analysis and blood (ask the blood bank, bedside check) in their own tabs."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSystemTrayIcon,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.geo.routing import router_for
from emsync_desktop.services.bed_board import BedBoardService
from emsync_desktop.services.blood_bank import BloodBankService
from emsync_desktop.services.blood_views import BloodViews
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.handover import gather_handover
from emsync_desktop.services.imaging import ImagingAnalyser
from emsync_desktop.services.messages import MessageService
from emsync_desktop.services.rosters import RosterBook
from emsync_desktop.services.staffing import staffing
from emsync_desktop.services.ward import WardService
from emsync_desktop.services.ward_tasks import WardTaskService
from emsync_desktop.store.database import Store
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.sync.protocol import AMBULANCE_POSITION_ENTITY, FORECAST_ENTITY, RECORD_ENTITIES
from emsync_desktop.sync.protocol_blood import BLOOD_REQUEST_ENTITY, BLOOD_UNIT_ENTITY
from emsync_desktop.sync.protocol_tasks import WARD_TASK_ENTITY
from emsync_desktop.ui.blood_bank.ward_blood import WardBloodView
from emsync_desktop.ui.messages.center import MessageCenter
from emsync_desktop.ui.nurse.bed_board import BedBoardView
from emsync_desktop.ui.nurse.ecg_open import EcgOpener
from emsync_desktop.ui.nurse.incoming import IncomingTransfersView
from emsync_desktop.ui.nurse.roster_view import RosterView
from emsync_desktop.ui.nurse.task_board import TaskBoardView
from emsync_desktop.ui.nurse.xray_view import XrayView
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.frame import card


class NurseWorkspace(QWidget):
    def __init__(self, relay: TaskRelay, store: Store, user: UserInfo, theme: Theme,
                 on_local_change: Callable[[], None], analyser: ImagingAnalyser, data_dir: Path,
                 fetch_blob: Callable[[str], bytes] | None = None, parent: QWidget | None = None, *,
                 demo: bool = False) -> None:
        super().__init__(parent)
        self._user = user
        self._tray: QSystemTrayIcon | None = None
        self.heading = QLabel("Ward")
        self.heading.setObjectName("heading")
        self._relay = relay
        self.beds = BedBoardView(relay, BedBoardService(store, user), theme, on_local_change)
        self.ecg = EcgOpener(relay, data_dir, fetch_blob, self)
        self.incoming = IncomingTransfersView(relay, WardService(store, user), on_local_change, ecg=self.ecg,
                                              router=router_for(data_dir), maps_dir=data_dir,
                                              night=theme.name == "dark")
        self.messages = MessageCenter(relay, MessageService(store, user), user.id, on_local_change, self,
                                      current=self.incoming.focused_or_first)
        self.incoming.open_thread.connect(self.messages.open_thread)
        self.messages.counts_changed.connect(self.incoming.show_message_counts)
        self.alert = QLabel()
        self.alert.setWordWrap(True)
        self.alert.setObjectName("criticalAlert")  # colours from the theme (NEWS2's red band)
        self.alert.setVisible(False)
        self.dismiss = touch_button("Seen")
        self.dismiss.setVisible(False)
        self.dismiss.clicked.connect(self._dismiss_alert)
        self.incoming.critical_arrived.connect(self._alert_critical)
        self._alerted: str | None = None  # the transfer the red banner is about
        self.incoming.cards_shown.connect(self._drop_answered_alert)
        QShortcut(QKeySequence("Ctrl+I"), self, self._to_incoming, context=Qt.ShortcutContext.WindowShortcut)
        QShortcut(QKeySequence("Ctrl+B"), self, self._to_beds, context=Qt.ShortcutContext.WindowShortcut)
        self.beds.shown.connect(self._order_focus)
        self.incoming.cards_shown.connect(self._order_focus)
        ward = QWidget()
        row = QHBoxLayout(ward)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(card("Beds", _scrolling(self.beds, scroll_bar_always=True)), 3)
        row.addWidget(card("Incoming transfers", _scrolling(self.incoming)), 2)
        self.xray = XrayView(relay, analyser, store, user, data_dir, fetch_blob, theme)
        self.incoming.transfers_shown.connect(self.xray.set_transfers)
        self.tabs = QTabWidget()
        self.tabs.addTab(ward, "Ward")
        self.tasks = TaskBoardView(relay, WardTaskService(store, user), user.id, theme, on_local_change,
                                   handover=lambda: gather_handover(store, user, utc_now()), data_dir=data_dir)
        self.tasks.escalations_changed.connect(self._title_tasks)
        self.tabs.addTab(self.tasks, "Tasks")
        self.tasks.refresh()
        book = RosterBook(store, user, demo=demo)
        self.roster = RosterView(relay, book, lambda saved: staffing(store, user, saved, utc_now()), theme)
        self.tabs.addTab(self.roster, "Roster && staffing")
        self.roster.refresh()
        QShortcut(QKeySequence("Ctrl+R"), self, lambda: self.tabs.setCurrentWidget(self.roster),
                  context=Qt.ShortcutContext.WindowShortcut)
        QShortcut(QKeySequence("Ctrl+T"), self, self._to_tasks, context=Qt.ShortcutContext.WindowShortcut)
        QShortcut(QKeySequence("Ctrl+N"), self.tasks, self.tasks.new.click,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.tabs.addTab(self.xray, "Chest X-ray")
        self.blood = WardBloodView(relay, BloodViews(store, user), BloodBankService(store, user), on_local_change)
        self.tabs.addTab(self.blood, "Blood")
        self.blood.refresh()
        alert_row = QHBoxLayout()
        alert_row.addWidget(self.alert, 1)
        alert_row.addWidget(self.dismiss)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(alert_row)
        layout.addWidget(self.messages.banner)
        layout.addWidget(self.tabs, 1)
        relay.submit(hospital_name, store, user, on_result=self._on_hospital, owner=self)

    def flush(self) -> None:
        """Save anything typed but not yet committed (a message thread's line), before sign-out or a rebuild."""
        self.messages.flush()

    def on_synced(self, status: SyncStatus) -> None:
        """Refresh after the sync engine brought changes (new transfers, bed states, the crew's record)."""
        if status.touched & {"transfer", "handoff", "booking", AMBULANCE_POSITION_ENTITY,
                             *RECORD_ENTITIES.values()}:
            self.incoming.refresh()
        if status.touched & {"bed", "booking"} or not status.pending:
            self.beds.refresh()
        self.messages.on_synced(status)
        if status.touched & {BLOOD_UNIT_ENTITY, BLOOD_REQUEST_ENTITY} or not status.pending:
            self.blood.refresh()
        if status.touched & {WARD_TASK_ENTITY} or not status.pending:
            self.tasks.refresh()
        if status.touched & {WARD_TASK_ENTITY, FORECAST_ENTITY, "bed"}:
            self.roster.refresh()  # the staffing red flags and forecast
        if status.touched & {"imaging"} or not status.pending:
            self.xray.refresh_studies()  # a study sent (or refused), or one from another workstation

    def _to_incoming(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.incoming.focus_first_card()

    def _to_tasks(self) -> None:
        self.tabs.setCurrentWidget(self.tasks)
        self.tasks.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _title_tasks(self, escalated: int) -> None:
        index = self.tabs.indexOf(self.tasks)
        self.tabs.setTabText(index, f"Tasks ⚠ {escalated}" if escalated else "Tasks")

    def _to_beds(self) -> None:
        self.tabs.setCurrentIndex(0)
        first = next(iter(self.beds.tiles.values()), None)
        if first is not None:
            first.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _drop_answered_alert(self) -> None:
        """The banner goes once its transfer is answered (accepted, rejected, or gone), not only on Seen."""
        if self._alerted is not None and self._alerted not in self.incoming.pending_ids():
            self._dismiss_alert()

    def _order_focus(self) -> None:
        """Tab goes as the screen reads: the tabs, every bed (left to right, top to bottom), then the incoming
        transfers. Rebuilt tiles and cards would otherwise join the end of the chain in whatever order they
        were last redrawn."""
        chain = [self.tabs.tabBar(), *self.beds.tiles.values(), *self.incoming.findChildren(QPushButton)]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _alert_critical(self, transfer_id: str, text: str) -> None:
        """Visual (no sound): a banner here, and a desktop notification where the desktop has a tray."""
        self._alerted = transfer_id
        self.alert.setText(f"⚠ New CRITICAL incoming transfer: {text}")
        self.alert.setVisible(True)
        self.dismiss.setVisible(True)
        if QSystemTrayIcon.isSystemTrayAvailable():
            if self._tray is None:
                self._tray = QSystemTrayIcon(self.windowIcon(), self)
                self._tray.show()
            self._tray.showMessage("EMsync: critical transfer", text, QSystemTrayIcon.MessageIcon.Warning, 15_000)

    def _dismiss_alert(self) -> None:
        self._alerted = None
        self.alert.setVisible(False)
        self.dismiss.setVisible(False)

    def _on_hospital(self, name: str | None) -> None:
        self.heading.setText(name or "No hospital assigned to this account: ask an admin to assign one")


def hospital_name(store: Store, user: UserInfo) -> str | None:
    return BedBoardService(store, user).board().hospital or None


def _scrolling(widget: QWidget, *, scroll_bar_always: bool = False) -> QScrollArea:
    """``scroll_bar_always``: for content that lays itself out by its width (the bed board's columns): a
    scroll bar coming and going changed the width, the columns, the height and so the scroll bar again,
    and the board was rebuilt 60 times a second."""
    scroll = QScrollArea()
    if scroll_bar_always:
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
    scroll.setWidgetResizable(True)
    scroll.setWidget(widget)
    return scroll
