"""Donors (issue 24): the blood bank's registry with when each may give again, a donation recorded or a deferral
set in a tap, and the call-up list for the red cell groups below par, exported as CSV to phone from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.blood import Donation
from emsync_desktop.domain.local_time import to_local
from emsync_desktop.services.blood_bank import BloodInputProblem
from emsync_desktop.services.blood_donors import CallUp, DonorService, DonorView
from emsync_desktop.ui.blood_bank.donor_dialog import DonorDialog
from emsync_desktop.ui.blood_bank.parts import OutcomeLine, record_table
from emsync_desktop.ui.blood_bank.request_text import plural
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.frame import card

_COLUMNS = ["Name", "Group", "Phone", "Last donation", "May give"]


class DonorsView(QWidget):
    changed = Signal()

    def __init__(self, relay: TaskRelay, service: DonorService, on_local_change: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._service, self._on_local_change = relay, service, on_local_change
        self._donors: list[DonorView] = []
        self.table = record_table(_COLUMNS)
        self.add = touch_button("Register donor…", primary=True)
        self.gave = touch_button("Donation today…")
        self.defer = touch_button("Defer…")
        self.add.clicked.connect(self._register)
        self.gave.clicked.connect(self._record_donation)
        self.defer.clicked.connect(self._defer)
        self.call_up_note = QLabel()
        self.call_up_note.setWordWrap(True)
        self.call_up = record_table(["Name", "Group", "Phone", "Last donation"])
        for table in (self.table, self.call_up):  # the name takes what is left; a phone or a date is never cut
            header = table.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.export = touch_button("Export call-up list (CSV)…")
        self.export.clicked.connect(self._export)
        self.outcome = OutcomeLine()
        actions = QHBoxLayout()
        for button in (self.add, self.gave, self.defer):
            actions.addWidget(button)
        actions.addStretch(1)
        registry = QWidget()
        left = QVBoxLayout(registry)
        left.addWidget(self.table, 1)
        left.addLayout(actions)
        left.addWidget(self.outcome)
        calls = QWidget()
        right = QVBoxLayout(calls)
        right.addWidget(self.call_up_note)
        right.addWidget(self.call_up, 1)
        right.addWidget(self.export)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(card("Registry", registry), 3)
        layout.addWidget(card("Call-up list", calls), 2)

    def refresh(self) -> None:
        self._relay.submit(self._service.registry, on_result=self._on_registry, owner=self)
        self._relay.submit(self._service.call_up, on_result=self._on_call_up, owner=self)

    def _on_registry(self, donors: list[DonorView]) -> None:
        self._donors = donors
        self.table.setRowCount(len(donors))
        for row, view in enumerate(donors):
            donor = view.donor
            eligible = view.eligible_from
            may_give = "now" if view.may_give else f"from {_day(eligible)}" if eligible else "now"
            if view.deferral_reason and not view.may_give:
                may_give += f" (deferred: {view.deferral_reason})"
            if view.sync_state in ("rejected", "conflict"):
                may_give = f"refused: {view.sync_reason}"
            cells = [donor.name, str(donor.group), donor.phone,
                     _day(donor.last_given) if donor.last_given else "never", may_give]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def _on_call_up(self, call_up: CallUp) -> None:
        short = ", ".join(str(g) for g in call_up.short)
        self.call_up_note.setText(f"Red cells below par: {short}. Donors of those groups who may give now, the "
                                  "most rested first." if short else "No red cell group is below par.")
        self.call_up.setRowCount(len(call_up.donors))
        for row, donor in enumerate(call_up.donors):
            cells = [donor.name, str(donor.group), donor.phone,
                     _day(donor.last_given) if donor.last_given else "never"]
            for column, text in enumerate(cells):
                self.call_up.setItem(row, column, QTableWidgetItem(text))
        self.export.setEnabled(bool(call_up.donors))

    def chosen(self) -> DonorView | None:
        rows = self.table.selectionModel().selectedRows()
        return self._donors[rows[0].row()] if rows and rows[0].row() < len(self._donors) else None

    def _register(self) -> None:
        dialog = DonorDialog(self._relay, self._service, self)
        dialog.accepted.connect(self._after_change)
        dialog.open()

    def _record_donation(self) -> None:
        view = self._need_donor()
        if view is None:
            return
        kinds = [d.value.replace("_", " ") for d in Donation]
        kind, ok = QInputDialog.getItem(self, "Donation today", f"What did {view.donor.name} give?", kinds, 0, False)
        if ok:
            self._run(self._service.record_donation, view.donor.id, list(Donation)[kinds.index(kind)])

    def _defer(self) -> None:
        view = self._need_donor()
        if view is None:
            return
        days, ok = QInputDialog.getInt(self, "Defer donor", "Deferred for how many days? (0 lifts a deferral)", 28,
                                       0, 3650)
        if not ok:
            return
        reason = ""
        if days:
            reason, ok = QInputDialog.getText(self, "Defer donor", "Why (e.g. travel to a malaria area)?")
            if not ok:
                return
        day = QDate.currentDate().addDays(days)
        until = datetime(day.year(), day.month(), day.day(), tzinfo=UTC) if days else None
        self._run(self._service.defer, view.donor.id, until, reason)

    def _need_donor(self) -> DonorView | None:
        view = self.chosen()
        if view is None:
            self._say("Choose a donor in the registry first.", error=True)
        return view

    def _export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export call-up list", str(Path.home() / "call-up.csv"),
                                              "CSV (*.csv)")
        if name:
            self._relay.submit(self._service.export_call_up, Path(name),
                               on_result=lambda n: self._say(f"✔ {plural(n, 'donor')} written to {name}."),
                               on_error=lambda e: self._say(f"Could not write the file: {e}", error=True), owner=self)

    def _run(self, action: Callable[..., None], *args: object) -> None:
        self._relay.submit(action, *args, on_result=lambda _r: self._after_change(), on_error=self._on_problem,
                           owner=self)

    def _after_change(self) -> None:
        self._say("Saved; it goes to the server when online.")
        self._on_local_change()
        self.refresh()
        self.changed.emit()

    def _on_problem(self, error: BaseException) -> None:
        if not isinstance(error, BloodInputProblem):
            raise error
        self._say(str(error), error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        (self.outcome.refuse if error else self.outcome.say)(text)


def _day(moment: datetime) -> str:
    """'18 Jul 2026': donations are months apart, so the year matters and the hour does not."""
    return to_local(moment).strftime("%d %b %Y")

