"""Travel times and where they came from. Pure: no I/O.

Units: seconds (``eta_s``), metres (``distance_m``), degrees (lat, lon, WGS84).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

EARTH_RADIUS_M = 6_371_000.0
ROAD_FACTOR = 1.4  # road distance / straight-line distance, typical of Indian and European cities
ESTIMATE_SPEED_KMH = 35.0  # ambulance average in city traffic, for the estimate only


class EtaSource(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    ESTIMATE = "estimate"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    EtaSource.ONLINE: "OpenRouteService, online",
    EtaSource.OFFLINE: "offline road graph",
    EtaSource.ESTIMATE: "straight-line estimate",
}


@dataclass(frozen=True)
class LatLon:
    lat: float
    lon: float

    def valid(self) -> bool:
        return -90 <= self.lat <= 90 and -180 <= self.lon <= 180 and not (self.lat == 0 and self.lon == 0)


@dataclass(frozen=True)
class Eta:
    eta_s: float
    distance_m: float
    source: EtaSource

    @property
    def minutes(self) -> float:
        return self.eta_s / 60.0

    def describe(self) -> str:
        approx = "≈ " if self.source is EtaSource.ESTIMATE else ""
        return f"{approx}{self.minutes:.0f} min, {self.distance_m / 1000:.1f} km ({self.source.label})"


def haversine_m(a: LatLon, b: LatLon) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def straight_line_eta(a: LatLon, b: LatLon) -> Eta:
    """The last resort: straight-line distance times a road factor, at a city ambulance speed."""
    road_m = haversine_m(a, b) * ROAD_FACTOR
    return Eta(eta_s=road_m / (ESTIMATE_SPEED_KMH / 3.6), distance_m=road_m, source=EtaSource.ESTIMATE)


@dataclass(frozen=True)
class BoundingBox:
    south: float
    west: float
    north: float
    east: float

    def contains(self, p: LatLon) -> bool:
        return self.south <= p.lat <= self.north and self.west <= p.lon <= self.east
