"""The network's blood for the desk (issue 24): red cells on each hospital's shelf, O negative apart (who can
send O negative to a hospital that ran out), and how many expire within 48 hours."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.services.blood_views import BloodViews, NetworkStock
from emsync_desktop.ui.blood_bank.parts import record_table
from emsync_desktop.ui.tasks import TaskRelay

_COLUMNS = ["Hospital", "O negative red cells", "All red cells", "Expiring ≤ 48 h"]


class NetworkBloodView(QWidget):
    def __init__(self, relay: TaskRelay, views: BloodViews, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._views = relay, views
        self.note = QLabel("Available, unexpired red cells as the blood banks last reported them; most O negative "
                           "first.")
        self.note.setObjectName("muted")
        self.table = record_table(_COLUMNS, choose_rows=False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        self._relay.submit(self._views.network, on_result=self._on_network, owner=self)

    def _on_network(self, lines: list[NetworkStock]) -> None:
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            cells = [line.hospital_name, str(line.o_negative_red_cells), str(line.red_cells), str(line.expiring)]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        if not lines:
            self.note.setText("No blood bank has reported red cells yet.")
