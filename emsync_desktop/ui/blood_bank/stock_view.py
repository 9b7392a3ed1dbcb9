"""Stock against par (issue 24): available units per component and group, the par level kept (changed here, for
this blood bank), how many short, and how many expire within 48 hours; what is short red, what expires amber."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.blood import ALL_GROUPS, BloodGroup, Component, StockLine
from emsync_desktop.services.blood_bank import BloodBankService, BloodInputProblem
from emsync_desktop.services.blood_views import BloodViews
from emsync_desktop.ui.blood_bank.parts import OutcomeLine, record_table
from emsync_desktop.ui.blood_bank.request_text import plural
from emsync_desktop.ui.blood_bank.settings_dialog import BloodSettingsDialog
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme, attention_colour
from emsync_desktop.ui.widgets.buttons import touch_button

_COLUMNS = ["Component", "Group", "Available", "Par", "Short", "Expiring ≤ 48 h"]


class StockView(QWidget):
    def __init__(self, relay: TaskRelay, views: BloodViews, service: BloodBankService, theme: Theme,
                 on_local_change: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._views, self._service, self._theme = relay, views, service, theme
        self._on_local_change = on_local_change
        self._lines: list[StockLine] = []
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = record_table(_COLUMNS)
        self.table.itemActivated.connect(lambda _item: self._change_par())  # Return or a double tap on a line
        self.change_par = touch_button("Change par level…", tooltip="For the selected line (Return on it)")
        self.change_par.clicked.connect(self._change_par)
        self.outcome = OutcomeLine()
        self.settings = touch_button("Pack and donor intervals…")
        self.settings.clicked.connect(self._open_settings)
        bottom = QHBoxLayout()
        bottom.addWidget(self.change_par)
        bottom.addWidget(self.settings)
        bottom.addWidget(self.outcome, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    def refresh(self) -> None:
        self._relay.submit(self._views.stock, on_result=self._on_stock, owner=self)

    def _on_stock(self, lines: list[StockLine]) -> None:
        self._lines = lines
        if self.outcome.refused:
            self.outcome.clear()
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
        below = f"{plural(short, 'line')} below par: order from the blood centre." if short else \
            "Every line at or above par."
        soon = (f"  ·  {plural(expiring, 'unit')} {'expires' if expiring == 1 else 'expire'} within 48 hours: use "
                f"{'it' if expiring == 1 else 'them'} first.") if expiring else ""
        self.summary.setText(below + soon)

    def _change_par(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        chosen = self._lines[rows[0].row()] if rows and rows[0].row() < len(self._lines) else None
        line = (chosen.component, chosen.group, chosen.par) if chosen else self._ask_line()
        if line is None:
            return
        component, group, current = line
        par, ok = QInputDialog.getInt(self, "Par level", f"Units of {group} {component.label.lower()} to keep on the "
                                      "shelf:", current, 0, 10_000)
        if ok:
            self._relay.submit(self._service.set_par, component, group, par,
                               on_result=lambda _r: self._after_change(), on_error=self._on_problem, owner=self)

    def _open_settings(self) -> None:
        self._relay.submit(self._views.settings, on_result=self._show_settings, owner=self)

    def _show_settings(self, settings: dict[str, Any]) -> None:
        dialog = BloodSettingsDialog(self._relay, self._service, settings, self)
        dialog.accepted.connect(self._after_change)
        dialog.open()

    def _ask_line(self) -> tuple[Component, BloodGroup, int] | None:
        """No line chosen: which component and group (one not listed yet, e.g. RhD-negative platelets)."""
        components = [c.label for c in Component]
        component, ok = QInputDialog.getItem(self, "Par level", "Component:", components, 0, False)
        if not ok:
            return None
        groups = [str(g) for g in ALL_GROUPS]
        group, ok = QInputDialog.getItem(self, "Par level", "ABO and RhD group:", groups, 0, False)
        if not ok:
            return None
        return list(Component)[components.index(component)], ALL_GROUPS[groups.index(group)], 0

    def _after_change(self) -> None:
        self.outcome.say("Saved; the other blood-bank PCs get it when online.")
        self._on_local_change()
        self.refresh()

    def _on_problem(self, error: BaseException) -> None:
        if not isinstance(error, BloodInputProblem):
            raise error
        self.outcome.refuse(str(error))
