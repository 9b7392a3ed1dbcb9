"""The demo ward's staff (issue 26): 30 nurses of a Kochi ward with grades, skills and contract hours, the same on
every run (what the demo's Roster tab starts from and the roster bench solves). Made-up people."""

from __future__ import annotations

import random
from datetime import date, timedelta

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.roster import Grade, Nurse, Request, Rules, Want
from emsync_desktop.domain.shifts import SHIFTS, Shift

_NAMES = ("Anjali Menon", "Bindu Thomas", "Chitra Nair", "Deepa Varghese", "Elsa Joseph", "Fathima Beevi",
          "Gayathri Pillai", "Hima Krishnan", "Indu Mathew", "Jincy George", "Kavya Suresh", "Lekha Das",
          "Manju Kurian", "Neethu Raj", "Oormila Iyer", "Priya Antony", "Reshma Ali", "Sandhya Mohan",
          "Teena Jacob", "Usha Kumari", "Vidya Sasi", "Winnie Paul", "Anitha Rajan", "Beena Xavier",
          "Cicily Francis", "Divya Prakash", "Ebin Mathews", "Febin Johnson", "Gokul Das", "Harish Menon")
DEMO_RULES = Rules(cover={Shift.EARLY: 7, Shift.LATE: 6, Shift.NIGHT: 5}, min_registered=2, skill_cover={"ICU": 1})


def demo_staff() -> tuple[Nurse, ...]:
    """22 registered nurses (8 with ICU skills) and 8 healthcare assistants; most full time (37.5 h), some part
    time; three do not work nights."""
    staff = []
    for i, name in enumerate(_NAMES):
        grade = Grade.REGISTERED if i < 22 else Grade.ASSISTANT
        hours = 22.5 if i % 10 == 7 else 30.0 if i % 10 == 3 else 37.5
        skills = frozenset({"ICU"}) if i < 8 else frozenset()
        staff.append(Nurse(demo_id("nurse", name), name, grade, hours, skills, nights=i not in (4, 15, 26)))
    return tuple(staff)


def demo_requests(staff: tuple[Nurse, ...], first_day: date, days: int, count: int = 40) -> tuple[Request, ...]:
    """``count`` wishes (days off, no nights, a wanted early) weighted 1-5, and two weeks of leave for one nurse."""
    rng = random.Random(26)
    wishes = {}
    for _ in range(count):
        nurse, day = rng.choice(staff), first_day + timedelta(days=rng.randrange(days))
        kind = rng.random()
        shift, want = (None, Want.OFF) if kind < 0.6 else (Shift.NIGHT, Want.OFF) if kind < 0.8 else (
            rng.choice(SHIFTS[:2]), Want.ON)
        wishes[nurse.id, day] = Request(nurse.id, day, want, shift, weight=rng.randint(1, 5))
    leave = staff[9]
    for d in range(min(7, days)):
        wishes[leave.id, first_day + timedelta(days=d)] = Request(leave.id, first_day + timedelta(days=d), Want.OFF,
                                                                  leave=True)
    return tuple(wishes.values())
