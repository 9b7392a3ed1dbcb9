"""A ward's roster as a problem and as a result (issue 26): the nurses with their grade, skills and contract hours,
the rules a roster must keep (cover per shift, at least two registered nurses, at most N nights in a row, no early
after a night, rest between shifts, leave) and the requests it should keep (weighted); which rule a roster broke
and why, in words. The solver is ``services.roster_solver`` (OR-Tools CP-SAT); this module is pure.

Days are roster days (a night belongs to the day it starts); shifts are ``domain.shifts``' (8 hours each)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from emsync_desktop.domain.shifts import SHIFT_LENGTH, SHIFTS, Shift

SHIFT_HOURS = SHIFT_LENGTH.total_seconds() / 3600
MIN_WEEKS, MAX_WEEKS = 2, 4


class Grade(StrEnum):
    REGISTERED = "RN"  # a registered nurse
    ASSISTANT = "HCA"  # a healthcare assistant: counts towards cover, not towards registered nurses

    @property
    def label(self) -> str:
        return "Registered nurse" if self is Grade.REGISTERED else "Healthcare assistant"


@dataclass(frozen=True)
class Nurse:
    id: str
    name: str
    grade: Grade
    contract_hours: float  # a week's
    skills: frozenset[str] = frozenset()  # e.g. "ICU", "paediatrics"
    nights: bool = True  # works nights

    def target_shifts(self, days: int) -> int:
        """Shifts the contract asks for over ``days`` days (8-hour shifts), rounded."""
        return round(self.contract_hours * days / 7 / SHIFT_HOURS)


class Want(StrEnum):
    OFF = "off"  # not this shift (or, with no shift, not this day)
    ON = "on"  # this shift


@dataclass(frozen=True)
class Request:
    """A nurse's wish for one day: ``shift`` None means the whole day (only with ``Want.OFF``). ``weight`` 1-5: how
    much it matters to them; ``leave``: booked leave, a hard rule, not a wish."""

    nurse_id: str
    day: date
    want: Want
    shift: Shift | None = None
    weight: int = 1
    leave: bool = False

    def text(self, names: dict[str, str]) -> str:
        what = "the whole day off" if self.shift is None else (
            f"no {self.shift.value} shift" if self.want is Want.OFF else f"the {self.shift.value} shift")
        kind = "leave" if self.leave else f"request (weight {self.weight})"
        return f"{names.get(self.nurse_id, '?')}'s {kind}: {what} on {self.day:%a %d %b}"


@dataclass(frozen=True)
class Rules:
    """The rules every roster keeps (hard) and the weights of those it tries to keep (soft)."""

    cover: dict[Shift, int] = field(default_factory=lambda: {Shift.EARLY: 5, Shift.LATE: 5, Shift.NIGHT: 4})
    min_registered: int = 2  # registered nurses on every shift (an RCN staffing red flag below this)
    skill_cover: dict[str, int] = field(default_factory=dict)  # per shift, e.g. {"ICU": 1}
    max_consecutive_nights: int = 3
    max_consecutive_days: int = 6
    min_rest_hours: float = 11.0
    contract_weight: int = 4  # per shift away from a nurse's contract
    spread_weight: int = 2  # per nurse the busiest day of a shift has above its cover
    week_weight: int = 1  # per shift a week is away from a nurse's contracted week
    request_scale: int = 10  # a request of weight w costs w * this when broken

    def rest_allows(self, first: Shift, then: Shift) -> bool:
        """Whether ``then`` on the next day may follow ``first``: never early after a night, and at least the
        minimum rest between the end of one and the start of the other."""
        if first is Shift.NIGHT and then is Shift.EARLY:
            return False
        ends = _start_hours(first) + SHIFT_HOURS
        starts = 24 + _start_hours(then)
        return starts - ends >= self.min_rest_hours


def _start_hours(shift: Shift) -> float:
    return shift.starts.hour + shift.starts.minute / 60


@dataclass(frozen=True)
class RosterProblem:
    first_day: date
    days: int
    nurses: tuple[Nurse, ...]
    rules: Rules
    requests: tuple[Request, ...] = ()

    def leave_days(self, nurse_id: str) -> int:
        """Whole days of booked leave a nurse has in the roster (their contract asks that much less of it)."""
        return len({r.day for r in self.requests if r.nurse_id == nurse_id and r.leave and r.shift is None})

    @property
    def dates(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(self.days)]

    def problems(self) -> list[str]:
        """What makes the problem ill-posed before any solving, in words (empty when fine)."""
        found = []
        if not MIN_WEEKS * 7 <= self.days <= MAX_WEEKS * 7:
            found.append(f"A roster covers {MIN_WEEKS} to {MAX_WEEKS} weeks, not {self.days} days.")
        if not self.nurses:
            found.append("Add the ward's nurses first.")
        if len({n.id for n in self.nurses}) != len(self.nurses):
            found.append("A nurse is listed twice.")
        for nurse in self.nurses:
            if not 0 < nurse.contract_hours <= 60:
                found.append(f"{nurse.name}: contract hours are a week's, 1 to 60 (not {nurse.contract_hours:g}).")
        if any(n < 0 for n in self.rules.cover.values()) or self.rules.max_consecutive_nights < 1:
            found.append("Cover is zero or more nurses per shift, and at least one night in a row is allowed.")
        last = self.first_day + timedelta(days=self.days - 1)
        names = {n.id for n in self.nurses}
        for request in self.requests:
            if request.nurse_id not in names or not self.first_day <= request.day <= last:
                found.append("A request is for a nurse no longer listed or a day outside the roster: remove it.")
                break
        return found


@dataclass(frozen=True)
class BrokenRule:
    """A soft rule the roster did not keep: what, why, and what it cost."""

    what: str
    why: str
    cost: int


class RosterStatus(StrEnum):
    OPTIMAL = "optimal"  # proven best for these rules and weights
    FEASIBLE = "feasible"  # keeps every hard rule; maybe not the best (see the gap)
    INFEASIBLE = "infeasible"  # no roster can keep every hard rule
    UNKNOWN = "unknown"  # the time ran out before any roster was found


@dataclass(frozen=True)
class Roster:
    """``shifts[nurse_id][i]``: the shift of day ``i`` (None: off). ``gap``: (cost - best bound) / cost, 0 when
    optimal. ``infeasible``: the hard rules that cannot all hold, in words."""

    status: RosterStatus
    shifts: dict[str, list[Shift | None]]
    cost: int
    bound: int
    broken: tuple[BrokenRule, ...] = ()
    infeasible: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def gap(self) -> float:
        return 0.0 if self.cost <= 0 else max(0.0, (self.cost - self.bound) / self.cost)


def shift_counts(roster: Roster, day: int, nurses: tuple[Nurse, ...]) -> dict[Shift, tuple[int, int]]:
    """Per shift of day ``day``: (nurses, registered nurses) on it."""
    grade = {n.id: n.grade for n in nurses}
    counts = {s: [0, 0] for s in SHIFTS}
    for nurse_id, days in roster.shifts.items():
        shift = days[day]
        if shift is not None:
            counts[shift][0] += 1
            counts[shift][1] += grade.get(nurse_id) is Grade.REGISTERED
    return {s: (c[0], c[1]) for s, c in counts.items()}
