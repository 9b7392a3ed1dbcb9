"""Pieces every blood screen uses (issue 24): a table of records chosen one row at a time, and the line under
the actions that says what happened (done, waiting for the server, or refused with what to do)."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QWidget


def record_table(columns: list[str], *, choose_rows: bool = True) -> QTableWidget:
    """Read-only, one row chosen at a time, columns sharing the width; Tab leaves it (arrows move within)."""
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    if choose_rows:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    return table


class OutcomeLine(QLabel):
    """What the last action came to, in the theme's colours: ``say`` (done), ``refuse`` (✖ and what to do),
    ``wait`` (saved, the server has not answered)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)

    def say(self, text: str) -> None:
        self._show("outcome", text)

    def refuse(self, text: str) -> None:
        self._show("outcomeRefused", f"✖ {text}")

    def wait(self, text: str) -> None:
        self._show("outcomeWaiting", text)

    @property
    def refused(self) -> bool:
        return self.objectName() == "outcomeRefused" and bool(self.text())

    def _show(self, kind: str, text: str) -> None:
        if self.objectName() != kind:
            self.setObjectName(kind)
            self.setStyleSheet("")  # re-polished for the new object name
        self.setText(text)
