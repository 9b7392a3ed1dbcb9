"""Building a ward's roster with OR-Tools CP-SAT (issue 26): one boolean per nurse, day and shift; the hard rules of
``domain.roster.Rules`` as constraints, the soft ones (requests, contract hours) as the cost to minimise; the best
roster found within the time limit, its optimality gap, the soft rules it broke and why (each explained by solving
again with that rule kept), or, when no roster can keep every hard rule, which of them clash.

Threading: any thread but the GUI's (a solve takes seconds); it touches no store. ``progress`` is called from the
solver's thread with (seconds, cost, bound) at each better roster; ``cancelled`` stops it early (best so far kept).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from ortools.sat.python import cp_model

from emsync_desktop.domain.roster import (
    SHIFT_HOURS,
    BrokenRule,
    Grade,
    Request,
    Roster,
    RosterProblem,
    RosterStatus,
    Want,
)
from emsync_desktop.domain.shifts import SHIFTS, Shift

Progress = Callable[[float, int, int], None]
CONTRACT_SLACK = 2  # shifts over a nurse's contract a roster may give (each one costs ``contract_weight``)
EXPLAINED = 5  # broken soft rules explained by a second solve, the costliest first
EXPLAIN_SECONDS = 1.5


@dataclass
class _Model:
    """The CP-SAT model with its variables, the hard rules' switches (for the infeasible case) and the soft rules'
    costs (for the broken ones)."""

    problem: RosterProblem
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    x: dict[tuple[int, int, Shift], cp_model.IntVar] = field(default_factory=dict)
    switches: dict[str, cp_model.IntVar] = field(default_factory=dict)  # hard rule group -> its literal
    # soft rule: (in words, its expression (0 when kept), its weight, the request or the nurse id of a contract)
    soft: list[tuple[str, cp_model.LinearExprT, int, Request | str]] = field(default_factory=list)

    def switch(self, name: str) -> cp_model.IntVar:
        if name not in self.switches:
            self.switches[name] = self.model.new_bool_var(name)
        return self.switches[name]


def solve_roster(problem: RosterProblem, *, seconds: float = 10.0, workers: int = 2, progress: Progress | None = None,
                 cancelled: threading.Event | None = None, explain: bool = True) -> Roster:
    """The best roster found within ``seconds`` on ``workers`` threads. Raises ValueError for an ill-posed problem
    (``RosterProblem.problems``)."""
    problems = problem.problems()
    if problems:
        raise ValueError(" ".join(problems))
    started = time.monotonic()
    built = _build(problem)
    solver, status = _run(built, seconds, workers, progress, cancelled)
    if status == cp_model.INFEASIBLE:
        return Roster(RosterStatus.INFEASIBLE, {}, 0, 0, infeasible=_clashing_rules(built),
                      seconds=time.monotonic() - started)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Roster(RosterStatus.UNKNOWN, {}, 0, 0, seconds=time.monotonic() - started)
    shifts = _read_shifts(built, solver)
    cost, bound = round(solver.objective_value), round(solver.best_objective_bound)
    broken = [(what, solver.value(expr) * weight, key) for what, expr, weight, key in built.soft
              if solver.value(expr) * weight > 0]
    stopped = cancelled is not None and cancelled.is_set()
    explained = _explain(problem, shifts, broken, cost, workers) if explain and not stopped else {}
    rules = tuple(BrokenRule(what, explained.get(what, ""), cost_) for what, cost_, _k in
                  sorted(broken, key=lambda b: -b[1]))
    state = RosterStatus.OPTIMAL if status == cp_model.OPTIMAL else RosterStatus.FEASIBLE
    return Roster(state, shifts, cost, bound, rules, seconds=time.monotonic() - started)


def _build(problem: RosterProblem, keep: Request | str | None = None) -> _Model:
    """The model; ``keep``: a soft rule made hard (a request, or a nurse id: their contract), to explain it."""
    m = _Model(problem)
    nurses, days = problem.nurses, range(problem.days)
    for n, _nurse in enumerate(nurses):
        for d in days:
            for s in SHIFTS:
                m.x[n, d, s] = m.model.new_bool_var(f"x{n}_{d}_{s.value}")
            m.model.add_at_most_one(m.x[n, d, s] for s in SHIFTS)
    _cover(m)
    _spread(m, keep if isinstance(keep, str) else None)
    _sequences(m)
    _leave_and_requests(m, keep if isinstance(keep, Request) else None)
    _contracts(m, keep if isinstance(keep, str) else None)
    m.model.minimize(sum(expr * weight for _what, expr, weight, _r in m.soft))
    return m


def _cover(m: _Model) -> None:
    rules, nurses = m.problem.rules, m.problem.nurses
    registered = [n for n, nurse in enumerate(nurses) if nurse.grade is Grade.REGISTERED]
    for d in range(m.problem.days):
        for s in SHIFTS:
            on = [m.x[n, d, s] for n in range(len(nurses))]
            m.model.add(sum(on) >= rules.cover.get(s, 0)).only_enforce_if(
                m.switch(f"cover of {rules.cover.get(s, 0)} nurses on every {s.value} shift"))
            need = min(rules.min_registered, rules.cover.get(s, 0))  # a shift nobody covers needs no RN either
            m.model.add(sum(m.x[n, d, s] for n in registered) >= need).only_enforce_if(
                m.switch(f"{rules.min_registered} registered nurses on every shift"))
            for skill, need in rules.skill_cover.items():
                skilled = [m.x[n, d, s] for n, nurse in enumerate(nurses) if skill in nurse.skills]
                m.model.add(sum(skilled) >= need).only_enforce_if(m.switch(f"{need} {skill}-skilled on every shift"))


def _spread(m: _Model, kept: str | None) -> None:
    """Nurses beyond the cover are spread over the days: the busiest day of each shift above its cover costs
    ``spread_weight`` per nurse (else the surplus lands anywhere: 12 on one early, 6 on the next)."""
    rules, nurses = m.problem.rules, range(len(m.problem.nurses))
    for s in SHIFTS:
        busiest = m.model.new_int_var(0, len(m.problem.nurses), f"busiest_{s.value}")
        for d in range(m.problem.days):
            m.model.add(busiest >= sum(m.x[n, d, s] for n in nurses))
        above = m.model.new_int_var(0, len(m.problem.nurses), f"above_{s.value}")
        m.model.add(above >= busiest - rules.cover.get(s, 0))
        if kept == f"spread:{s.value}":
            m.model.add(above == 0).only_enforce_if(m.switch(f"exactly the cover on every {s.value} shift"))
            continue
        m.soft.append((f"{s.value} shifts evenly staffed (the busiest {s.value} above its cover)", above,
                       rules.spread_weight, f"spread:{s.value}"))


def _sequences(m: _Model) -> None:
    rules, days = m.problem.rules, m.problem.days
    for n, nurse in enumerate(m.problem.nurses):
        if not nurse.nights:
            for d in range(days):
                m.model.add(m.x[n, d, Shift.NIGHT] == 0).only_enforce_if(m.switch("no nights for those who do not "
                                                                                   "work nights"))
        for window in _windows(days, rules.max_consecutive_nights + 1):
            m.model.add(sum(m.x[n, d, Shift.NIGHT] for d in window) <= rules.max_consecutive_nights) \
                .only_enforce_if(m.switch(f"at most {rules.max_consecutive_nights} nights in a row"))
        for window in _windows(days, rules.max_consecutive_days + 1):
            m.model.add(sum(m.x[n, d, s] for d in window for s in SHIFTS) <= rules.max_consecutive_days) \
                .only_enforce_if(m.switch(f"at most {rules.max_consecutive_days} days in a row"))
        for d in range(days - 1):
            for first in SHIFTS:
                for then in SHIFTS:
                    if not rules.rest_allows(first, then):
                        m.model.add_bool_or([m.x[n, d, first].Not(), m.x[n, d + 1, then].Not()]).only_enforce_if(
                            m.switch(f"no early after a night, and {rules.min_rest_hours:g} h rest between shifts"))


def _windows(days: int, length: int) -> Iterator[range]:
    for start in range(days - length + 1):
        yield range(start, start + length)


def _leave_and_requests(m: _Model, keep: Request | None) -> None:
    names = {nurse.id: nurse.name for nurse in m.problem.nurses}
    index = {nurse.id: n for n, nurse in enumerate(m.problem.nurses)}
    first = m.problem.first_day
    for request in m.problem.requests:
        n, d = index[request.nurse_id], (request.day - first).days
        shifts = [request.shift] if request.shift is not None else list(SHIFTS)
        worked = sum(m.x[n, d, s] for s in shifts)
        broken = worked if request.want is Want.OFF else 1 - worked
        if request.leave or request == keep:
            m.model.add(broken == 0).only_enforce_if(m.switch(request.text(names)))
        else:
            m.soft.append((request.text(names), broken, request.weight * m.problem.rules.request_scale, request))


def _contracts(m: _Model, kept: str | None) -> None:
    days, weight = m.problem.days, m.problem.rules.contract_weight
    for n, nurse in enumerate(m.problem.nurses):
        target = nurse.target_shifts(days - m.problem.leave_days(nurse.id))
        total = sum(m.x[n, d, s] for d in range(days) for s in SHIFTS)
        m.model.add(total <= target + CONTRACT_SLACK).only_enforce_if(
            m.switch(f"at most {CONTRACT_SLACK} shifts over each contract"))
        off = m.model.new_int_var(0, days, f"off{n}")
        m.model.add_abs_equality(off, total - target)
        if nurse.id == kept:
            m.model.add(off == 0).only_enforce_if(m.switch(f"{nurse.name}'s contract of {target} shifts"))
        else:
            m.soft.append((f"{nurse.name}'s contract of {target} shifts ({nurse.contract_hours:g} h a week)", off,
                           weight, nurse.id))
        _weekly(m, n, nurse.contract_hours)


def _weekly(m: _Model, n: int, hours: float) -> None:
    """Each whole week within the contract's week, rounded down and up (37.5 h: 4 or 5 shifts; 22.5 h: 2 or 3): a
    part-timer's shifts spread over the weeks, not bunched. Each shift outside it costs ``week_weight``; weeks with
    leave are left to the whole roster's count."""
    nurse = m.problem.nurses[n]
    fewest, most = math.floor(hours / SHIFT_HOURS), math.ceil(hours / SHIFT_HOURS)
    leave = {(r.day - m.problem.first_day).days for r in m.problem.requests if r.nurse_id == nurse.id and r.leave}
    for week in range(m.problem.days // 7):
        days = range(7 * week, 7 * week + 7)
        if leave & set(days):
            continue
        worked = sum(m.x[n, d, s] for d in days for s in SHIFTS)
        outside = m.model.new_int_var(0, 7, f"week{n}_{week}")
        m.model.add(outside >= fewest - worked)
        m.model.add(outside >= worked - most)
        m.soft.append((f"{nurse.name}'s week {week + 1} within {fewest}-{most} shifts", outside,
                       m.problem.rules.week_weight, f"week:{nurse.id}:{week}"))


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, progress: Progress | None, cancelled: threading.Event | None) -> None:
        super().__init__()
        self._progress, self._cancelled = progress, cancelled

    def on_solution_callback(self) -> None:
        if self._progress is not None:
            self._progress(self.wall_time, round(self.objective_value), round(self.best_objective_bound))
        if self._cancelled is not None and self._cancelled.is_set():
            self.stop_search()


def _run(m: _Model, seconds: float, workers: int, progress: Progress | None,
         cancelled: threading.Event | None) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    for literal in m.switches.values():
        m.model.add(literal == 1)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 7  # the same roster for the same problem, run after run
    done = threading.Event()
    if cancelled is not None:  # a Stop is heard at once, not only at the next better roster
        threading.Thread(target=_stop_when, args=(cancelled, done, solver), daemon=True,
                         name="roster-stop").start()
    try:
        status = solver.solve(m.model, _Reporter(progress, cancelled))
    finally:
        done.set()
    return solver, status


def _stop_when(cancelled: threading.Event, done: threading.Event, solver: cp_model.CpSolver) -> None:
    while not done.is_set():
        if cancelled.wait(0.1):
            solver.stop_search()
            return


def _clashing_rules(m: _Model) -> tuple[str, ...]:
    """Which hard rules cannot all hold: a core of the switches (CP-SAT's, by solving again with them as
    assumptions), made minimal by dropping each rule in turn that the rest still clash without."""
    core = _core(m.problem, list(m.switches))
    if core is None:
        return ("No roster was found in time; the rules may clash. Relax the cover or add nurses, then try again.",)
    for name in list(core):
        smaller = _core(m.problem, [n for n in core if n != name])
        if smaller is not None:
            core = smaller
    return tuple(sorted(core))


def _core(problem: RosterProblem, assumed: list[str]) -> list[str] | None:
    """The rules among ``assumed`` that clash (the others kept off), or None if they do not (or time ran out)."""
    again = _build(problem)
    for name, literal in again.switches.items():
        if name not in assumed:
            again.model.add(literal == 0)
    again.model.add_assumptions([again.switches[name] for name in assumed])
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 5.0
    solver.parameters.num_workers = 1  # cores need a single worker
    if solver.solve(again.model) != cp_model.INFEASIBLE:
        return None
    names = {literal.index: name for name, literal in again.switches.items()}
    return [names[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in names]


def _read_shifts(m: _Model, solver: cp_model.CpSolver) -> dict[str, list[Shift | None]]:
    shifts: dict[str, list[Shift | None]] = {}
    for n, nurse in enumerate(m.problem.nurses):
        shifts[nurse.id] = [next((s for s in SHIFTS if solver.value(m.x[n, d, s])), None)
                            for d in range(m.problem.days)]
    return shifts


def _explain(problem: RosterProblem, shifts: dict[str, list[Shift | None]],
             broken: list[tuple[str, int, Request | str]], cost: int, workers: int) -> dict[str, str]:
    """Why each of the costliest broken soft rules was broken: solved again with it kept (``EXPLAIN_SECONDS``)."""
    before = {what for what, _c, _k in broken}
    reasons = {}
    for what, _cost, key in sorted(broken, key=lambda b: -b[1])[:EXPLAINED]:
        m = _build(problem, keep=key)
        _hint(m, shifts)
        solver, status = _run(m, EXPLAIN_SECONDS, workers, None, None)
        if status == cp_model.INFEASIBLE:
            reasons[what] = "keeping it breaks a hard rule (cover, registered nurses, rest or nights in a row)"
        elif status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            instead = [w for w, expr, weight, _k in m.soft if solver.value(expr) * weight > 0 and w not in before]
            extra = round(solver.objective_value) - cost
            reasons[what] = _reason(extra, instead)
        else:
            reasons[what] = "no roster keeping it was found in time"
    return reasons


def _reason(extra: int, instead: list[str]) -> str:
    """Why a soft rule was broken, from a second solve that kept it: ``extra`` cost, the rules broken instead."""
    others = "; ".join(instead[:2])
    if extra <= 0:
        return f"keeping it would break {others} instead, at the same cost" if instead else \
            "an equally good roster keeps it; the solver chose among equals"
    return f"keeping it costs {extra} more: it would break {others}" if instead else \
        f"keeping it costs {extra} more in requests and contracts"


def _hint(m: _Model, shifts: dict[str, list[Shift | None]]) -> None:
    for n, nurse in enumerate(m.problem.nurses):
        for d, worked in enumerate(shifts[nurse.id]):
            for s in SHIFTS:
                m.model.add_hint(m.x[n, d, s], worked is s)


def days_text(problem: RosterProblem) -> str:
    last = problem.first_day + timedelta(days=problem.days - 1)
    return f"{problem.first_day:%a %d %b} to {last:%a %d %b %Y}"
