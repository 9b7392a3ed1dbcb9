"""Stock against par (issue 24): available units per component and group, the par level kept, how many short,
and how many expire within 48 hours; short lines red, expiring ones amber."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.blood import StockLine
from emsync_desktop.services.blood_views import BloodViews
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme, attention_colour

_COLUMNS = ["Component", "Group", "Available", "Par", "Short", "Expiring ≤ 48 h"]


class StockView(QWidget):
    def __init__(self, relay: TaskRelay, views: BloodViews, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._views, self._theme = relay, views, theme
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        self._relay.submit(self._views.stock, on_result=self._on_stock, owner=self)

    def _on_stock(self, lines: list[StockLine]) -> None:
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            cells = [line.component.label, str(line.group), str(line.available), str(line.par),
                     str(line.short) if line.short else "", str(line.expiring) if line.expiring else ""]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                kind = {4: "danger", 5: "caution"}.get(column) if text and column >= 4 else None
                if kind is not None:  # the cell that needs acting on, not the whole line
                    background, colour = attention_colour(self._theme, kind)
                    item.setBackground(QColor(background))
                    item.setForeground(QColor(colour))
                self.table.setItem(row, column, item)
        short = sum(1 for line in lines if line.short)
        expiring = sum(line.expiring for line in lines)
        self.summary.setText((f"{short} line(s) below par: order from the blood centre." if short else
                              "Every line at or above par.")
                             + (f"  ·  {expiring} unit(s) expire within 48 hours: use them first." if expiring else ""))
