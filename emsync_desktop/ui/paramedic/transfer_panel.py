"""Send the case to a hospital (transfer request + bed hold + SBAR) and follow its transfers.

Works offline: the request is saved with its outbox ops at once and shown as
"waiting to send"; the server's answer (bed held, or refused with a reason and
alternatives) appears when the device is back online.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.triage import complaint_group
from emsync_desktop.geo.eta import Eta, EtaSource, LatLon, haversine_m
from emsync_desktop.geo.map_page import HospitalPin, MapScene
from emsync_desktop.geo.position import FixedPosition, PositionSource, SimulatedDrive
from emsync_desktop.geo.ranking import RankedHospital, describe_needs
from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.services.hospital_ranking import HospitalRankingService, Position, RankingView, demo_start_position
from emsync_desktop.services.network import UNITS, HospitalCapacity, network_capacity
from emsync_desktop.services.transfers import TransferRefused, TransferService, TransferView
from emsync_desktop.store.database import Store
from emsync_desktop.ui.paramedic.case_model import CaseEditorModel
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.fields import ChoiceField

POSITION_POLL_MS = 2000
RERANK_AFTER_M = 150.0  # the ambulance moved this far: travel times are worth recomputing
SYNC_WORDS = {"pending": "waiting to send", "synced": "sent", "rejected": "refused", "conflict": "needs attention"}


class TransferPanel(QWidget):
    scene_changed = Signal(object)  # MapScene: what the map should show

    def __init__(self, model: CaseEditorModel, relay: TaskRelay, service: TransferService, store: Store,
                 on_local_change: Callable[[], None], ranking: HospitalRankingService | None = None,
                 position_source: PositionSource | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._ranking = ranking
        self._ranking_request = 0  # results of older requests are dropped
        self._ranked_with: object = None  # the triage the current ranking considered
        self._picked: str | None = None  # a hospital the paramedic tapped: rankings no longer move the selection
        self._etas: dict[str, Eta] = {}  # hospital id -> the travel time on screen
        self._sending: str | None = None
        self._ranked_unit = ""
        self._fallback = demo_start_position()
        self._position = self._fallback
        self._gps = position_source  # None: demo (fixed start point, then a simulated drive once sent)
        self._source: PositionSource = position_source or FixedPosition(self._fallback.point, self._fallback.label)
        self._position_timer = QTimer(self)
        self._position_timer.timeout.connect(self._poll_position)
        self._position_timer.start(POSITION_POLL_MS)
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
        self.hospitals = QTableWidget(0, 4)
        self.hospitals.setHorizontalHeaderLabels(["Hospital", "ETA", "Free", "Why this rank"])
        self.routing_note = QLabel()
        self.routing_note.setObjectName("muted")
        self.routing_note.setWordWrap(True)
        self.hospitals.verticalHeader().setVisible(False)
        self.hospitals.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.hospitals.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.hospitals.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.hospitals.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.hospitals.horizontalHeader().setStretchLastSection(True)
        self.hospitals.setWordWrap(True)
        self.hospitals.cellClicked.connect(lambda _r, _c: setattr(self, "_picked", self.selected_hospital()))
        self.hospitals.itemSelectionChanged.connect(self._publish_scene)
        self._view: RankingView | None = None
        self._route: tuple[str, list[LatLon]] = ("", [])
        self.send = touch_button("Send request, hold bed and SBAR", primary=True)
        self.send.clicked.connect(self.send_selected)
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
        layout.addWidget(self.routing_note)
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
            self._picked = None
            self.unit_hint.setText("")
            self.message.setText("")
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
        """Rank on a background thread (routing may wait on the network); show by free beds meanwhile."""
        unit = self.unit.value() or "ICU"
        if self._view is None or unit != self._ranked_unit:  # otherwise the last ranking stays until the next
            by_beds = sorted(self._hospitals, key=lambda h: -(h.units[unit].available if unit in h.units else -1))
            self._show_rows([(h.id, h.short_name, h.name, "…", h.units[unit].available if unit in h.units else 0,
                              "ranking…") for h in by_beds])
        self._ranked_unit = unit
        if self._ranking is None or not self._hospitals:
            return
        snapshot = self._model.snapshot
        triage = snapshot.triage if snapshot is not None and snapshot.triage_current else None
        group = complaint_group(snapshot.details.chief_complaint) if snapshot else "other"
        age = snapshot.details.age_years if snapshot else None
        self._ranking_request += 1
        request = self._ranking_request
        self._relay.submit_background(self._ranking.rank, list(self._hospitals), unit, self._position, triage,
                                      group, age, on_result=lambda view: self._on_ranked(request, view),
                                      owner=self)

    def _on_ranked(self, request: int, view: RankingView) -> None:
        if request != self._ranking_request:
            return  # a newer request (other unit, new capacity) is on its way
        self._etas = {r.hospital.id: r.eta for r in view.ranked}
        self._view = view
        self._show_rows([_row(r) for r in view.ranked], select_best=self._picked is None)
        sources = sorted({r.eta.source.label for r in view.ranked})
        estimate_only = {r.eta.source for r in view.ranked} == {EtaSource.ESTIMATE}
        hint = " No road data for this area yet: ETAs are estimates (see README, road data)." if estimate_only else ""
        self.routing_note.setText(f"Ranked from the {view.position.label}. Needs considered: "
                                  f"{describe_needs(view.required)}. Travel times: {', '.join(sources)}.{hint} "
                                  + " ".join(view.notes))

    def _show_rows(self, rows: list[tuple[str, str, str, str, int, str]], select_best: bool = False) -> None:
        selected = None if select_best else self.selected_hospital()
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
                self._picked = hospital_id
                self.hospitals.selectRow(row)
                return

    def _publish_scene(self) -> None:
        view, selected = self._view, self.selected_hospital()
        if view is None:
            return
        pins = [HospitalPin(r.hospital.id, r.hospital.short_name, r.hospital.position.lat, r.hospital.position.lon,
                            r.free_in_unit, self.unit.value() or "ICU", _row(r)[3], rank)
                for rank, r in enumerate(view.ranked, start=1)]
        route = self._route[1] if self._route[0] == selected else []
        self.scene_changed.emit(MapScene(view.position.point, pins, view.position.point,
                                         f"Ambulance ({view.position.source})", route, selected))
        target = next((r.hospital.position for r in view.ranked if r.hospital.id == selected), None)
        if self._ranking is not None and target is not None and self._route[0] != selected:
            self._route = (selected or "", [])
            self._relay.submit_background(self._ranking.route_shape, view.position.point, target,
                                          on_result=lambda shape: self._on_route(selected, shape), owner=self)

    def _on_route(self, hospital_id: str | None, shape: list[LatLon]) -> None:
        if shape and hospital_id == self.selected_hospital():
            self._route = (hospital_id or "", shape)
            self._publish_scene()

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
        if self._case_id is None:
            return
        self._model.flush_requested.emit()
        self._sending = hospital_id
        send = partial(self._service.send_to_hospital, eta=self._etas.get(hospital_id))
        self._relay.submit(send, self._case_id, hospital_id, self.unit.value() or "ICU",
                           on_result=self._on_sent, on_error=self._on_refused, owner=self)

    def _poll_position(self) -> None:
        """Read the source (memory only); re-rank when the ambulance moved or the source changed."""
        fix, problem = self._source.latest(), self._source.problem
        if fix is None:
            position = Position(self._fallback.point, f"{self._fallback.label}; {problem or 'no position yet'}")
        else:
            position = Position(fix.point, fix.source + (f" ({problem})" if problem else ""), fix.source)
        moved = haversine_m(position.point, self._position.point)
        if moved >= RERANK_AFTER_M or position.label != self._position.label:
            self._position = position
            self._fill_hospitals()

    def _start_simulated_drive(self, hospital_id: str) -> None:
        """Demo only (no GPS): drive to the hospital the case was sent to, so ETAs visibly count down."""
        if self._gps is not None or self._view is None:
            return
        target = next((r.hospital.position for r in self._view.ranked if r.hospital.id == hospital_id), None)
        if target is None:
            return
        shape = self._route[1] if self._route[0] == hospital_id and len(self._route[1]) > 1 else []
        self._source = SimulatedDrive(shape or [self._position.point, target])

    def _on_sent(self, _sent: TransferView) -> None:
        self.message.setText("")
        if self._sending is not None:
            self._start_simulated_drive(self._sending)
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


def _ranking_inputs(snapshot: CaseSnapshot) -> tuple[object, ...]:
    triage = snapshot.triage if snapshot.triage_current else None
    return triage, complaint_group(snapshot.details.chief_complaint), snapshot.details.age_years


def _row(ranked: RankedHospital) -> tuple[str, str, str, str, int, str]:
    eta, hospital = ranked.eta, ranked.hospital
    shown = f"{'≈ ' if eta.source is EtaSource.ESTIMATE else ''}{eta.minutes:.0f} min"
    return hospital.id, hospital.short_name, hospital.name, shown, ranked.free_in_unit, ranked.why
