"""Donors (issue 24): when each may give again, whom to call for a short group, what a registration needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from emsync_desktop.domain.blood import Abo, BloodGroup, Donation
from emsync_desktop.domain.blood_donors import DonorProblem, DonorRecord, call_up_list, check_donor, csv_cell

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
O_NEG, A_POS = BloodGroup(Abo.O, False), BloodGroup(Abo.A, True)


def donor(name: str, group: BloodGroup, weeks_ago: float | None, kind: Donation = Donation.WHOLE_BLOOD,
          deferred_days: float | None = None) -> DonorRecord:
    last = NOW - timedelta(weeks=weeks_ago) if weeks_ago is not None else None
    deferred = NOW + timedelta(days=deferred_days) if deferred_days is not None else None
    return DonorRecord(name, name, "+91 94470 00000", group, last, kind if last else None, deferred)


def test_a_whole_blood_donor_may_give_again_after_eight_weeks_and_a_double_red_cell_one_after_sixteen() -> None:
    assert not donor("a", O_NEG, 7.9).may_give(NOW) and donor("b", O_NEG, 8).may_give(NOW)
    assert not donor("c", O_NEG, 15, Donation.DOUBLE_RED_CELLS).may_give(NOW)


def test_a_deferral_holds_a_donor_back_even_when_rested() -> None:
    held = donor("a", O_NEG, 30, deferred_days=10)
    assert not held.may_give(NOW) and held.eligible_from() == NOW + timedelta(days=10)


def test_the_call_up_list_takes_the_short_groups_rested_donors_never_given_first_then_longest_ago() -> None:
    donors = [donor("recent", O_NEG, 9), donor("never", O_NEG, None), donor("long ago", O_NEG, 40),
              donor("too soon", O_NEG, 2), donor("other group", A_POS, 50),
              donor("deferred", O_NEG, 50, deferred_days=3)]
    assert [d.name for d in call_up_list(donors, [O_NEG], NOW)] == ["never", "long ago", "recent"]


def test_the_shortest_group_is_called_first() -> None:
    donors = [donor("a pos", A_POS, 20), donor("o neg", O_NEG, 20)]
    assert [d.name for d in call_up_list(donors, [O_NEG, A_POS], NOW)] == ["o neg", "a pos"]


@pytest.mark.parametrize(("name", "phone", "problem"), [("", "", "full name"), ("Anu", "call me", "digits"),
                                                         ("Anu", "12", "digits")])
def test_a_registration_needs_a_name_and_a_phone_that_is_a_number(name: str, phone: str, problem: str) -> None:
    with pytest.raises(DonorProblem, match=problem):
        check_donor(name, phone)


def test_names_and_phones_are_kept_trimmed() -> None:
    assert check_donor("  Anu   Mathew ", " +91 94470-12345 ") == ("Anu Mathew", "+91 94470-12345")


def test_a_name_typed_as_a_formula_stays_text_in_the_call_up_list() -> None:
    assert csv_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")" and csv_cell("Anu") == "Anu"
