"""Bed statuses, what a ward may set by hand, and the keys that set them. Pure."""

from __future__ import annotations

from enum import StrEnum


class BedStatus(StrEnum):
    AVAILABLE = "available"
    RESERVED = "reserved"  # held for an incoming transfer: set and cleared by bookings, never by hand
    OCCUPIED = "occupied"
    CLEANING = "cleaning"
    PENDING_DISCHARGE = "pending_discharge"
    BLOCKED = "blocked"
    ISOLATION = "isolation"
    OUT_OF_SERVICE = "out_of_service"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def short_label(self) -> str:
        """For a bed tile: fits a narrow button."""
        return "Discharging" if self is BedStatus.PENDING_DISCHARGE else _LABELS[self]


_LABELS = {
    BedStatus.AVAILABLE: "Available", BedStatus.RESERVED: "Reserved", BedStatus.OCCUPIED: "Occupied",
    BedStatus.CLEANING: "Cleaning", BedStatus.PENDING_DISCHARGE: "Pending discharge", BedStatus.BLOCKED: "Blocked",
    BedStatus.ISOLATION: "Isolation", BedStatus.OUT_OF_SERVICE: "Out of service",
}
# One key each, for the keyboard-first bed board.
STATUS_KEYS = {
    "A": BedStatus.AVAILABLE, "O": BedStatus.OCCUPIED, "C": BedStatus.CLEANING, "D": BedStatus.PENDING_DISCHARGE,
    "B": BedStatus.BLOCKED, "I": BedStatus.ISOLATION, "X": BedStatus.OUT_OF_SERVICE,
}
SET_BY_HAND = tuple(STATUS_KEYS.values())


class BedChangeRefused(ValueError):
    """The change is not allowed; ``str()`` says why and what to do."""


def check_manual_change(current: BedStatus, target: BedStatus) -> None:
    """A ward may set any status but Reserved, and may not touch a bed held for an incoming transfer."""
    if target is BedStatus.RESERVED:
        raise BedChangeRefused("Reserved is set by a bed hold for an incoming transfer, not by hand.")
    if current is BedStatus.RESERVED:
        raise BedChangeRefused("This bed is held for an incoming transfer: it becomes Occupied when the patient "
                               "arrives. Before the transfer is accepted, rejecting it (or the hold lapsing) frees "
                               "the bed.")


# A patient is in the bed or on the way to it: what "beds in use" counts (the desk's trends, the server's hours).
BEDS_IN_USE = frozenset({BedStatus.OCCUPIED.value, BedStatus.RESERVED.value, BedStatus.PENDING_DISCHARGE.value,
                         BedStatus.ISOLATION.value})
