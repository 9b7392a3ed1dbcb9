"""The blood bank's request queue (issue 24): open requests, the most urgent and oldest first; the one chosen with
its units, and what to do next (allocate, issue, cancel). The server chooses the units; its answer comes back
with the next sync, a refusal shown on the request with its reason."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QScrollArea,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.blood_flow import RequestState, UnitState, Urgency
from emsync_desktop.services.blood_bank import BloodBankService, BloodInputProblem
from emsync_desktop.services.blood_views import BloodViews, RequestView
from emsync_desktop.services.clock import utc_now
from emsync_desktop.ui.blood_bank.parts import OutcomeLine, record_table
from emsync_desktop.ui.blood_bank.request_text import plural, request_detail_html, waiting_text
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme, attention_colour
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.frame import card

_COLUMNS = ["Urgency", "Waiting", "Patient", "Group", "Still needed", "State"]
_STRETCHED = (2, 4)  # the patient and what is still needed take the room left


class RequestQueueView(QWidget):
    changed = Signal()

    def __init__(self, relay: TaskRelay, views: BloodViews, service: BloodBankService, theme: Theme,
                 on_local_change: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._views, self._service, self._theme = relay, views, service, theme
        self._on_local_change = on_local_change
        self._requests: list[RequestView] = []
        self.table = record_table(_COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in _STRETCHED:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_chosen)
        self.detail = QLabel("Choose a request.")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.allocate = touch_button("Allocate best match", primary=True,
                                     tooltip="The server reserves the closest compatible units, first to expire first")
        self.shortage = touch_button("Allow shortage match…", tooltip="Also units acceptable only in a shortage "
                                     "(another group's platelets, RhD-positive for an RhD-negative patient)")
        self.shortage.clicked.connect(self._allocate_shortage)
        self.issue = touch_button("Issue reserved units")
        self.cancel = touch_button("Cancel request…")
        self.allocate.clicked.connect(self._allocate)
        self.issue.clicked.connect(self._issue)
        self.cancel.clicked.connect(self._cancel)
        self.outcome = OutcomeLine()
        actions = QGridLayout()  # two by two: four buttons do not fit a row of the side card at 1366
        for index, button in enumerate((self.allocate, self.shortage, self.issue, self.cancel)):
            actions.addWidget(button, index // 2, index % 2)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        detail_scroll = QScrollArea()  # an MTP pack's dozen units must all be readable
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setWidget(self.detail)
        side_layout.addWidget(detail_scroll, 1)
        side_layout.addLayout(actions)
        side_layout.addWidget(self.outcome)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table, 3)
        layout.addWidget(card("Request", side), 2)
        self._enable(None)

    def refresh(self) -> None:
        self._relay.submit(self._views.queue, on_result=self._on_queue, owner=self)

    def chosen(self) -> RequestView | None:
        rows = self.table.selectionModel().selectedRows()
        return self._requests[rows[0].row()] if rows and rows[0].row() < len(self._requests) else None

    def _on_queue(self, requests: list[RequestView]) -> None:
        was = self.chosen()
        self._requests = requests
        self.table.setRowCount(len(requests))
        now = utc_now()
        for row, request in enumerate(requests):
            done = request.state is RequestState.ISSUED
            cells = [request.urgency.label + (" · MTP" if request.mtp else "") + (" · ambulance" if
                                                                                   request.transfer_id else ""),
                     "issued" if done else waiting_text(request.created_at, now),
                     request.patient_name, request.group_text,
                     request.missing_text or "—",
                     _state_text(request)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self._colour(item, request)
                self.table.setItem(row, column, item)
        ids = [r.id for r in requests]
        if was is not None and was.id in ids:
            self.table.selectRow(ids.index(was.id))
        elif requests and self.chosen() is None:
            self.table.selectRow(0)
        self._show_chosen()

    def _colour(self, item: QTableWidgetItem, request: RequestView) -> None:
        waiting_for_us = request.state in (RequestState.OPEN, RequestState.ALLOCATED)
        kind = "danger" if request.urgency is Urgency.EMERGENCY and waiting_for_us else (
            "caution" if request.sync_state in ("rejected", "conflict") else None)
        if kind is not None:
            background, text = attention_colour(self._theme, kind)
            item.setBackground(QColor(background))
            item.setForeground(QColor(text))

    def _show_chosen(self) -> None:
        request = self.chosen()
        if self.outcome.objectName() == "outcomeWaiting" and (request is None or request.sync_state != "pending"):
            self.outcome.clear()  # the server has answered: the request's line and detail say how
        self.detail.setText(request_detail_html(request) if request else "No open request. New ones appear here.")
        self._enable(request)

    def _enable(self, request: RequestView | None) -> None:
        waiting = request is not None and request.sync_state == "pending"
        self.allocate.setEnabled(request is not None and bool(request.missing) and not waiting)
        self.shortage.setEnabled(self.allocate.isEnabled())
        self.issue.setEnabled(request is not None and not waiting
                              and any(u.state is UnitState.RESERVED for u in request.units))
        self.cancel.setEnabled(request is not None and not waiting
                               and not any(u.state is UnitState.ISSUED for u in request.units))

    def _allocate(self) -> None:
        request = self.chosen()
        if request is not None:
            self._run(self._service.allocate, request.id)

    def _allocate_shortage(self) -> None:
        request = self.chosen()
        if request is None:
            return
        answer = QMessageBox.question(self, "Shortage match", "Allocate, beside compatible units, units acceptable "
                                      "only in a shortage (platelets of another group, RhD-positive units for an "
                                      f"RhD-negative patient) to {request.patient_name}? Only if the clinician agrees; "
                                      "each unit's record says why it was acceptable.",
                                      defaultButton=QMessageBox.StandardButton.No)  # Return alone never agrees
        if answer == QMessageBox.StandardButton.Yes:
            self._run(lambda: self._service.allocate(request.id, shortage=True))

    def _issue(self) -> None:
        request = self.chosen()
        if request is not None:
            reserved = tuple(u.id for u in request.units if u.state is UnitState.RESERVED)
            answer = QMessageBox.question(self, "Issue units", f"Issue {plural(len(reserved), 'unit')} for "
                                          f"{request.patient_name} ({request.patient_second_id})?")
            if answer == QMessageBox.StandardButton.Yes:
                self._run(self._service.issue, request.id, reserved)

    def _cancel(self) -> None:
        request = self.chosen()
        if request is None:
            return
        reason, ok = QInputDialog.getText(self, f"Cancel request: {request.patient_name}",
                                          f"Why is the blood for {request.patient_name} no longer needed?")
        if ok:
            self._run(self._service.cancel, request.id, reason)

    def _run(self, action: Callable[..., None], *args: object) -> None:
        self.table.setFocus()  # the button about to be disabled must not hand the keyboard to the window's next one
        self._enable(None)
        self._relay.submit(action, *args, on_result=self._on_queued, on_error=self._on_problem, owner=self)

    def _on_queued(self, _: object) -> None:
        self.outcome.wait("Saved; waiting for the server's answer…")
        self._on_local_change()
        self.refresh()
        self.changed.emit()

    def _on_problem(self, error: BaseException) -> None:
        if not isinstance(error, BloodInputProblem):
            raise error
        self.outcome.refuse(str(error))
        self._show_chosen()


def _state_text(request: RequestView) -> str:
    if request.sync_state == "pending":
        return "sending…"
    if request.sync_state in ("rejected", "conflict"):
        return "refused: see details"
    return request.state.value
