"""Send the case to a hospital (transfer request + bed hold + SBAR) and follow its transfers.

Works offline: the request is saved with its outbox ops at once and shown as
"waiting to send"; the server's answer (bed held, or refused with a reason and
alternatives) appears when the device is back online.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.services.network import UNITS, HospitalCapacity, network_capacity
from emsync_desktop.services.transfers import TransferRefused, TransferService, TransferView
from emsync_desktop.store.database import Store
from emsync_desktop.ui.paramedic.case_model import CaseEditorModel
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.fields import ChoiceField

SYNC_WORDS = {"pending": "waiting to send", "synced": "sent", "rejected": "refused", "conflict": "needs attention"}


class TransferPanel(QWidget):
    def __init__(self, model: CaseEditorModel, relay: TaskRelay, service: TransferService, store: Store,
                 on_local_change: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._relay = relay
        self._service = service
        self._store = store
        self._on_local_change = on_local_change
        self._hospitals: list[HospitalCapacity] = []
        self.unit = ChoiceField("unit", "Unit needed", [(u, u, u) for u in UNITS])
        self.unit.set_value("ICU")
        self.unit.commit.connect(self._on_unit_chosen)
        self.unit_hint = QLabel()
        self.unit_hint.setObjectName("muted")
        self._unit_chosen = False  # by the paramedic, for this case: triage no longer changes it
        self.hospitals = QTableWidget(0, 3)
        self.hospitals.setHorizontalHeaderLabels(["Hospital", "Free beds", "Capabilities"])
        self.hospitals.verticalHeader().setVisible(False)
        self.hospitals.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.hospitals.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.hospitals.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.hospitals.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.hospitals.horizontalHeader().setStretchLastSection(True)
        self.send = touch_button("Send request, hold bed and SBAR", primary=True)
        self.send.clicked.connect(self._send_selected)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("fieldError")
        self.transfers_box = QVBoxLayout()
        heading = QLabel("Transfers of this case")
        heading.setObjectName("subheading")
        layout = QVBoxLayout(self)
        layout.addWidget(self.unit)
        layout.addWidget(self.unit_hint)
        layout.addWidget(self.hospitals, 1)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.send)
        layout.addLayout(row)
        layout.addWidget(heading)
        layout.addLayout(self.transfers_box)
        model.snapshot_changed.connect(self._on_snapshot)
        self._case_id: str | None = None
        self.refresh()

    def refresh(self) -> None:
        self._relay.submit(network_capacity, self._store, on_result=self._on_capacity, owner=self)
        if self._case_id:
            self._relay.submit(self._service.transfers_for_case, self._case_id, on_result=self._on_transfers,
                               owner=self)

    def _on_snapshot(self, snapshot: CaseSnapshot | None) -> None:
        case_id = snapshot.id if snapshot else None
        if case_id != self._case_id:
            self._case_id = case_id
            self._unit_chosen = False
            self.unit_hint.setText("")
            self.message.setText("")
            self.refresh()
        if snapshot is not None and snapshot.triage_current and snapshot.triage is not None:
            self._suggest_unit(snapshot.triage.suggested_unit, snapshot.triage.model_version)

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
        unit = self.unit.value() or "ICU"
        ranked = sorted(self._hospitals, key=lambda h: -(h.units[unit].available if unit in h.units else -1))
        self.hospitals.setRowCount(len(ranked))
        for row, h in enumerate(ranked):
            cap = h.units.get(unit)
            name = QTableWidgetItem(h.name)
            name.setData(Qt.ItemDataRole.UserRole, h.id)
            free = QTableWidgetItem(f"{cap.available} / {cap.total}" if cap else "no such unit")
            free.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            for col, item in enumerate((name, free, QTableWidgetItem(", ".join(h.capabilities)))):
                self.hospitals.setItem(row, col, item)
            self.hospitals.setRowHeight(row, 44)
        if ranked and not self.hospitals.selectedItems():
            self.hospitals.selectRow(0)

    def _send_selected(self) -> None:
        items = self.hospitals.selectedItems()
        if not items:
            self.message.setText("Pick a hospital first.")
            return
        name_cell = self.hospitals.item(items[0].row(), 0)
        if name_cell is not None:
            self.send_to(str(name_cell.data(Qt.ItemDataRole.UserRole)))

    def send_to(self, hospital_id: str) -> None:
        if self._case_id is None:
            return
        self._model.flush_requested.emit()
        self._relay.submit(self._service.send_to_hospital, self._case_id, hospital_id, self.unit.value() or "ICU",
                           on_result=self._on_sent, on_error=self._on_refused, owner=self)

    def _on_sent(self, _view: TransferView) -> None:
        self.message.setText("")
        self._on_local_change()
        self.refresh()

    def _on_refused(self, error: BaseException) -> None:
        self.message.setText(str(error) if isinstance(error, TransferRefused) else f"Could not send: {error}")

    def _on_transfers(self, transfers: list[TransferView]) -> None:
        while self.transfers_box.count():
            item = self.transfers_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if not transfers:
            none = QLabel("None yet. Choose the unit and hospital above.")
            none.setObjectName("muted")
            self.transfers_box.addWidget(none)
        for view in reversed(transfers):
            self.transfers_box.addWidget(self._transfer_row(view))

    def _transfer_row(self, view: TransferView) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 4)
        bed = f" · bed {view.booking_state}" if view.booking_state else ""
        line = QLabel(f"<b>{view.hospital}</b> · {view.unit} · transfer {view.state}{bed} · "
                      f"{SYNC_WORDS.get(view.sync_state, view.sync_state)}")
        line.setWordWrap(True)
        layout.addWidget(line)
        reason = view.booking_reason or view.sync_reason
        if reason:
            why = QLabel(f"✖ {reason}")
            why.setObjectName("fieldError")
            why.setWordWrap(True)
            layout.addWidget(why)
        if view.booking_state == "REJECTED" and view.alternatives:
            layout.addWidget(QLabel("Free beds nearby (tap to send the case there):"))
            for alt in view.alternatives:
                button = touch_button(f"{alt['name']} — {alt['free_beds']} {alt['unit']} free, {alt['distance_km']} km")
                button.setStyleSheet("text-align: left; padding-left: 12px;")
                button.clicked.connect(partial(self.send_to, alt["hospital_id"]))
                layout.addWidget(button)
        return box
