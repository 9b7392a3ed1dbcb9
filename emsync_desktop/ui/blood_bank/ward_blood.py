"""Blood on a ward (issue 24): ask the hospital's blood bank, follow each request, and at the bedside start a
transfusion (after the two-identifier check) or return a unit unused, with its reason."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.blood_flow import UnitState
from emsync_desktop.domain.local_time import clock
from emsync_desktop.services.blood_bank import BloodBankService, BloodInputProblem
from emsync_desktop.services.blood_views import BloodViews, RequestView, UnitView
from emsync_desktop.services.clock import utc_now
from emsync_desktop.ui.blood_bank.parts import OutcomeLine
from emsync_desktop.ui.blood_bank.request_form import BloodRequestForm
from emsync_desktop.ui.blood_bank.request_text import request_detail_html
from emsync_desktop.ui.blood_bank.transfusion_dialog import TransfusionDialog
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.frame import card


class WardBloodView(QWidget):
    def __init__(self, relay: TaskRelay, views: BloodViews, service: BloodBankService,
                 on_local_change: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._views, self._service, self._on_local_change = relay, views, service, on_local_change
        self._requests: list[RequestView] = []
        self.form = BloodRequestForm(relay, service, on_local_change)
        self.form.sent.connect(lambda _id: self.refresh())
        self.requests = QListWidget()
        self.requests.setMinimumHeight(3 * 44)  # three requests in view at least
        self.requests.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.requests.currentRowChanged.connect(lambda _row: self._show_chosen())
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.units = QListWidget()
        self.units.setMinimumHeight(3 * 44)
        self.units.currentRowChanged.connect(lambda _row: self._enable())
        self.start = touch_button("Start transfusion…", primary=True)
        self.back = touch_button("Return unused…")
        self.start.clicked.connect(self._start)
        self.back.clicked.connect(self._return)
        self.outcome = OutcomeLine()
        actions = QHBoxLayout()
        actions.addWidget(self.start)
        actions.addWidget(self.back)
        actions.addStretch(1)
        followed = QWidget()
        column = QVBoxLayout(followed)
        column.addWidget(self.requests, 1)
        column.addWidget(_scrolling(self.detail), 1)
        column.addWidget(QLabel("Units issued to this patient:"))
        column.addWidget(self.units, 1)
        column.addLayout(actions)
        column.addWidget(self.outcome)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(card("Ask the blood bank", scroll), 1)
        layout.addWidget(card("Requests at this hospital", followed), 1)
        self._enable()

    def refresh(self) -> None:
        self._relay.submit(self._views.queue, on_result=self._on_requests, owner=self)

    def _on_requests(self, requests: list[RequestView]) -> None:
        chosen = self._chosen()
        self._requests = requests
        self.requests.clear()
        for request in requests:
            state = "sending…" if request.sync_state == "pending" else request.state.value
            self.requests.addItem(QListWidgetItem(f"{request.urgency.label} · {request.patient_name} · "
                                                  f"{request.asked_text} · {state}"))
        ids = [r.id for r in requests]
        self.requests.setCurrentRow(ids.index(chosen.id) if chosen and chosen.id in ids else (0 if ids else -1))
        self._show_chosen()

    def _chosen(self) -> RequestView | None:
        row = self.requests.currentRow()
        return self._requests[row] if 0 <= row < len(self._requests) else None

    def _show_chosen(self) -> None:
        request = self._chosen()
        self.detail.setText(request_detail_html(request) if request else "No open request for this ward.")
        self.units.clear()
        for unit in self._issued(request):
            self.units.addItem(ward_unit_line(unit))
        self.units.setCurrentRow(-1)  # the nurse picks the bag in hand: never one chosen for her
        self._enable()

    def _issued(self, request: RequestView | None) -> list[UnitView]:
        return [u for u in request.units if u.stored_state is UnitState.ISSUED] if request else []

    def _unit(self) -> UnitView | None:
        issued = self._issued(self._chosen())
        row = self.units.currentRow()
        return issued[row] if 0 <= row < len(issued) else None

    def _enable(self) -> None:
        unit = self._unit()
        ready = unit is not None and unit.sync_state != "pending"
        self.start.setEnabled(ready and unit is not None and unit.state is UnitState.ISSUED)  # never an expired bag
        self.back.setEnabled(ready)

    def _start(self) -> None:
        unit = self._unit()
        if unit is not None:
            dialog = TransfusionDialog(self._relay, self._service, unit, self._on_local_change, self)
            dialog.accepted.connect(lambda: self._started(unit))
            dialog.open()

    def _started(self, unit: UnitView) -> None:
        self.outcome.say(f"✔ Checked: transfusion of {unit.din} ({unit.group} {unit.component.label.lower()}) "
                         f"started {clock(utc_now())}, saved here; the blood bank's record follows when online. "
                         "Observe the patient closely for the first 15 minutes.")
        self.refresh()

    def _return(self) -> None:
        unit = self._unit()
        if unit is None:
            return
        reason, ok = QInputDialog.getText(self, f"Return unused: {unit.din}",
                                          f"Why is {unit.din} ({unit.group} {unit.component.label.lower()}) going "
                                          "back, and was it kept cold?")
        if ok:
            self._relay.submit(self._service.move_unit, unit.id, UnitState.RETURNED, reason,
                               on_result=lambda _r: self._after_change(), on_error=self._on_problem, owner=self)

    def _after_change(self) -> None:
        self._on_local_change()
        self.refresh()

    def _on_problem(self, error: BaseException) -> None:
        if not isinstance(error, BloodInputProblem):
            raise error
        self.outcome.refuse(str(error))


def _scrolling(label: QLabel) -> QScrollArea:
    """A request's detail can be long (an MTP pack's nine units): it scrolls rather than squeezing the lists."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(label)
    return scroll


def ward_unit_line(unit: UnitView) -> str:
    """'G1234… · O neg red cells · issued', with 'expired: do not start, return it' or the server's refusal."""
    line = f"{unit.din} · {unit.group} {unit.component.label.lower()} · {unit.state.value}"
    if unit.state is UnitState.EXPIRED:
        line += ": do not start it; return it to the blood bank"
    if unit.sync_state == "pending":
        line += " · saved, sending…"
    elif unit.sync_state in ("rejected", "conflict"):
        line += f" · refused by the server: {unit.sync_reason}"
    return line

