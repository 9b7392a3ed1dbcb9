"""The coordinator's table of open transfers; rows that need attention are coloured."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.messages import ThreadCount
from emsync_desktop.services.network_transfers import LiveLookup, OpenTransfer, arrival_text
from emsync_desktop.ui.theme import Theme, attention_colour

TRANSFER_ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Patient", "Severity", "State", "To", "Age", "ETA", "Bed", "Attention")
ETA_WIDTH_PX = 440  # "arrives in 14 min (updated 1 min 5 s ago, offline road graph)" at the desk's font


class OpenTransfersTable(QTableWidget):
    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self._theme = theme
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # attention first until a click
        self.setSortingEnabled(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        # The arrival changes every few seconds: a column sized to it would shove Bed and Attention about.
        self.horizontalHeader().setSectionResizeMode(COLUMNS.index("ETA"), QHeaderView.ResizeMode.Interactive)
        self.setColumnWidth(COLUMNS.index("ETA"), ETA_WIDTH_PX)
        self.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.message_counts: dict[str, ThreadCount] = {}  # set by the desk's message centre

    def _urgent_message(self, transfer_id: str) -> bool:
        count = self.message_counts.get(transfer_id)
        return count is not None and count.urgent_waiting > 0

    def selected_transfer_id(self) -> str | None:
        rows = self.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.item(rows[0].row(), 0)
        return str(item.data(TRANSFER_ID_ROLE)) if item is not None else None

    def select_transfer(self, transfer_id: str) -> None:
        for row in range(self.rowCount()):
            item = self.item(row, 0)
            if item is not None and item.data(TRANSFER_ID_ROLE) == transfer_id:
                self.selectRow(row)

    def set_transfers(self, transfers: list[OpenTransfer], live: LiveLookup = lambda _id: None) -> None:
        """Replace the rows, keeping the selected transfer selected. ``live``: arrival times recomputed from the
        ambulances' positions (``ui.live_etas``); the ETA column says how fresh each is."""
        now = utc_now()
        selected = self.selected_transfer_id()
        transfers = sorted(transfers, key=lambda t: not self._urgent_message(t.id))  # on top, like other alarms
        self.setSortingEnabled(False)
        self.setRowCount(len(transfers))
        for row, t in enumerate(transfers):
            patient = t.patient + _messages_marker(self.message_counts.get(t.id))
            attention = t.attention or (URGENT_MESSAGE if self._urgent_message(t.id) else None)
            values = (patient, t.severity or "–", t.state, f"{t.destination} · {t.unit}", f"{t.age_min} min",
                      arrival_text(t, live, now), t.bed, attention or t.note)
            kind = _attention_kind(attention)
            colours = attention_colour(self._theme, kind) if kind is not None else None
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setData(TRANSFER_ID_ROLE, t.id)
                if col == 4:
                    item.setData(Qt.ItemDataRole.UserRole, t.age_min)
                if colours is not None:
                    item.setBackground(QColor(colours[0]))
                    item.setForeground(QColor(colours[1]))
                self.setItem(row, col, item)
            self.setRowHeight(row, 40)
        self.setSortingEnabled(True)
        if selected is not None:
            self.select_transfer(selected)


URGENT_MESSAGE = "urgent message"  # the column is narrow at 1366 px; the banner says what to do


def _messages_marker(count: ThreadCount | None) -> str:
    """After the patient: '  ⚠ urgent message', '  ✉ 2 new', or nothing."""
    if count is None:
        return ""
    if count.urgent_waiting:
        return "  ⚠ urgent message"
    return f"  ✉ {count.unread} new" if count.unread else ""


def _attention_kind(attention: str | None) -> str | None:
    if attention is None:
        return None
    if attention.startswith(("bed refused", "refused", "bed hold lapsed", "urgent message")):
        return "danger"
    return "pending" if "waiting for the server" in attention else "caution"
