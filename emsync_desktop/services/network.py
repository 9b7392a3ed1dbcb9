"""Read models of the hospital network: capacity per hospital and unit."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from emsync_desktop.domain.beds import BedStatus
from emsync_desktop.domain.local_time import to_local
from emsync_desktop.geo.eta import LatLon
from emsync_desktop.geo.map_page import AmbulancePin, HospitalPin, MapScene
from emsync_desktop.store.database import Store
from emsync_desktop.store.repositories import bed_counts, list_hospitals

UNITS = ("ICU", "HDU", "ER", "WARD")
BED_STATUSES = tuple(s.value for s in BedStatus)


@dataclass(frozen=True)
class UnitCapacity:
    unit: str
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def available(self) -> int:
        return self.by_status.get("available", 0)


@dataclass(frozen=True)
class ExternalMark:
    """A hospital of another region, from its EDXL-HAVE report: read-only, never bookable. Its units count
    free beds and ``not_available`` (the rest of the baseline): the report gives no bed statuses."""

    region: str
    as_of: datetime  # the report's LastUpdateTime for this hospital
    ed_status: str  # EDXL-HAVE EMSTrafficStatus
    located: bool = True  # False: the report gave no location, so no pin on the map

    def label(self) -> str:
        return f"External ({self.region}), read-only, as of {to_local(self.as_of).strftime('%d %b %H:%M')}"


@dataclass(frozen=True)
class HospitalCapacity:
    id: str
    name: str
    short_name: str
    lat: float
    lon: float
    capabilities: tuple[str, ...]
    units: dict[str, UnitCapacity]
    external: ExternalMark | None = None  # None: a hospital of our network

    @property
    def available(self) -> int:
        return sum(u.available for u in self.units.values())


def network_capacity(store: Store) -> list[HospitalCapacity]:
    with store.sessions.begin() as session:
        counts = bed_counts(session)
        result = []
        for h in list_hospitals(session):
            units: dict[str, UnitCapacity] = {}
            for unit in UNITS:
                by_status = {s: counts.get((h.id, unit, s), 0) for s in BED_STATUSES}
                if any(by_status.values()):
                    units[unit] = UnitCapacity(unit, by_status)
            result.append(HospitalCapacity(h.id, h.name, h.short_name, h.lat, h.lon,
                                           tuple(json.loads(h.capabilities)), units))
        return result


def capacity_scene(hospitals: list[HospitalCapacity], selected: str | None = None,
                   fleet: list[AmbulancePin] | None = None) -> MapScene:
    """The coordinator's map: one pin per hospital showing its free ICU beds (the scarcest), coloured by
    them; every unit's free / total beds on hover and for the tapped hospital; and ``fleet``, the ambulances on
    their way."""
    hospitals = [h for h in hospitals if h.external is None or h.external.located]
    pins = [HospitalPin(h.id, h.short_name, h.lat, h.lon, free=_free(h, "ICU"), unit="ICU", eta="",
                        label=capacity_label(h)) for h in hospitals]
    if not hospitals:
        return MapScene(LatLon(0.0, 0.0), [], fleet=list(fleet or []))
    centre = LatLon(sum(h.lat for h in hospitals) / len(hospitals), sum(h.lon for h in hospitals) / len(hospitals))
    return MapScene(centre, pins, selected=selected, fleet=list(fleet or []))


def capacity_label(h: HospitalCapacity) -> str:
    """'KMC · free ICU 2/8 · HDU 1/6 · ER 3/10' (free / total beds per unit)."""
    units = " · ".join(f"{u} {c.available}/{c.total}" for u, c in h.units.items())
    if h.external is not None:
        return f"{h.short_name} · {h.external.label()} · free {units or 'no beds listed'}"
    return f"{h.short_name} · free {units}" if units else f"{h.short_name} · no beds listed"


def _free(h: HospitalCapacity, unit: str) -> int:
    return h.units[unit].available if unit in h.units else 0
