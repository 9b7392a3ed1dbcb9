"""A ward's day in three shifts (issue 26): early 07:00-15:00, late 15:00-23:00, night 23:00-07:00 local time, the
pattern the handover and the rosters share. Pure: times in, times out (aware datetimes; the zone is the caller's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum


class Shift(StrEnum):
    EARLY = "early"
    LATE = "late"
    NIGHT = "night"

    @property
    def starts(self) -> time:
        return _STARTS[self]

    @property
    def label(self) -> str:
        return f"{self.value.capitalize()} {self.starts:%H:%M}-{_STARTS[_NEXT[self]]:%H:%M}"

    @property
    def is_day(self) -> bool:
        return self is not Shift.NIGHT


_STARTS = {Shift.EARLY: time(7), Shift.LATE: time(15), Shift.NIGHT: time(23)}
_NEXT = {Shift.EARLY: Shift.LATE, Shift.LATE: Shift.NIGHT, Shift.NIGHT: Shift.EARLY}
SHIFT_LENGTH = timedelta(hours=8)
SHIFTS = (Shift.EARLY, Shift.LATE, Shift.NIGHT)


@dataclass(frozen=True)
class ShiftSlot:
    """One shift on one roster day (a night belongs to the day it starts)."""

    day: date
    shift: Shift

    def start(self, at: datetime) -> datetime:
        """The shift's start in ``at``'s zone."""
        return datetime.combine(self.day, self.shift.starts, tzinfo=at.tzinfo)

    @property
    def label(self) -> str:
        return f"{self.day:%a %d %b} {self.shift.label}"


def slot_at(moment: datetime) -> ShiftSlot:
    """The shift under way at ``moment`` (in its own zone: pass local time)."""
    clock = moment.time()
    if clock >= time(23):
        return ShiftSlot(moment.date(), Shift.NIGHT)
    if clock < time(7):
        return ShiftSlot(moment.date() - timedelta(days=1), Shift.NIGHT)
    return ShiftSlot(moment.date(), Shift.EARLY if clock < time(15) else Shift.LATE)


def next_slot(slot: ShiftSlot) -> ShiftSlot:
    if slot.shift is Shift.NIGHT:
        return ShiftSlot(slot.day + timedelta(days=1), Shift.EARLY)
    return ShiftSlot(slot.day, _NEXT[slot.shift])
