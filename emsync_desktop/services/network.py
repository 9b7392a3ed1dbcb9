"""Read models of the hospital network: capacity per hospital and unit."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from emsync_desktop.domain.beds import BedStatus
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
class HospitalCapacity:
    id: str
    name: str
    short_name: str
    lat: float
    lon: float
    capabilities: tuple[str, ...]
    units: dict[str, UnitCapacity]

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
