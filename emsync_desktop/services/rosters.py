"""The ward's roster as a document on the nurse in charge's PC (issue 26): the staff (grades, skills, contract hours),
the rules, the requests and the last roster built, kept in this PC's store (settings, as JSON, per hospital) and
saved the moment they change. Nothing of it goes to the server (DESIGN.md section 8: a roster is a document).

Threading: the DB thread. The solve itself is ``roster_solver`` (off both threads)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.roster import Grade, Nurse, Request, Roster, RosterProblem, RosterStatus, Rules, Want
from emsync_desktop.domain.shifts import Shift
from emsync_desktop.services.roster_demo import DEMO_RULES, demo_requests, demo_staff
from emsync_desktop.store.database import Store
from emsync_desktop.store.repositories import get_setting, set_setting


@dataclass(frozen=True)
class SavedRoster:
    problem: RosterProblem
    roster: Roster


class RosterBook:
    """``demo``: an empty book starts from the demo ward's staff and requests."""

    def __init__(self, store: Store, user: UserInfo, *, demo: bool = False) -> None:
        self._store, self._demo = store, demo
        self._prefix = f"roster.{user.hospital_id or 'none'}"

    def staff(self) -> tuple[Nurse, ...]:
        saved = self._read("staff")
        if saved is None:
            return demo_staff() if self._demo else ()
        return tuple(_nurse(n) for n in saved)

    def save_staff(self, staff: tuple[Nurse, ...]) -> None:
        self._write("staff", [_nurse_json(n) for n in staff])

    def rules(self) -> Rules:
        saved = self._read("rules")
        return _rules(saved) if saved is not None else DEMO_RULES if self._demo else Rules()

    def save_rules(self, rules: Rules) -> None:
        self._write("rules", _rules_json(rules))

    def requests(self, first_day: date, days: int) -> tuple[Request, ...]:
        saved = self._read("requests")
        if saved is None:
            return demo_requests(self.staff(), first_day, days) if self._demo else ()
        return tuple(_request(r) for r in saved)

    def save_requests(self, requests: tuple[Request, ...]) -> None:
        self._write("requests", [_request_json(r) for r in requests])

    def saved(self) -> SavedRoster | None:
        saved = self._read("current")
        if saved is None:
            return None
        problem = RosterProblem(date.fromisoformat(saved["first_day"]), saved["days"], self.staff(), self.rules())
        shifts = {nurse_id: [Shift(s) if s else None for s in days] for nurse_id, days in saved["shifts"].items()}
        roster = Roster(RosterStatus(saved["status"]), shifts, saved["cost"], saved["bound"],
                        seconds=saved["seconds"])
        return SavedRoster(problem, roster)

    def save(self, problem: RosterProblem, roster: Roster) -> None:
        """The roster built (its broken rules are shown when built, not kept)."""
        self._write("current", {"first_day": problem.first_day.isoformat(), "days": problem.days,
                                "status": roster.status.value, "cost": roster.cost, "bound": roster.bound,
                                "seconds": roster.seconds,
                                "shifts": {k: [s.value if s else None for s in v] for k, v in roster.shifts.items()}})

    def _read(self, key: str) -> Any:
        with self._store.sessions.begin() as session:
            text = get_setting(session, f"{self._prefix}.{key}")
        return json.loads(text) if text else None

    def _write(self, key: str, value: Any) -> None:
        with self._store.sessions.begin() as session:
            set_setting(session, f"{self._prefix}.{key}", json.dumps(value))


def _nurse_json(n: Nurse) -> dict[str, Any]:
    return {"id": n.id, "name": n.name, "grade": n.grade.value, "hours": n.contract_hours,
            "skills": sorted(n.skills), "nights": n.nights}


def _nurse(d: dict[str, Any]) -> Nurse:
    return Nurse(d["id"], d["name"], Grade(d["grade"]), float(d["hours"]), frozenset(d["skills"]), bool(d["nights"]))


def _rules_json(r: Rules) -> dict[str, Any]:
    return {"cover": {s.value: n for s, n in r.cover.items()}, "min_registered": r.min_registered,
            "skill_cover": r.skill_cover, "max_consecutive_nights": r.max_consecutive_nights,
            "max_consecutive_days": r.max_consecutive_days, "min_rest_hours": r.min_rest_hours}


def _rules(d: dict[str, Any]) -> Rules:
    return Rules(cover={Shift(s): int(n) for s, n in d["cover"].items()}, min_registered=int(d["min_registered"]),
                 skill_cover={k: int(v) for k, v in d["skill_cover"].items()},
                 max_consecutive_nights=int(d["max_consecutive_nights"]),
                 max_consecutive_days=int(d["max_consecutive_days"]), min_rest_hours=float(d["min_rest_hours"]))


def _request_json(r: Request) -> dict[str, Any]:
    return {"nurse_id": r.nurse_id, "day": r.day.isoformat(), "want": r.want.value,
            "shift": r.shift.value if r.shift else None, "weight": r.weight, "leave": r.leave}


def _request(d: dict[str, Any]) -> Request:
    return Request(d["nurse_id"], date.fromisoformat(d["day"]), Want(d["want"]), Shift(d["shift"]) if d["shift"]
                   else None, int(d["weight"]), bool(d["leave"]))
