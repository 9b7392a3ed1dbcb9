"""Send the case to a hospital (transfer request + bed hold + SBAR) and follow its transfers.

Works offline: the request is saved with its outbox ops at once and shown as
"waiting to send"; the server's answer (bed held, or refused with a reason and
alternatives) appears when the device is back online.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.transfer_news import latest_news
from emsync_desktop.domain.triage import complaint_group
from emsync_desktop.geo.eta import EtaSource
from emsync_desktop.geo.position import PositionSource
from emsync_desktop.geo.ranking import RankedHospital, describe_needs
from emsync_desktop.services.blood_bank import BloodBankService
from emsync_desktop.services.blood_views import BloodViews, RequestView
from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.services.hospital_ranking import HospitalRankingService, RankingView
from emsync_desktop.services.messages import ThreadCount, message_button_text
from emsync_desktop.services.network import UNITS, HospitalCapacity, network_capacity
from emsync_desktop.services.preferences import load_crew_phone, save_crew_phone
from emsync_desktop.services.transfers import ActiveTransferExists, TransferRefused, TransferService, TransferView
from emsync_desktop.store.database import Store
from emsync_desktop.ui.blood_bank.request_dialog import BloodRequestDialog
from emsync_desktop.ui.blood_bank.request_text import pre_alert_text
from emsync_desktop.ui.paramedic.case_model import CaseEditorModel
from emsync_desktop.ui.paramedic.case_transfers import CaseTransfersList
from emsync_desktop.ui.paramedic.hospital_chooser import HospitalChooser, eta_text
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.fields import ChoiceField, SavingField


class TransferPanel(QWidget):
    send_state = Signal(bool, str)  # whether a send may start now, and the button's text ("" = the usual)
    open_thread = Signal(str)  # the Messages button: the thread of the case's latest transfer

    def __init__(self, model: CaseEditorModel, relay: TaskRelay, service: TransferService, store: Store,
                 on_local_change: Callable[[], None], ranking: HospitalRankingService | None = None,
                 position_source: PositionSource | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._relay = relay
        self._service = service
        self._store = store
        self._on_local_change = on_local_change
        self.chooser = HospitalChooser(relay, ranking, position_source, self)
        self.chooser.ranked.connect(self._on_ranked)
        self._hospitals: list[HospitalCapacity] = []
        self._case_id: str | None = None
        self._ranked_with: object = None  # the ranking inputs of the case the list reflects
        self._ranked_unit = ""
        self._picked: str | None = None  # a hospital the paramedic chose: rankings no longer move the selection
        self._filling = False  # the list is being refilled: selection changes are ours, not the paramedic's
        self._unit_chosen = False  # by the paramedic, for this case: triage no longer changes it
        self._sending: str | None = None  # the hospital a send in flight goes to: no second send meanwhile
        self._active: TransferView | None = None  # the case's active transfer: a new send must replace it
        self.confirm_replace: Callable[[str], bool] = self._ask_replace  # tests answer for the paramedic
        self.unit = ChoiceField("unit", "Unit needed", [(u, u, u) for u in UNITS])
        self.unit.set_value("ICU")
        self.unit.commit.connect(self._on_unit_chosen)
        self.crew_phone = SavingField("crew_phone", "Crew phone (in the handoff)", placeholder="+91 94470 12345")
        self.crew_phone.setToolTip("The number the receiving ward can call this ambulance on; kept on this device")
        self.crew_phone.commit.connect(self._on_crew_phone)
        self.unit_hint = _label("muted")
        self.hospitals = _hospital_table()
        self.hospitals.itemSelectionChanged.connect(self._on_hospital_selected)
        self.routing_note = _label("muted")
        self.send = touch_button("Send request, hold bed and SBAR", primary=True)
        self.send.clicked.connect(self.send_selected)
        self.send_elsewhere = touch_button("Send elsewhere…", tooltip="Cancel the active transfer of this case "
                                           "(its bed is released) and send the case to the selected hospital")
        self.send_elsewhere.clicked.connect(self.send_selected)
        self.messages = touch_button("Messages with the ward", tooltip="The thread with the receiving ward and the "
                                     "desk (Ctrl+M opens the newest)")
        self.messages.clicked.connect(self._open_thread)
        self._thread_transfer: str | None = None  # the case's latest transfer: its thread
        self.blood = touch_button("Blood pre-alert…", tooltip="Ask the destination's blood bank for blood for "
                                  "this patient (e.g. a massive transfusion pack) before arrival")
        self.blood.clicked.connect(self._open_blood_request)
        self.blood_dialog: BloodRequestDialog | None = None
        self.blood_note = _label("muted")  # what became of this case's pre-alerts
        self._message_counts: dict[str, ThreadCount] = {}
        self.message = _label("fieldError")
        self.outcome = _label("outcome")
        self.transfers = CaseTransfersList()
        self.transfers.send_to_requested.connect(self.send_to)
        self._lay_out()
        model.snapshot_changed.connect(self._on_snapshot)
        relay.submit(load_crew_phone, store, on_result=self.crew_phone.reset, owner=self)
        self.refresh()

    def _on_crew_phone(self, _name: str, phone: str) -> None:
        self._relay.submit(save_crew_phone, self._store, phone,
                           on_result=lambda error: self.crew_phone.show_result(error, None), owner=self)

    def _lay_out(self) -> None:
        heading = QLabel("Transfers of this case")
        heading.setObjectName("subheading")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(self.unit, 3)
        top.addWidget(self.crew_phone, 2)
        layout.addLayout(top)
        layout.addWidget(self.unit_hint)
        layout.addWidget(self.hospitals, 1)
        layout.addWidget(self.routing_note)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.send_elsewhere)
        row.addWidget(self.send)
        layout.addLayout(row)
        layout.addWidget(self.outcome)
        below = QHBoxLayout()  # the thread beside the case's transfers (the send row has no room left at 1366)
        below.addWidget(heading, 1)
        below.addWidget(self.messages)
        layout.addLayout(below)
        layout.addWidget(self.transfers)
        blood = QHBoxLayout()  # its own row: beside the thread it pushed the tab wider than 1366
        blood.addWidget(self.blood)
        blood.addWidget(self.blood_note, 1)
        layout.addLayout(blood)

    def refresh(self) -> None:
        self._relay.submit(network_capacity, self._store, on_result=self._on_capacity, owner=self)
        if self._case_id:
            self._relay.submit(self._service.transfers_for_case, self._case_id,
                               on_result=partial(self._on_transfers, self._case_id), owner=self)
        self._update_buttons()

    def _on_transfers(self, case_id: str, views: list[TransferView]) -> None:
        if case_id != self._case_id:
            return  # the paramedic opened another case meanwhile
        self.transfers.show_transfers(views)
        self._active = next((v for v in reversed(views) if v.active), None)
        if self._active is not None and self._active.hospital_id:
            self.chooser.start_drive(self._active.hospital_id)  # demo: on its way (again, after a sign-in)
        latest = self._active or (views[-1] if views else None)
        self._thread_transfer = latest.id if latest is not None and latest.sync_state != "rejected" else None
        self._label_messages()
        text, kind = send_outcome(latest) if latest is not None else ("", "outcome")
        self.outcome.setText(text)
        if self.outcome.objectName() != kind:
            self.outcome.setObjectName(kind)
            self.outcome.style().unpolish(self.outcome)
            self.outcome.style().polish(self.outcome)
        self._update_buttons()

    @property
    def thread_transfer(self) -> str | None:
        """The open case's latest transfer (its thread: the Messages button, Ctrl+M)."""
        return self._thread_transfer

    def show_message_counts(self, counts: dict[str, ThreadCount]) -> None:
        self._message_counts = counts
        self._label_messages()

    def _label_messages(self) -> None:
        """Shown once the case has a transfer; says what is new ('Messages with the ward (2 new)')."""
        self.messages.setVisible(self._thread_transfer is not None)
        self.blood.setVisible(self._active is not None and bool(self._active.hospital_id))
        self._show_blood()
        count = self._message_counts.get(self._thread_transfer) if self._thread_transfer else None
        self.messages.setText(message_button_text(count).replace("Messages", "Messages with the ward", 1))

    def _open_blood_request(self) -> None:
        if self._active is None or not self._active.hospital_id:
            return
        service = BloodBankService(self._store, self._service.user)
        self.blood_dialog = BloodRequestDialog(self._relay, service, self._on_local_change, self._active.id,
                                               self._active.hospital_id, self._active.hospital, self)
        self.blood_dialog.accepted.connect(self._show_blood)
        snapshot = self._model.snapshot
        if snapshot is not None:
            self.blood_dialog.form.fill_from_case(snapshot.details)
        self.blood_dialog.open()

    def _show_blood(self) -> None:
        """The case's pre-alerts, as the blood bank has answered them (or waiting to be sent)."""
        if self._active is None:
            self.blood_note.setText("")
            return
        views = BloodViews(self._store, self._service.user)
        self._relay.submit(views.requests_of_transfer, self._active.id, on_result=self._on_blood, owner=self)

    def _on_blood(self, requests: list[RequestView]) -> None:
        self.blood_note.setText("  ·  ".join(pre_alert_text(r) for r in requests))

    def _open_thread(self) -> None:
        if self._thread_transfer is not None:
            self.open_thread.emit(self._thread_transfer)

    def _update_buttons(self) -> None:
        """One send at a time, and none while the case has an active transfer (Send elsewhere replaces it).
        A button that had the keyboard and goes away hands it to what comes next (not to the window)."""
        had_focus = self.send.hasFocus() or self.send_elsewhere.hasFocus()
        idle = self._case_id is not None and self._sending is None
        self.send.setEnabled(idle and self._active is None)
        self.send_elsewhere.setVisible(self._active is not None)
        self.send_elsewhere.setEnabled(idle)
        if self._sending is not None:
            self.send.setText("Sending…")
        else:
            self.send.setText("Send request, hold bed and SBAR")
        elsewhere = self._active is not None
        self.send_state.emit(idle, "Send elsewhere…" if elsewhere else "")
        if had_focus and not self.send.isEnabled():
            (self.send_elsewhere if elsewhere and idle else self.hospitals).setFocus()

    def _on_snapshot(self, snapshot: CaseSnapshot | None) -> None:
        case_id = snapshot.id if snapshot else None
        if case_id != self._case_id:
            self._case_id = case_id
            self._unit_chosen = False
            self._picked = None
            self._active = None
            self._thread_transfer = None
            self._label_messages()
            self.unit_hint.setText("")
            self.message.setText("")
            self.outcome.setText("")
            self.transfers.show_transfers([])
            self.refresh()
        if snapshot is not None and snapshot.triage_current and snapshot.triage is not None:
            self._suggest_unit(snapshot.triage.suggested_unit, snapshot.triage.model_version)
        if snapshot is not None and _ranking_inputs(snapshot) != self._ranked_with:
            self._ranked_with = _ranking_inputs(snapshot)  # needs changed: the capability match changes
            self._fill_hospitals()

    def _suggest_unit(self, unit: str, model_version: str) -> None:
        self.unit_hint.setText(f"Triage suggests {unit} (model {model_version}); tap another unit to override.")
        if not self._unit_chosen and self.unit.value() != unit:
            self.unit.set_value(unit)
            self._fill_hospitals()

    def _on_unit_chosen(self, _name: str, _value: str) -> None:
        self._unit_chosen = True
        self._fill_hospitals()

    def _on_capacity(self, hospitals: list[HospitalCapacity]) -> None:
        self._hospitals = hospitals
        self._fill_hospitals()

    def _fill_hospitals(self) -> None:
        """Ask for a ranking; until it comes, keep the last one (or, the first time, list by free beds)."""
        unit = self.unit.value() or "ICU"
        if self.chooser.view is None or unit != self._ranked_unit:
            by_beds = sorted(self._hospitals, key=lambda h: -(h.units[unit].available if unit in h.units else -1))
            self._show_rows([(h.id, h.short_name, h.name, "…", h.units[unit].available if unit in h.units else 0,
                              "ranking…") for h in by_beds])
        self._ranked_unit = unit
        self.chooser.rank(self._hospitals, unit, self._model.snapshot)

    def _on_ranked(self, view: RankingView) -> None:
        self._show_rows([_row(r) for r in view.ranked], select_best=self._picked is None)
        sources = sorted({r.eta.source.label for r in view.ranked})
        estimate_only = {r.eta.source for r in view.ranked} == {EtaSource.ESTIMATE}
        hint = " No road data for this area yet: ETAs are estimates (see README, road data)." if estimate_only else ""
        self.routing_note.setText(f"Ranked from the {view.position.label}. Needs considered: "
                                  f"{describe_needs(view.required)}. Travel times: {', '.join(sources)}.{hint} "
                                  + " ".join(view.notes))

    def _on_hospital_selected(self) -> None:
        """Tapped, clicked or chosen with the arrow keys: the choice stays through later rankings."""
        if not self._filling and self.selected_hospital() is not None:
            self._picked = self.selected_hospital()
        self.chooser.select(self.selected_hospital())

    def _show_rows(self, rows: list[tuple[str, str, str, str, int, str]], select_best: bool = False) -> None:
        self._filling = True
        try:
            self._fill_rows(rows, None if select_best else self.selected_hospital())
        finally:
            self._filling = False
        self.chooser.select(self.selected_hospital())

    def _fill_rows(self, rows: list[tuple[str, str, str, str, int, str]], selected: str | None) -> None:
        self.hospitals.clearSelection()
        self.hospitals.setRowCount(len(rows))
        for row, (hospital_id, name, full_name, eta, free, why) in enumerate(rows):
            name_item = QTableWidgetItem(name)
            name_item.setToolTip(full_name)
            name_item.setData(Qt.ItemDataRole.UserRole, hospital_id)
            free_item = QTableWidgetItem(str(free))
            free_item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            for col, item in enumerate((name_item, QTableWidgetItem(eta), free_item, QTableWidgetItem(why))):
                self.hospitals.setItem(row, col, item)
            self.hospitals.setRowHeight(row, 44)
            if hospital_id == selected:
                self.hospitals.selectRow(row)
        if rows and not self.hospitals.selectedItems():
            self.hospitals.selectRow(0)

    def pick(self, hospital_id: str) -> None:
        """Select a hospital as if tapped in the list (the map's pins call this)."""
        for row in range(self.hospitals.rowCount()):
            cell = self.hospitals.item(row, 0)
            if cell is not None and cell.data(Qt.ItemDataRole.UserRole) == hospital_id:
                self.hospitals.selectRow(row)  # a selection by the paramedic: kept (_on_hospital_selected)
                return

    def selected_hospital(self) -> str | None:
        items = self.hospitals.selectedItems()
        cell = self.hospitals.item(items[0].row(), 0) if items else None
        return str(cell.data(Qt.ItemDataRole.UserRole)) if cell is not None else None

    def send_selected(self) -> None:
        hospital_id = self.selected_hospital()
        if hospital_id is None:
            self.message.setText("Pick a hospital first.")
            return
        self.send_to(hospital_id)

    def send_to(self, hospital_id: str) -> None:
        """Send the case (from the button, an alternative or the map). Ignored while a send is in flight;
        with an active transfer, the paramedic is asked first and the new send replaces it."""
        if self._case_id is None or self._sending is not None:
            return
        unit = self.unit.value() or "ICU"
        replace = self._active is not None
        if self._active is not None and (self._active.hospital_id, self._active.unit) == (hospital_id, unit):
            self.message.setText(f"This case is already going to {self._active.hospital} {unit}: pick another "
                                 "hospital or unit to send it elsewhere.")
            return
        if self._active is not None and not self.confirm_replace(self._replace_question(hospital_id, unit)):
            return
        self._model.flush_requested.emit()
        self._sending = hospital_id
        self._update_buttons()
        send = partial(self._service.send_to_hospital, eta=self.chooser.eta_to(hospital_id), replace_active=replace)
        self._relay.submit(send, self._case_id, hospital_id, unit,
                           on_result=self._on_sent, on_error=self._on_refused, owner=self)

    def _replace_question(self, hospital_id: str, unit: str) -> str:
        assert self._active is not None
        going = self._active
        to = self._hospital_name(hospital_id)
        return (f"This case is already going to {going.hospital} {going.unit} ({going.state}).\n\n"
                f"Cancel that transfer, release its bed and send the case to {to} {unit} instead?")

    def _hospital_name(self, hospital_id: str) -> str:
        return next((h.short_name for h in self._hospitals if h.id == hospital_id), "the selected hospital")

    def _ask_replace(self, question: str) -> bool:
        answer = QMessageBox.question(self, "Send elsewhere?", question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _on_sent(self, sent: TransferView) -> None:
        self.message.setText("")
        self._active = sent  # until the refresh shows it: a second tap of a double tap finds Send disabled
        if self._sending is not None:
            self.chooser.start_drive(self._sending)
        self._sending = None
        self._on_local_change()
        self._model.list_cases()  # the case list shows each case's transfer
        self.refresh()

    def _on_refused(self, error: BaseException) -> None:
        self._sending = None
        self.message.setText(str(error) if isinstance(error, TransferRefused) else f"Could not send: {error}")
        if isinstance(error, ActiveTransferExists):
            self.refresh()  # another send got there first: show it, and offer Send elsewhere
        self._update_buttons()


def send_outcome(view: TransferView) -> tuple[str, str]:
    """What became of the latest send, in words, and its label style (outcome, outcomeWaiting, outcomeRefused)."""
    where = f"{view.hospital} {view.unit}"
    news = latest_news(view.history)
    if news is not None and news[0] != "good":
        return news[1], "outcomeRefused" if news[0] == "bad" else "outcomeWaiting"
    if view.sync_state == "rejected" and view.booking_state != "REJECTED":
        return f"✖ Not sent to {where}: {view.sync_reason}", "outcomeRefused"
    if view.state not in ("PENDING", "ACCEPTED", "EN_ROUTE"):
        return f"Transfer to {where} is {view.state.lower()}.", "outcomeWaiting"
    if view.booking_state == "REJECTED":
        return (f"✖ {where} refused the bed: {view.booking_reason or 'no bed left'}. "
                "Tap a hospital with free beds below."), "outcomeRefused"
    if view.booking_state == "HELD":
        accepted = " and accepted by the ward" if view.state == "ACCEPTED" else ""
        return f"✔ Bed held at {where}{accepted}. Handoff sent.", "outcome"
    if view.sync_state == "pending":
        return (f"Saved on this device: request to {where} waits for the server "
                "(bed held tentatively until it answers)."), "outcomeWaiting"
    return f"Sent to {where}: waiting for the bed decision.", "outcomeWaiting"


def _ranking_inputs(snapshot: CaseSnapshot) -> tuple[object, ...]:
    triage = snapshot.triage if snapshot.triage_current else None
    return triage, complaint_group(snapshot.details.chief_complaint), snapshot.details.age_years


def _row(ranked: RankedHospital) -> tuple[str, str, str, str, int, str]:
    hospital = ranked.hospital
    return hospital.id, hospital.short_name, hospital.name, eta_text(ranked.eta), ranked.free_in_unit, ranked.why


def _label(object_name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(object_name)
    label.setWordWrap(True)
    return label


def _hospital_table() -> QTableWidget:
    table = QTableWidget(0, 4)
    table.setHorizontalHeaderLabels(["Hospital", "ETA", "Free", "Why this rank"])
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setWordWrap(True)
    return table
