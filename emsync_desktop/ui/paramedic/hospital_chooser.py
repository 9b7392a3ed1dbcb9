"""Which hospital for the open case: ranking, the ambulance's position, the route and the map scene.

Holds no widgets: the Hospital tab shows ``ranked`` and the map shows ``scene_changed``.
Threading: ranking and routes run on background threads (``TaskRelay.submit_background``), because
routing may wait on the network; results and position polls arrive on the GUI thread. Results of a
request overtaken by a newer one are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QTimer, Signal

from emsync_desktop.domain.triage import complaint_group
from emsync_desktop.geo.eta import Eta, EtaSource, LatLon, haversine_m
from emsync_desktop.geo.map_page import HospitalPin, MapScene
from emsync_desktop.geo.position import FixedPosition, PositionSource, SimulatedDrive
from emsync_desktop.geo.ranking import RankedHospital
from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.services.hospital_ranking import HospitalRankingService, Position, RankingView, demo_start_position
from emsync_desktop.services.network import HospitalCapacity
from emsync_desktop.ui.tasks import TaskRelay

POSITION_POLL_MS = 2000
RERANK_AFTER_M = 150.0  # the ambulance moved this far: travel times are worth recomputing


class HospitalChooser(QObject):
    ranked = Signal(object)  # RankingView
    scene_changed = Signal(object)  # MapScene

    def __init__(self, relay: TaskRelay, ranking: HospitalRankingService | None,
                 position_source: PositionSource | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay = relay
        self._ranking = ranking
        self._gps = position_source  # None: demo (fixed start point, then a simulated drive once sent)
        self._fallback = demo_start_position()
        self.position = self._fallback
        self._source: PositionSource = position_source or FixedPosition(self._fallback.point, self._fallback.label)
        self._request = 0
        self._inputs: tuple[list[HospitalCapacity], str, CaseSnapshot | None] | None = None
        self.view: RankingView | None = None
        self._selected: str | None = None
        self._route: tuple[str | None, list[LatLon]] = (None, [])
        self._driving_to: str | None = None  # demo: the hospital the simulated drive goes to
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._poll_position)
        self._timer.start(POSITION_POLL_MS)

    @property
    def source(self) -> PositionSource:
        return self._source

    def eta_to(self, hospital_id: str) -> Eta | None:
        ranked = self._find(hospital_id)
        return ranked.eta if ranked else None

    def rank(self, hospitals: Sequence[HospitalCapacity], unit: str, snapshot: CaseSnapshot | None) -> None:
        """Rank ``hospitals`` for the case and unit (again later on its own when the ambulance moves)."""
        self._inputs = (list(hospitals), unit, snapshot)
        if self._ranking is None or not hospitals:
            return
        triage = snapshot.triage if snapshot is not None and snapshot.triage_current else None
        group = complaint_group(snapshot.details.chief_complaint) if snapshot else "other"
        age = snapshot.details.age_years if snapshot else None
        self._request += 1
        request = self._request
        self._relay.submit_background(self._ranking.rank, list(hospitals), unit, self.position, triage, group, age,
                                      on_result=lambda view: self._on_ranked(request, view), owner=self)

    def select(self, hospital_id: str | None) -> None:
        self._selected = hospital_id
        self._publish()

    def start_drive(self, hospital_id: str) -> None:
        """Demo only (no GPS): drive to the hospital the case was sent to, so ETAs visibly count down (and on,
        from where the ambulance is, when the crew signs in again with the transfer under way)."""
        target = self._find(hospital_id)
        if self._gps is not None or target is None or self._driving_to == hospital_id:
            return
        shape = self._route[1] if self._route[0] == hospital_id and len(self._route[1]) > 1 else []
        self._source = SimulatedDrive(shape or [self.position.point, target.hospital.position])
        self._driving_to = hospital_id

    def _on_ranked(self, request: int, view: RankingView) -> None:
        if request != self._request:
            return  # a newer request (other unit, new capacity, moved) is on its way
        self.view = view
        self.ranked.emit(view)
        self._publish()

    def _poll_position(self) -> None:
        """Read the source (memory only); re-rank when the ambulance moved or the source changed."""
        fix, problem = self._source.latest(), self._source.problem
        if fix is None:
            position = Position(self._fallback.point, f"{self._fallback.label}; {problem or 'no position yet'}")
        else:
            position = Position(fix.point, fix.source + (f" ({problem})" if problem else ""), fix.source)
        moved = haversine_m(position.point, self.position.point)
        if moved >= RERANK_AFTER_M or position.label != self.position.label:
            self.position = position
            if self._inputs is not None:
                self.rank(*self._inputs)

    def _publish(self) -> None:
        view, selected = self.view, self._selected
        if view is None:
            return
        unit = self._inputs[1] if self._inputs else ""
        pins = [HospitalPin(r.hospital.id, r.hospital.short_name, r.hospital.position.lat, r.hospital.position.lon,
                            r.free_in_unit, unit, eta_text(r.eta), rank) for rank, r in enumerate(view.ranked, 1)]
        route = self._route[1] if self._route[0] == selected else []
        self.scene_changed.emit(MapScene(view.position.point, pins, view.position.point,
                                         f"Ambulance ({view.position.source})", route, selected))
        target = self._find(selected) if selected else None
        if self._ranking is not None and target is not None and self._route[0] != selected:
            self._route = (selected, [])
            self._relay.submit_background(self._ranking.route_shape, view.position.point, target.hospital.position,
                                          on_result=lambda shape: self._on_route(selected, shape), owner=self)

    def _on_route(self, hospital_id: str | None, shape: list[LatLon]) -> None:
        if shape and hospital_id == self._selected:
            self._route = (hospital_id, shape)
            self._publish()

    def _find(self, hospital_id: str | None) -> RankedHospital | None:
        ranked = self.view.ranked if self.view else []
        return next((r for r in ranked if r.hospital.id == hospital_id), None)


def eta_text(eta: Eta) -> str:
    return f"{'≈ ' if eta.source is EtaSource.ESTIMATE else ''}{eta.minutes:.0f} min"
