"""Blood compatibility rules, every recipient × donor group × component, against an oracle written from the
antigens and antibodies themselves; emergency release; shelf lives; the ISBT 128 check character; the order units
are allocated in (closest match, O negative saved, first to expire first)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from emsync_desktop.domain.blood import (
    Abo,
    BloodGroup,
    Component,
    DinProblem,
    Donation,
    Match,
    Recipient,
    StockUnit,
    allocation_order,
    check_din,
    compatibility,
    din_check_character,
    emergency_red_cells,
    expiry,
    next_eligible,
    stock_levels,
)

ANTIGENS = {Abo.O: set(), Abo.A: {"A"}, Abo.B: {"B"}, Abo.AB: {"A", "B"}}
ANTIBODIES = {Abo.O: {"A", "B"}, Abo.A: {"B"}, Abo.B: {"A"}, Abo.AB: set()}
GROUPS = [BloodGroup(abo, rh) for abo in Abo for rh in (True, False)]
RECIPIENTS = [Recipient(group, childbearing) for group in [*GROUPS, None] for childbearing in (True, False)]
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def oracle_allowed(component: Component, donor: BloodGroup, recipient: Recipient, emergency: bool) -> bool:
    """From first principles: red cells must bring no antigen the recipient has antibodies to (and RhD only to the
    RhD-positive, save an emergency for someone who cannot bear children); plasma no antibody to the recipient's
    antigens; whole blood both; platelets anything. Not grouped yet: red cells as for O negative, plasma as for AB."""
    group = recipient.group
    cells_ok = not (ANTIGENS[donor.abo] - ANTIGENS[group.abo if group else Abo.O])
    plasma_ok = not (ANTIBODIES[donor.abo] & ANTIGENS[group.abo if group else Abo.AB])
    rh_ok = not donor.rhd_positive or (group is not None and group.rhd_positive) or (
        emergency and not recipient.childbearing)
    if component is Component.RED_CELLS:
        return cells_ok and rh_ok
    if component is Component.WHOLE_BLOOD:
        return cells_ok and plasma_ok and rh_ok
    if component in (Component.PLASMA, Component.CRYO):
        return plasma_ok
    return True


@pytest.mark.parametrize(("component", "donor", "recipient", "emergency"),
                         list(itertools.product(Component, GROUPS, RECIPIENTS, (False, True))))
def test_every_recipient_donor_and_component_follows_the_antibodies(
        component: Component, donor: BloodGroup, recipient: Recipient, emergency: bool) -> None:
    verdict = compatibility(component, donor, recipient, emergency=emergency)
    assert (verdict.match is not Match.NO) == oracle_allowed(component, donor, recipient, emergency), verdict
    assert (verdict.match in (Match.ACCEPTABLE, Match.NO)) == bool(verdict.reason)


def test_identical_is_the_best_match() -> None:
    a_pos = BloodGroup(Abo.A, True)
    verdicts = [compatibility(Component.RED_CELLS, donor, Recipient(a_pos, False)).match
                for donor in (a_pos, BloodGroup(Abo.O, True))]
    assert verdicts == [Match.IDENTICAL, Match.COMPATIBLE]


def test_platelets_of_another_plasma_group_only_in_shortage_and_rhd_positive_ones_need_cover() -> None:
    o_neg_woman = Recipient(BloodGroup(Abo.O, False), childbearing=True)
    assert compatibility(Component.PLATELETS, BloodGroup(Abo.O, False), o_neg_woman).match is Match.IDENTICAL
    a_neg = compatibility(Component.PLATELETS, BloodGroup(Abo.A, False), o_neg_woman)
    assert a_neg.match is Match.COMPATIBLE  # its plasma's anti-B meets no B on group O cells
    rh_pos = compatibility(Component.PLATELETS, BloodGroup(Abo.O, True), o_neg_woman)
    assert rh_pos.match is Match.ACCEPTABLE and "anti-D" in rh_pos.reason


def test_emergency_release_is_o_negative_for_a_woman_who_can_bear_children_else_o_positive() -> None:
    assert emergency_red_cells(Recipient(None, childbearing=True)) == BloodGroup(Abo.O, False)
    assert emergency_red_cells(Recipient(None, childbearing=False)) == BloodGroup(Abo.O, True)


def test_a_unit_expires_by_its_label_else_by_its_components_shelf_life() -> None:
    collected = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    assert expiry(Component.RED_CELLS, collected) == collected + timedelta(days=42)
    assert expiry(Component.PLATELETS, collected) == collected + timedelta(days=5)
    label = datetime(2026, 11, 20, tzinfo=UTC)
    assert expiry(Component.RED_CELLS, collected, label) == label


def test_the_red_books_worked_example_has_check_character_h() -> None:
    assert din_check_character("G123498654321") == "H"
    assert check_din("=G1234 98 654321 00 H") == "G123498654321"  # as scanned: identifier, flags, check


@pytest.mark.parametrize(("typed", "says"), [
    ("G12349865432", "13 characters"),  # one short
    ("G1234986543X1", "letter or digit then 12 digits"),
    ("G123498654321K", "does not match"),  # a wrong check character
    ("G123498654312H", "does not match"),  # two digits swapped
])
def test_a_mistyped_donation_number_is_refused_with_the_reason(typed: str, says: str) -> None:
    with pytest.raises(DinProblem, match=says):
        check_din(typed)


def unit(name: str, abo: Abo, rh: bool, days: int, component: Component = Component.RED_CELLS) -> StockUnit:
    return StockUnit(name, component, BloodGroup(abo, rh), NOW + timedelta(days=days))


def test_allocation_takes_the_closest_match_then_saves_o_negative_then_the_first_to_expire() -> None:
    stock = [unit("o-neg-soon", Abo.O, False, 1), unit("o-pos-late", Abo.O, True, 9),
             unit("o-pos-soon", Abo.O, True, 2), unit("a-pos", Abo.A, True, 20), unit("b-pos", Abo.B, True, 1),
             unit("a-pos-expired", Abo.A, True, -1)]
    order = allocation_order(stock, Component.RED_CELLS, Recipient(BloodGroup(Abo.A, True), False), NOW)
    assert [u.id for u in order] == ["a-pos", "o-pos-soon", "o-pos-late", "o-neg-soon"]


def test_o_negative_goes_to_the_woman_who_needs_it_first_to_expire_first() -> None:
    stock = [unit("o-neg-late", Abo.O, False, 9), unit("o-neg-soon", Abo.O, False, 1), unit("o-pos", Abo.O, True, 1)]
    order = allocation_order(stock, Component.RED_CELLS, Recipient(None, childbearing=True), NOW)
    assert [u.id for u in order] == ["o-neg-soon", "o-neg-late"]  # never RhD-positive for her


def test_a_donor_may_give_again_after_the_interval_and_any_deferral() -> None:
    last = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    assert next_eligible(last, Donation.WHOLE_BLOOD) == last + timedelta(weeks=8)
    assert next_eligible(last, Donation.PLATELETS) == last + timedelta(days=7)
    travel = datetime(2027, 3, 1, tzinfo=UTC)
    assert next_eligible(last, Donation.WHOLE_BLOOD, deferred_until=travel) == travel
    assert next_eligible(None, Donation.WHOLE_BLOOD) is None  # never given: now


def test_stock_counts_units_against_par_and_flags_those_expiring_within_48_hours() -> None:
    o_neg, a_pos = BloodGroup(Abo.O, False), BloodGroup(Abo.A, True)
    stock = [unit("1", Abo.O, False, 1), unit("2", Abo.O, False, 10), unit("3", Abo.O, False, -1),
             unit("4", Abo.A, True, 30)]
    lines = stock_levels(stock, {(Component.RED_CELLS, o_neg): 6, (Component.PLASMA, a_pos): 4}, NOW)
    summary = [(line.component, str(line.group), line.available, line.short, line.expiring) for line in lines]
    assert summary == [(Component.RED_CELLS, "O neg", 2, 4, 1), (Component.RED_CELLS, "A pos", 1, 0, 0),
                       (Component.PLASMA, "A pos", 0, 4, 0)]
