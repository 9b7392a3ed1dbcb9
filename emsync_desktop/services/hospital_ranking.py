"""Which hospital for this patient: capacity, triage and travel times combined into a ranked list.

Threading: ``rank`` may wait on the network (online routing, seconds at most) and on disk (offline
road tiles): call it on the geo worker, never on the GUI thread or the DB thread. It reads nothing
from the store: the caller passes the capacity it already loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from emsync_desktop.domain.triage import TriagePrediction
from emsync_desktop.geo.eta import LatLon
from emsync_desktop.geo.ranking import HospitalOption, RankedHospital, rank_hospitals, required_capabilities
from emsync_desktop.geo.routing import (
    FallbackRouter,
    OpenRouteServiceRouter,
    RoutingUnavailable,
    ValhallaRouter,
    router_for,
)
from emsync_desktop.services.demo import load_network
from emsync_desktop.services.network import HospitalCapacity


@dataclass(frozen=True)
class Position:
    point: LatLon
    label: str  # for the screen: where the position comes from and any problem with it
    source: str = "demo start point"  # short: "GPS", "simulated drive", "demo start point"


@dataclass(frozen=True)
class RankingView:
    ranked: list[RankedHospital]
    notes: tuple[str, ...]
    position: Position
    required: frozenset[str]


def demo_start_position() -> Position:
    """Until a live position source is connected: the demo region's centre, said as such."""
    network = load_network()
    lat, lon = network["center"]
    return Position(LatLon(float(lat), float(lon)), f"demo start point, {network['region']} (no GPS connected)")


class HospitalRankingService:
    def __init__(self, router: FallbackRouter) -> None:
        self.router = router

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> HospitalRankingService:
        return cls(router_for(data_dir))

    def rank(self, hospitals: Sequence[HospitalCapacity], unit: str, position: Position,
             triage: TriagePrediction | None, complaint_group: str, age_years: float | None) -> RankingView:
        options = [HospitalOption(h.id, h.name, h.short_name, LatLon(h.lat, h.lon), frozenset(h.capabilities),
                                  {u: c.available for u, c in h.units.items()}) for h in hospitals]
        routing = self.router.etas(position.point, [o.position for o in options])
        required = required_capabilities(triage, complaint_group, age_years)
        return RankingView(rank_hospitals(options, routing.etas, unit, required), routing.notes, position, required)

    def route_shape(self, origin: LatLon, target: LatLon) -> list[LatLon]:
        """The road route for the map, from the first router that can give one (online, then offline when
        its roads cover both ends); none when neither can (the map then draws no line)."""
        for router in self.router.routers:
            covered = not isinstance(router, ValhallaRouter) or (
                router.roads.coverage.contains(origin) and router.roads.coverage.contains(target))
            if covered and isinstance(router, OpenRouteServiceRouter | ValhallaRouter):
                try:
                    return router.route(origin, target)[1]
                except RoutingUnavailable:
                    continue
        return []
