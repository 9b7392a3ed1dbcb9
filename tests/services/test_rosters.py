"""The roster document on the nurse in charge's PC (issue 26): staff, rules, requests and the roster built survive a
restart of the app; the staffing red flags come from that roster and the bed board."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.domain.roster import Grade, Nurse, Request, Roster, RosterProblem, RosterStatus, Rules, Want
from emsync_desktop.domain.shifts import SHIFTS, Shift
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.roster_demo import demo_staff
from emsync_desktop.services.rosters import RosterBook
from emsync_desktop.services.staffing import staffing

MONDAY = date(2026, 12, 7)


@pytest.fixture
def nurse(app_context: AppContext) -> UserInfo:
    return next(u for u in demo_users(app_context.store) if u.role is Role.NURSE)


def test_a_demo_book_starts_from_the_demo_ward_and_a_real_one_empty(app_context: AppContext, nurse: UserInfo) -> None:
    assert RosterBook(app_context.store, nurse, demo=True).staff() == demo_staff()
    assert RosterBook(app_context.store, nurse).staff() == ()


def test_staff_rules_requests_and_roster_are_kept(app_context: AppContext, nurse: UserInfo) -> None:
    book = RosterBook(app_context.store, nurse)
    staff = (Nurse("a", "Asha", Grade.REGISTERED, 37.5, frozenset({"ICU"}), nights=False),
             Nurse("b", "Bina", Grade.ASSISTANT, 22.5))
    rules = Rules(cover={Shift.EARLY: 2, Shift.LATE: 1, Shift.NIGHT: 1}, min_registered=1, max_consecutive_nights=2)
    requests = (Request("a", MONDAY, Want.OFF, None, 4), Request("b", MONDAY, Want.ON, Shift.LATE, 2, False))
    book.save_staff(staff)
    book.save_rules(rules)
    book.save_requests(requests)
    problem = RosterProblem(MONDAY, 14, staff, rules)
    book.save(problem, Roster(RosterStatus.FEASIBLE, {"a": [Shift.EARLY] * 14, "b": [None] * 14}, 12, 10))
    again = RosterBook(app_context.store, nurse)
    assert (again.staff(), again.rules(), again.requests(MONDAY, 14)) == (staff, rules, requests)
    saved = again.saved()
    assert saved is not None and saved.roster.shifts["a"][3] is Shift.EARLY and saved.roster.cost == 12


def test_a_roster_with_one_registered_nurse_on_a_shift_raises_a_red_flag(app_context: AppContext,
                                                                         nurse: UserInfo) -> None:
    book = RosterBook(app_context.store, nurse)
    staff = (Nurse("a", "Asha", Grade.REGISTERED, 37.5), Nurse("b", "Bina", Grade.ASSISTANT, 37.5))
    book.save_staff(staff)
    now = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
    book.save(RosterProblem(MONDAY, 14, staff, Rules()), Roster(RosterStatus.FEASIBLE,
                                                                 {"a": [Shift.EARLY] * 14, "b": [Shift.EARLY] * 14},
                                                                 0, 0))
    found = staffing(app_context.store, nurse, book.saved(), now)
    texts = [f.text for f in found.flags]
    assert any("0 registered nurses rostered" in t for t in texts)  # a late with nobody on it
    assert found.outlook[0].slot.shift in SHIFTS and found.occupied > 0
