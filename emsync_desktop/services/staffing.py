"""The ward's staffing now and over the next three days (issue 26): the red flags of ``domain.staffing`` from this
PC's own data (the roster built here, the bed board's occupied beds, the task board's overdue observations) and the
staffing forecast: patients expected per shift from the network's history (the server's hourly beds-in-use forecasts
of this hospital's units, ``services.forecasts``) against the nurses rostered.

Threading: the DB thread. Reads only. Times: UTC in, shifts in local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from emsync_desktop.domain.beds import BedStatus
from emsync_desktop.domain.forecast import SeriesKind
from emsync_desktop.domain.local_time import to_local
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.roster import Grade
from emsync_desktop.domain.shifts import SHIFT_LENGTH, ShiftSlot, next_slot, slot_at
from emsync_desktop.domain.staffing import RedFlag, observations_flag, shift_flags
from emsync_desktop.domain.ward_tasks import TaskKind
from emsync_desktop.services.bed_board import BedBoardService
from emsync_desktop.services.forecasts import load_forecasts
from emsync_desktop.services.rosters import SavedRoster
from emsync_desktop.services.ward_tasks import WardTaskService
from emsync_desktop.store.database import Store

OUTLOOK_SHIFTS = 9  # three days


@dataclass(frozen=True)
class ShiftOutlook:
    slot: ShiftSlot
    nurses: int | None  # rostered (None: no roster covers it)
    registered: int | None
    expected: float | None  # patients: the forecast's highest mean over the shift (None: no forecast)
    up_to: float | None  # its highest 80 % upper bound

    @property
    def per_nurse(self) -> float | None:
        if self.up_to is None or not self.nurses:
            return None
        return self.up_to / self.nurses


@dataclass(frozen=True)
class Staffing:
    flags: list[RedFlag]
    outlook: list[ShiftOutlook]
    occupied: int
    synthetic: bool  # the forecast is fitted on the demo's made-up history


def staffing(store: Store, user: UserInfo, saved: SavedRoster | None, now: datetime) -> Staffing:
    occupied = sum(1 for b in BedBoardService(store, user).board().beds if b.status is BedStatus.OCCUPIED)
    board = WardTaskService(store, user, clock=lambda: now).board()
    overdue = sum(1 for t in board.overdue if t.kind is TaskKind.OBSERVATIONS)
    forecasts = [f for f in load_forecasts(store) if f.hospital_id == user.hospital_id
                 and f.kind is SeriesKind.BEDS_HOURLY]
    slot = slot_at(to_local(now))
    outlook = []
    for _ in range(OUTLOOK_SHIFTS):
        start = slot.start(to_local(now))
        hours = [p for f in forecasts for p in f.points if start <= to_local(p.at) < start + SHIFT_LENGTH]
        by_hour: dict[datetime, tuple[float, float]] = {}
        for p in hours:
            mean, hi = by_hour.get(p.at, (0.0, 0.0))
            by_hour[p.at] = (mean + p.mean, hi + p.hi80)
        rostered = _rostered(saved, slot)
        outlook.append(ShiftOutlook(slot, rostered[0] if rostered else None, rostered[1] if rostered else None,
                                    max((v[0] for v in by_hour.values()), default=None),
                                    max((v[1] for v in by_hour.values()), default=None)))
        slot = next_slot(slot)
    return Staffing(_flags(outlook, occupied, overdue), outlook, occupied, any(f.synthetic for f in forecasts))


def _rostered(saved: SavedRoster | None, slot: ShiftSlot) -> tuple[int, int] | None:
    if saved is None or not saved.roster.shifts:
        return None
    day = (slot.day - saved.problem.first_day).days
    if not 0 <= day < saved.problem.days:
        return None
    grade = {n.id: n.grade for n in saved.problem.nurses}
    on = [nurse_id for nurse_id, days in saved.roster.shifts.items() if days[day] is slot.shift]
    return len(on), sum(1 for nurse_id in on if grade.get(nurse_id) is Grade.REGISTERED)


def _flags(outlook: list[ShiftOutlook], occupied: int, overdue: int) -> list[RedFlag]:
    flags = []
    now = outlook[0]
    if now.nurses is not None and now.registered is not None:
        flags += shift_flags(f"now ({now.slot.shift.label})", nurses=now.nurses, registered=now.registered,
                             patients=float(occupied), day_shift=now.slot.shift.is_day,
                             patients_word="patients in beds")
    observations = observations_flag(overdue)
    if observations is not None:
        flags.append(observations)
    for shift in outlook[1:]:
        if shift.nurses is not None and shift.registered is not None:
            flags += shift_flags(shift.slot.label, nurses=shift.nurses, registered=shift.registered,
                                 patients=shift.up_to, day_shift=shift.slot.shift.is_day,
                                 patients_word="patients expected (upper figure)")
    return flags


def roster_span_text(saved: SavedRoster) -> str:
    last = saved.problem.first_day + timedelta(days=saved.problem.days - 1)
    return f"{saved.problem.first_day:%a %d %b} to {last:%a %d %b}"
