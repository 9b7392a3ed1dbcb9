"""A blood unit's and a request's states (issue 24): every move allowed or refused, expiry by the clock, the
bedside check; and the server's tiers agree with the allocation order."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from emsync_desktop.domain.blood import (
    ALL_GROUPS,
    Abo,
    BloodGroup,
    Component,
    Recipient,
    StockUnit,
    allocation_order,
    allocation_tiers,
    din_check_character,
)
from emsync_desktop.domain.blood_flow import (
    UNIT_MOVES,
    MoveRefused,
    PatientIds,
    RequestState,
    UnitState,
    bedside_problem,
    check_unit_move,
    request_state,
    shown_state,
)

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=10)
STORED = [s for s in UnitState if s is not UnitState.EXPIRED]


@pytest.mark.parametrize(("state", "target"), list(itertools.product(STORED, STORED)))
def test_every_move_is_allowed_exactly_when_the_table_says(state: UnitState, target: UnitState) -> None:
    allowed = target in UNIT_MOVES[state]
    try:
        check_unit_move(state, target, expires_at=LATER, now=NOW, reason="a reason")
    except MoveRefused:
        assert not allowed
    else:
        assert allowed


@pytest.mark.parametrize("target", [UnitState.RESERVED, UnitState.AVAILABLE])
def test_an_expired_unit_cannot_be_used_once_the_clock_passes_its_expiry(target: UnitState) -> None:
    state = UnitState.AVAILABLE if target is UnitState.RESERVED else UnitState.QUARANTINED
    check_unit_move(state, target, expires_at=LATER, now=LATER - timedelta(seconds=1), reason="doubt cleared")
    with pytest.raises(MoveRefused, match="expired"):
        check_unit_move(state, target, expires_at=LATER, now=LATER, reason="doubt cleared")


def test_back_on_the_shelf_from_quarantine_says_what_was_checked() -> None:
    with pytest.raises(MoveRefused, match="what was checked"):
        check_unit_move(UnitState.QUARANTINED, UnitState.AVAILABLE, expires_at=LATER, now=NOW)
    check_unit_move(UnitState.RESERVED, UnitState.AVAILABLE, expires_at=LATER, now=NOW)  # unreserved: nothing to say


def test_a_transfusion_is_judged_by_when_it_started() -> None:
    started_in_time = NOW - timedelta(minutes=1)  # recorded later (offline), begun before the expiry: kept
    check_unit_move(UnitState.ISSUED, UnitState.TRANSFUSED, expires_at=NOW, now=started_in_time)
    with pytest.raises(MoveRefused, match="stop, and return it"):
        check_unit_move(UnitState.ISSUED, UnitState.TRANSFUSED, expires_at=NOW, now=NOW)


def test_an_issued_unit_past_its_expiry_shows_as_expired() -> None:
    assert shown_state(UnitState.ISSUED, NOW, NOW) is UnitState.EXPIRED


def test_a_request_with_units_out_and_units_still_to_find_stays_open() -> None:
    asked = {Component.RED_CELLS: 6}
    assert request_state(asked, [(Component.RED_CELLS, UnitState.ISSUED)] * 2) is RequestState.OPEN
    assert request_state(asked, [(Component.RED_CELLS, UnitState.ISSUED)] * 6) is RequestState.ISSUED
    five_out_one_to_issue = [(Component.RED_CELLS, UnitState.ISSUED)] * 5 + [(Component.RED_CELLS, UnitState.RESERVED)]
    assert request_state(asked, five_out_one_to_issue) is RequestState.ALLOCATED


@pytest.mark.parametrize(("on_request", "at_bedside"), [("സീത", "സോത"), ("सीता", "सोता")])
def test_the_vowel_signs_of_indic_scripts_tell_two_names_apart(on_request: str, at_bedside: str) -> None:
    din = "G123426100001"
    assert bedside_problem(PatientIds(on_request, "x"), PatientIds(at_bedside, "x"), din, din) is not None
    assert bedside_problem(PatientIds(on_request, "x"), PatientIds(f" {on_request} ", "X"), din, din) is None


def test_discarding_needs_a_reason() -> None:
    with pytest.raises(MoveRefused, match="Say why"):
        check_unit_move(UnitState.AVAILABLE, UnitState.DISCARDED, expires_at=LATER, now=NOW, reason="  ")


def test_a_unit_on_the_shelf_past_its_expiry_shows_as_expired_but_a_transfused_one_does_not() -> None:
    assert shown_state(UnitState.AVAILABLE, NOW, NOW) is UnitState.EXPIRED
    assert shown_state(UnitState.TRANSFUSED, NOW, NOW) is UnitState.TRANSFUSED


def test_a_request_moves_from_open_to_done_as_its_units_do() -> None:
    asked = {Component.RED_CELLS: 2}
    reserved, issued = (Component.RED_CELLS, UnitState.RESERVED), (Component.RED_CELLS, UnitState.ISSUED)
    done, back = (Component.RED_CELLS, UnitState.TRANSFUSED), (Component.RED_CELLS, UnitState.RETURNED)
    assert request_state(asked, []) is RequestState.OPEN
    assert request_state(asked, [reserved]) is RequestState.OPEN
    assert request_state(asked, [reserved, reserved]) is RequestState.ALLOCATED
    assert request_state(asked, [issued, reserved]) is RequestState.ALLOCATED  # one still to issue
    assert request_state(asked, [issued, issued]) is RequestState.ISSUED
    assert request_state(asked, [done, back]) is RequestState.DONE
    assert request_state(asked, [done, back], cancelled=True) is RequestState.CANCELLED


def test_the_bedside_check_ignores_case_and_spacing_but_not_a_digit() -> None:
    din = "G123426100001"
    scanned = din + din_check_character(din)
    ids = PatientIds("Anil Kumar", "1970-03-04")
    assert bedside_problem(ids, PatientIds(" anil  KUMAR", "19700304"), din, scanned) is None
    assert "second identifier" in str(bedside_problem(ids, PatientIds("Anil Kumar", "1970-03-05"), din, scanned))
    assert "name" in str(bedside_problem(ids, PatientIds("Anil Kuma", "1970-03-04"), din, scanned))
    assert "check character" in str(bedside_problem(ids, ids, din, din + "?"))


RECIPIENTS = [Recipient(None, True), Recipient(None, False),
              *(Recipient(g, c) for g in ALL_GROUPS for c in (True, False))]


@pytest.mark.parametrize("component", list(Component))
@pytest.mark.parametrize("emergency", [False, True])
def test_the_servers_tiers_give_the_same_order_as_the_allocation_order(component: Component, emergency: bool) -> None:
    rng = random.Random(24)
    units = [StockUnit(f"u{i}", component, rng.choice(ALL_GROUPS), NOW + timedelta(hours=rng.randint(1, 500)))
             for i in range(60)]
    for recipient in RECIPIENTS:
        by_tiers = [u for tier in allocation_tiers(component, recipient, emergency=emergency)
                    for u in sorted((u for u in units if u.group in tier), key=lambda u: u.expires_at)]
        ordered = allocation_order(units, component, recipient, NOW, emergency=emergency)
        assert [u.expires_at for u in by_tiers] == [u.expires_at for u in ordered]
        assert [u.group for u in by_tiers] == [u.group for u in ordered]


def test_o_negative_comes_after_o_positive_for_an_rhd_positive_man() -> None:
    tiers = allocation_tiers(Component.RED_CELLS, Recipient(BloodGroup(Abo.O, True), False))
    assert tiers == [(BloodGroup(Abo.O, True),), (BloodGroup(Abo.O, False),)]


def test_a_man_not_grouped_yet_gets_o_positive_first_in_an_emergency_saving_o_negative() -> None:
    tiers = allocation_tiers(Component.RED_CELLS, Recipient(None, False), emergency=True)
    assert tiers[0] == (BloodGroup(Abo.O, True),) and tiers[1] == (BloodGroup(Abo.O, False),)
    assert allocation_tiers(Component.RED_CELLS, Recipient(None, True), emergency=True) == [(BloodGroup(Abo.O, False),)]


def test_the_servers_own_choice_leaves_shortage_matches_to_a_person() -> None:
    o_neg_woman = Recipient(BloodGroup(Abo.O, False), True)
    with_shortage = allocation_tiers(Component.PLATELETS, o_neg_woman)
    without = allocation_tiers(Component.PLATELETS, o_neg_woman, shortage=False)
    assert BloodGroup(Abo.O, True) in {g for t in with_shortage for g in t}
    assert BloodGroup(Abo.O, True) not in {g for t in without for g in t}


@pytest.mark.parametrize("typed", ["21/07/1988", "21-7-1988", "21.07.1988", "21 Jul 1988", "1988-07-21"])
def test_a_date_of_birth_matches_however_it_is_typed_day_first(typed: str) -> None:
    din = "G123426100001"
    ids = PatientIds("Meera Pillai", "1988-07-21")
    assert bedside_problem(ids, PatientIds("meera pillai", typed), din, din) is None


def test_a_month_first_date_is_another_day() -> None:
    din = "G123426100001"
    assert bedside_problem(PatientIds("M P", "1988-07-03"), PatientIds("M P", "07/03/1988"), din, din) is not None
