"""The roster solver (issue 26) on cases small enough to know the answer: a zero-cost roster when every rule and
wish fits, a known optimum of 8 when a wish and two contracts pull against each other, and infeasible rules named."""

from __future__ import annotations

import itertools
import threading
from datetime import date, timedelta

import pytest

from emsync_desktop.domain.roster import Grade, Nurse, Request, RosterProblem, RosterStatus, Rules, Want
from emsync_desktop.domain.shifts import Shift
from emsync_desktop.services.roster_solver import solve_roster

MONDAY = date(2026, 12, 7)
# Weeks left free (``week_weight`` 0): these cases are about contracts and wishes over the whole roster.
EARLY_ONLY = Rules(cover={Shift.EARLY: 1, Shift.LATE: 0, Shift.NIGHT: 0}, min_registered=1, max_consecutive_days=14,
                   week_weight=0)


def nurse(name: str, hours: float = 28.0, *, nights: bool = True, grade: Grade = Grade.REGISTERED) -> Nurse:
    return Nurse(name.lower(), name, grade, hours, nights=nights)


def test_when_everything_fits_the_roster_costs_nothing_and_is_proven_optimal() -> None:
    problem = RosterProblem(MONDAY, 14, (nurse("Asha"), nurse("Bina")), EARLY_ONLY,
                            (Request("asha", MONDAY, Want.OFF, weight=3),))
    roster = solve_roster(problem, seconds=10)
    assert (roster.status, roster.cost, roster.gap, roster.broken) == (RosterStatus.OPTIMAL, 0, 0.0, ())
    assert roster.shifts["asha"][0] is None and roster.shifts["bina"][0] is Shift.EARLY
    assert all(roster.shifts["asha"][d] or roster.shifts["bina"][d] for d in range(14))


def test_a_wish_against_two_contracts_gives_the_known_optimum_and_says_why() -> None:
    # Asha asks for the first 8 days off; she is contracted for 7 shifts and only 6 days are left. Cheapest: she
    # works 6 (one under: 4) and Bina 8 (one over: 4) = 8, rather than Asha working one day she asked off (10).
    wishes = tuple(Request("asha", MONDAY + timedelta(days=d), Want.OFF) for d in range(8))
    roster = solve_roster(RosterProblem(MONDAY, 14, (nurse("Asha"), nurse("Bina")), EARLY_ONLY, wishes), seconds=10)
    assert (roster.status, roster.cost, roster.bound) == (RosterStatus.OPTIMAL, 8, 8)
    assert sorted(b.what for b in roster.broken) == ["Asha's contract of 7 shifts (28 h a week)",
                                                     "Bina's contract of 7 shifts (28 h a week)"]
    assert all(b.why.startswith("keeping it costs 2 more") for b in roster.broken)


def test_no_roster_keeps_the_rules_and_the_clash_is_named() -> None:
    # One nurse may work nights, at most 3 in a row, and every night needs a nurse.
    rules = Rules(cover={Shift.EARLY: 0, Shift.LATE: 0, Shift.NIGHT: 1}, min_registered=0, max_consecutive_days=14)
    problem = RosterProblem(MONDAY, 14, (nurse("Asha", 60), nurse("Bina", 40, nights=False)), rules)
    roster = solve_roster(problem, seconds=10)
    assert roster.status is RosterStatus.INFEASIBLE and roster.shifts == {}
    assert roster.infeasible == ("at most 3 nights in a row", "cover of 1 nurses on every night shift",
                                 "no nights for those who do not work nights")


def test_no_early_after_a_night_and_rest_hold_in_every_roster() -> None:
    rules = Rules(cover={Shift.EARLY: 1, Shift.LATE: 1, Shift.NIGHT: 1}, min_registered=1)
    team = tuple(nurse(name, 37.5) for name in ("Asha", "Bina", "Chitra", "Devi", "Elsa", "Fatima"))
    roster = solve_roster(RosterProblem(MONDAY, 14, team, rules), seconds=10, explain=False)
    assert roster.status in (RosterStatus.OPTIMAL, RosterStatus.FEASIBLE)
    for days in roster.shifts.values():
        for today, tomorrow in itertools.pairwise(days):
            assert today is None or tomorrow is None or rules.rest_allows(today, tomorrow)
        nights = "".join("N" if s is Shift.NIGHT else "-" for s in days)
        assert "NNNN" not in nights


def test_an_ill_posed_problem_is_refused_in_words() -> None:
    with pytest.raises(ValueError, match="2 to 4 weeks"):
        solve_roster(RosterProblem(MONDAY, 5, (nurse("Asha"),), EARLY_ONLY))


def test_progress_is_reported_and_a_stop_keeps_the_best_so_far(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[float, int, int]] = []
    stop = threading.Event()

    def progress(seconds: float, cost: int, bound: int) -> None:
        seen.append((seconds, cost, bound))
        stop.set()  # the nurse presses Stop as soon as a first roster is shown

    team = tuple(nurse(name, 37.5) for name in ("Asha", "Bina", "Chitra", "Devi", "Elsa", "Fatima"))
    rules = Rules(cover={Shift.EARLY: 1, Shift.LATE: 1, Shift.NIGHT: 1}, min_registered=1)
    wishes = tuple(Request("asha", MONDAY + timedelta(days=d), Want.OFF, weight=2) for d in range(0, 28, 3))
    roster = solve_roster(RosterProblem(MONDAY, 28, team, rules, wishes), seconds=600, progress=progress,
                          cancelled=stop)
    assert seen and roster.status in (RosterStatus.FEASIBLE, RosterStatus.OPTIMAL) and roster.shifts
    assert all(b.why == "" for b in roster.broken)  # stopped: no time spent explaining


def test_booked_leave_lowers_the_contract_asked_for() -> None:
    leave = tuple(Request("asha", MONDAY + timedelta(days=d), Want.OFF, leave=True) for d in range(7))
    problem = RosterProblem(MONDAY, 14, (nurse("Asha"), nurse("Bina", 40)), EARLY_ONLY, leave)  # 4 + 10 = 14 earlies
    roster = solve_roster(problem, seconds=10)
    assert problem.leave_days("asha") == 7 and roster.cost == 0
    assert sum(s is not None for s in roster.shifts["asha"]) == nurse("Asha").target_shifts(7)


def test_a_full_timers_weeks_each_get_four_or_five_shifts_not_nine_and_none() -> None:
    rules = Rules(cover={Shift.EARLY: 0, Shift.LATE: 0, Shift.NIGHT: 0}, min_registered=0)
    roster = solve_roster(RosterProblem(MONDAY, 14, (nurse("Asha", 37.5),), rules), seconds=10)
    weeks = [sum(s is not None for s in roster.shifts["asha"][w * 7:(w + 1) * 7]) for w in range(2)]
    assert roster.status is RosterStatus.OPTIMAL and sum(weeks) == 9 and all(4 <= n <= 5 for n in weeks)
