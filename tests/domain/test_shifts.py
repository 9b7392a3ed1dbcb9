"""The ward's three shifts (issue 26): early 07-15, late 15-23, night 23-07 belonging to the day it starts."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from emsync_desktop.domain.shifts import Shift, ShiftSlot, next_slot, slot_at


@pytest.mark.parametrize(("clock", "day", "shift"), [
    ("07:00", date(2026, 12, 6), Shift.EARLY), ("14:59", date(2026, 12, 6), Shift.EARLY),
    ("15:00", date(2026, 12, 6), Shift.LATE), ("23:00", date(2026, 12, 6), Shift.NIGHT),
    ("06:59", date(2026, 12, 5), Shift.NIGHT), ("00:00", date(2026, 12, 5), Shift.NIGHT),
])
def test_the_shift_under_way(clock: str, day: date, shift: Shift) -> None:
    assert slot_at(datetime.fromisoformat(f"2026-12-06T{clock}")) == ShiftSlot(day, shift)


def test_after_a_night_comes_the_next_days_early() -> None:
    assert next_slot(ShiftSlot(date(2026, 12, 5), Shift.NIGHT)) == ShiftSlot(date(2026, 12, 6), Shift.EARLY)
    assert Shift.NIGHT.label == "Night 23:00-07:00" and not Shift.NIGHT.is_day
