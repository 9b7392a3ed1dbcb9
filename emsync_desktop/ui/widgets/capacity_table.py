"""Table of free / total beds per hospital and unit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from emsync_desktop.services.network import UNITS, HospitalCapacity
from emsync_desktop.ui.theme import Theme


class CapacityTable(QTableWidget):
    def __init__(self, theme: Theme, parent: QWidget | None = None, *, show_capabilities: bool = True) -> None:
        super().__init__(0, 2 + len(UNITS), parent)
        self._theme = theme
        self.setHorizontalHeaderLabels(["Hospital", *(f"{u} free/all" for u in UNITS), "Capabilities"])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setColumnHidden(len(UNITS) + 1, not show_capabilities)  # hidden: on the hospital's tooltip instead
        if not show_capabilities:  # the hospital's (short) name whole; the unit columns share what is left
            for column in range(1, len(UNITS) + 1):
                self.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            self.horizontalHeader().setStretchLastSection(False)

    def set_capacity(self, hospitals: list[HospitalCapacity]) -> None:
        self.setSortingEnabled(False)
        self.setRowCount(len(hospitals))
        for row, h in enumerate(hospitals):
            name = QTableWidgetItem(h.short_name)  # fits the column ("Amrita", not "Amrita Institute o…")
            capabilities = ", ".join(c.replace("_", " ") for c in h.capabilities)
            name.setToolTip(f"{h.name}\nCapabilities: {capabilities or 'none listed'}")
            if h.external is not None:  # another region's report: marked, greyed, never bookable from here
                name.setText(f"{_shortened(h.short_name)} · ext. {_shortened(h.external.region, 12)}")
                name.setToolTip(f"{h.name}\n{h.external.label()}\nEmergency department: {h.external.ed_status}")
                name.setForeground(QColor(self._theme.muted))
                font = name.font()
                font.setItalic(True)
                name.setFont(font)
            self.setItem(row, 0, name)
            for col, unit in enumerate(UNITS, start=1):
                cap = h.units.get(unit)
                item = QTableWidgetItem(f"{cap.available} / {cap.total}" if cap else "—")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setData(Qt.ItemDataRole.UserRole, cap.available if cap else -1)
                if cap is not None and cap.available == 0:
                    item.setForeground(QColor(self._theme.error))
                self.setItem(row, col, item)
            self.setItem(row, len(UNITS) + 1, QTableWidgetItem(", ".join(c.replace("_", " ") for c in h.capabilities)))
            self.setRowHeight(row, 40)
        self.setSortingEnabled(True)
        self.sortItems(0, Qt.SortOrder.AscendingOrder)


def _shortened(text: str, most: int = 22) -> str:
    """An external hospital's name (HAVE carries no short name) cut to fit beside the unit columns; the
    whole name is on the row's tooltip."""
    first = text.split(",")[0].strip()
    return first if len(first) <= most else first[:most - 1].rstrip() + "…"
