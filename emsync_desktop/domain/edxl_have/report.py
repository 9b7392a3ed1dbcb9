"""What an EDXL-HAVE capacity report says, in the app's own words (version-neutral).

Pure data: a mapping module per EDXL-HAVE version (``have_1_0``) turns these into XML and back, so a new
version is a new mapping, not a change here. Times are timezone-aware UTC; counts are beds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

UNITS = ("ICU", "HDU", "ER", "WARD")


class EdxlHaveError(ValueError):
    """A document that cannot be read as a capacity report; the message is a sentence for the user."""


class EdStatus(StrEnum):
    """Emergency department status for ambulance traffic (EDXL-HAVE's EMSTrafficStatus values)."""

    NORMAL = "Normal"
    ADVISORY = "Advisory"  # resource limits that may affect some EMS traffic
    CLOSED = "Closed"  # asks EMS traffic to go elsewhere
    NOT_APPLICABLE = "NotApplicable"  # no emergency department


@dataclass(frozen=True)
class Location:
    lat: float  # WGS84 degrees
    lon: float


@dataclass(frozen=True)
class UnitBeds:
    """Beds of one unit: free now, and the unit's size (every bed listed, whatever its status)."""

    unit: str  # one of UNITS
    available: int
    baseline: int


@dataclass(frozen=True)
class HospitalStatus:
    id: str
    name: str
    location: Location | None
    beds: tuple[UnitBeds, ...]
    ed_status: EdStatus
    last_update: datetime  # aware


@dataclass(frozen=True)
class CapacityReport:
    hospitals: tuple[HospitalStatus, ...]


def ed_status_from_beds(beds: Iterable[UnitBeds]) -> EdStatus:
    """Derived from the ER unit, as we record no diversion decision: none listed → NotApplicable; no ER bed
    free → Advisory (full, yet we never know that an ED asks ambulances to go elsewhere); else Normal."""
    er = [b for b in beds if b.unit == "ER"]
    if not er or sum(b.baseline for b in er) == 0:
        return EdStatus.NOT_APPLICABLE
    return EdStatus.NORMAL if sum(b.available for b in er) > 0 else EdStatus.ADVISORY
