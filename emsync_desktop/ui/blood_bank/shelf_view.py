"""The shelf (issue 24): every unit not yet used up, the first to expire first, found by scanning its number;
quarantine, release back to stock, or discard, each with its reason. Expired units show as expired (to discard)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.blood import DinProblem
from emsync_desktop.domain.blood_flow import UNIT_MOVES, UnitState, needs_reason
from emsync_desktop.domain.local_time import day_and_clock
from emsync_desktop.services.blood_bank import BloodBankService, BloodInputProblem
from emsync_desktop.services.blood_views import BloodViews, UnitView
from emsync_desktop.ui.blood_bank.parts import OutcomeLine, record_table
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme, attention_colour
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.fields import touch_line

_COLUMNS = ["Donation number", "Component", "Group", "Expires", "State", "Kept in"]


class ShelfView(QWidget):
    changed = Signal()

    def __init__(self, relay: TaskRelay, views: BloodViews, service: BloodBankService, theme: Theme,
                 on_local_change: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._views, self._service, self._theme = relay, views, service, theme
        self._on_local_change = on_local_change
        self._units: list[UnitView] = []
        self.finder = touch_line("Scan or type a donation number to find the unit", "Find unit")
        self.finder.returnPressed.connect(self._find)
        self.table = record_table(_COLUMNS)
        self.quarantine = touch_button("Quarantine…")
        self.release = touch_button("Back to stock")
        self.discard = touch_button("Discard…")
        self.send = touch_button("Send to another hospital…")
        self.send.clicked.connect(self._send)
        self.quarantine.clicked.connect(lambda: self._move(UnitState.QUARANTINED))
        self.release.clicked.connect(lambda: self._move(UnitState.AVAILABLE))
        self.discard.clicked.connect(lambda: self._move(UnitState.DISCARDED))
        self.table.itemSelectionChanged.connect(self._on_chosen)
        self.outcome = OutcomeLine()
        actions = QHBoxLayout()
        for button in (self.quarantine, self.release, self.discard, self.send):
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.finder)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.outcome)
        self._enable(None)

    def refresh(self) -> None:
        self._relay.submit(self._views.shelf, on_result=self._on_shelf, owner=self)

    def chosen(self) -> UnitView | None:
        rows = self.table.selectionModel().selectedRows()
        return self._units[rows[0].row()] if rows and rows[0].row() < len(self._units) else None

    def _on_shelf(self, units: list[UnitView]) -> None:
        """Redrawn with the same unit chosen, if it is still on the shelf; otherwise none (never the next one: a
        second tap meant for the last bag must not fall on another)."""
        was = self.chosen()
        self._units = units
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(len(units))
        for row, unit in enumerate(units):
            state = unit_state_text(unit)
            cells = [unit.din, unit.component.label, str(unit.group), day_and_clock(unit.expires_at), state,
                     unit.location]
            kind = "danger" if unit.state is UnitState.EXPIRED else (
                "caution" if unit.state is UnitState.QUARANTINED else None)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if kind is not None:
                    background, colour = attention_colour(self._theme, kind)
                    item.setBackground(QColor(background))
                    item.setForeground(QColor(colour))
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        ids = [u.id for u in units]
        if was is not None and was.id in ids:
            self.table.selectRow(ids.index(was.id))
        self._on_chosen()

    def _on_chosen(self) -> None:
        unit = self.chosen()
        self._enable(unit)
        if unit is not None and not self.outcome.refused:
            self._say(unit_detail(unit))

    def _enable(self, unit: UnitView | None) -> None:
        """Only the moves the rules allow this unit now (the server would refuse the others)."""
        moves = moves_for(unit)
        for button, target in ((self.quarantine, UnitState.QUARANTINED), (self.release, UnitState.AVAILABLE),
                               (self.discard, UnitState.DISCARDED)):
            button.setEnabled(target in moves)
        self.send.setEnabled(unit is not None and unit.state is UnitState.AVAILABLE and unit.sync_state != "pending")

    def _find(self) -> None:
        try:
            self._relay.submit(self._views.find_unit, self.finder.text(), on_result=self._on_found,
                               on_error=self._on_problem, owner=self)
        except DinProblem as problem:  # never raised here: find_unit checks on the DB thread
            self._say(str(problem), error=True)

    def _on_found(self, unit: UnitView | None) -> None:
        ids = [u.id for u in self._units]
        if unit is None or unit.id not in ids:
            self.table.clearSelection()  # the last unit found is not this one: nothing chosen
            self._say("No unit with this number is on this shelf (used, discarded, or never registered here).",
                      error=True)
            self.finder.selectAll()  # the next scan replaces it
            return
        self.outcome.clear()
        self.table.selectRow(ids.index(unit.id))
        self.finder.selectAll()

    def _move(self, target: UnitState) -> None:
        unit = self.chosen()
        if unit is None:
            self._say("Choose a unit first (scan its number above).", error=True)
            return
        reason = ""
        if needs_reason(unit.stored_state, target):
            question = (f"What was checked before {unit.din} ({unit.group} {unit.component.label.lower()}) goes back "
                        "on the shelf?" if target is UnitState.AVAILABLE else
                        f"Why is {unit.din} ({unit.group} {unit.component.label.lower()}) {target.value}?")
            reason, ok = QInputDialog.getText(self, f"{target.label}: {unit.din}", question)
            if not ok:
                return
        self._relay.submit(self._service.move_unit, unit.id, target, reason, on_result=self._on_moved,
                           on_error=self._on_problem, owner=self)

    def _send(self) -> None:
        unit = self.chosen()
        if unit is None:
            self._say("Choose a unit first (scan its number above).", error=True)
            return
        self._relay.submit(self._views.other_hospitals, on_result=lambda h: self._ask_where(unit, h), owner=self)

    def _ask_where(self, unit: UnitView, hospitals: list[tuple[str, str]]) -> None:
        names = [name for _, name in hospitals]
        choose = "Choose the hospital…"  # nothing chosen for a hurried Return
        name, ok = QInputDialog.getItem(self, f"Send {unit.din}", f"Send {unit.din} ({unit.group} "
                                        f"{unit.component.label.lower()}) to:", [choose, *names], 0, False)
        if not ok or name not in names:
            return
        reason, ok = QInputDialog.getText(self, f"Send {unit.din}", f"Why is {unit.din} going to {name} (e.g. they "
                                          "have no O negative)?")
        if ok:
            self._relay.submit(self._service.send_unit, unit.id, hospitals[names.index(name)][0], reason,
                               on_result=self._on_moved, on_error=self._on_problem, owner=self)

    def _on_moved(self, _: object) -> None:
        self.table.clearSelection()  # done with that bag: the next move starts from a scan or a tap
        self.finder.setFocus()
        self.finder.selectAll()
        self._say("Saved; the server's answer shows in the list.")
        self._on_local_change()
        self.refresh()
        self.changed.emit()

    def _on_problem(self, error: BaseException) -> None:
        if not isinstance(error, BloodInputProblem | DinProblem):
            raise error
        if isinstance(error, DinProblem):  # a mis-scan: the bag chosen before is not the one in hand
            self.table.clearSelection()
            self.finder.selectAll()
        self._say(str(error), error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        (self.outcome.refuse if error else self.outcome.say)(text)


def unit_state_text(unit: UnitView) -> str:
    """'available', 'available · sending…', 'not registered: <reason>' (the server refused the bag, so it is on no
    shelf), or '<state> · refused: <reason>' (a move the server refused; the unit is as the server has it)."""
    if unit.sync_state in ("rejected", "conflict"):
        if not unit.history:  # never on the server: only this device's copy of a refused registration
            return f"not registered: {unit.sync_reason}"
        return f"{unit.state.value} · refused: {unit.sync_reason}"
    return unit.state.value + (" · sending…" if unit.sync_state == "pending" else "")


def moves_for(unit: UnitView | None) -> frozenset[UnitState]:
    """What may be done with the unit now: none while a change of it waits; an expired one only discarded."""
    if unit is None or unit.sync_state == "pending":
        return frozenset()
    allowed = UNIT_MOVES.get(unit.stored_state, frozenset())
    if unit.state is UnitState.EXPIRED:
        return allowed & {UnitState.DISCARDED}
    return allowed - {UnitState.RESERVED, UnitState.ISSUED, UnitState.TRANSFUSED}


def unit_detail(unit: UnitView) -> str:
    """The chosen unit in a line: its product, volume, and the last thing that happened to it, with why."""
    last = unit.history[-1] if unit.history else None
    why = f" · last: {last['state']} by {last['by']}" + (f" ({last['reason']})" if last.get("reason") else "") \
        if last else ""
    refused = f" · refused by the server: {unit.sync_reason}" if unit.sync_state in ("rejected", "conflict") else ""
    return f"{unit.din} · {unit.product_code} · {unit.volume_ml} ml{why}{refused}"

