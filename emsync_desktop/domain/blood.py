"""Blood components: ABO/RhD compatibility per component, emergency release, shelf lives, the ISBT 128 donation
number's check character (issue 24). Pure rules, shared by the server (which allocates units) and the desks.

The compatibility rules are data (``RED_CELL_DONORS``, ``PLASMA_DONORS``, ``PLATELET_PREFERENCE``) in one place and
tested against every recipient × donor × component. What they encode (AABB Technical Manual; JPAC Handbook of
Transfusion Medicine, chapter on compatibility):

- Red cells (and whole blood): the donor's cells must carry no ABO antigen the recipient has antibodies against
  (O to anyone, A to A and AB, B to B and AB, AB to AB only); whole blood also carries plasma, so it must be
  ABO-identical (and so is never given before the group is known here). RhD-negative recipients get RhD-negative
  red cells; RhD-positive red cells only in an emergency, never to a woman who can still bear children (anti-D
  makes haemolytic disease of the newborn).
- Plasma and cryoprecipitate: the reverse (the donor's antibodies must not meet the recipient's cells): AB plasma
  to anyone, A to A and O, B to B and O, O to O only. RhD does not matter.
- Platelets: ABO-identical best, then ABO-compatible plasma, then any group (platelets are suspended in plasma;
  a minor mismatch is accepted when nothing else is there). RhD-negative recipients get RhD-negative platelets
  when there are any; RhD-positive platelets to an RhD-negative woman of childbearing potential need anti-D cover.
- Group not known yet (no sample, or emergency): group O red cells (O negative for women of childbearing potential
  and when sex is unknown), group AB plasma.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

from stdnum.iso7064 import mod_37_2


class Abo(StrEnum):
    O = "O"  # noqa: E741 - the blood group's own name
    A = "A"
    B = "B"
    AB = "AB"


class Component(StrEnum):
    RED_CELLS = "red_cells"
    PLASMA = "plasma"
    PLATELETS = "platelets"
    CRYO = "cryo"
    WHOLE_BLOOD = "whole_blood"

    @property
    def label(self) -> str:
        return _LABELS[self]


def counts_text(counts: dict[Component, int]) -> str:
    """'red cells 6, plasma 6, platelets 1' (a count after each name reads right for 1 and for 6)."""
    return ", ".join(f"{component.label.lower()} {n}" for component, n in counts.items())


_LABELS = {Component.RED_CELLS: "Red cells", Component.PLASMA: "Plasma", Component.PLATELETS: "Platelets",
           Component.CRYO: "Cryoprecipitate", Component.WHOLE_BLOOD: "Whole blood"}


@dataclass(frozen=True)
class BloodGroup:
    abo: Abo
    rhd_positive: bool

    def __str__(self) -> str:
        return f"{self.abo.value} {'pos' if self.rhd_positive else 'neg'}"


@dataclass(frozen=True)
class Recipient:
    """Whom a unit is for. ``group`` None: not known yet (no group on a sample). ``childbearing``: a girl or woman
    who can still bear children, or a patient whose sex is not known (treated as one)."""

    group: BloodGroup | None
    childbearing: bool


class Match(IntEnum):
    """How good a donor unit is for a recipient, best first; ``NO`` is never given."""

    IDENTICAL = 0  # same ABO (and RhD where it matters)
    COMPATIBLE = 1
    ACCEPTABLE = 2  # in shortage, with the reason said (platelets of another group, RhD-positive for a man)
    NO = 3


# Red cells: recipient ABO -> donor ABO whose cells it may receive.
RED_CELL_DONORS: dict[Abo, frozenset[Abo]] = {
    Abo.O: frozenset({Abo.O}), Abo.A: frozenset({Abo.A, Abo.O}), Abo.B: frozenset({Abo.B, Abo.O}),
    Abo.AB: frozenset({Abo.AB, Abo.A, Abo.B, Abo.O}),
}
# Plasma (and cryoprecipitate): recipient ABO -> donor ABO whose plasma it may receive.
PLASMA_DONORS: dict[Abo, frozenset[Abo]] = {
    Abo.O: frozenset({Abo.O, Abo.A, Abo.B, Abo.AB}), Abo.A: frozenset({Abo.A, Abo.AB}),
    Abo.B: frozenset({Abo.B, Abo.AB}), Abo.AB: frozenset({Abo.AB}),
}
UNKNOWN_GROUP_RED_CELLS = Abo.O
UNKNOWN_GROUP_PLASMA = Abo.AB


@dataclass(frozen=True)
class Verdict:
    match: Match
    reason: str  # for ACCEPTABLE and NO: what a blood-bank scientist would say; else ""


def compatibility(component: Component, donor: BloodGroup, recipient: Recipient, *,
                  emergency: bool = False) -> Verdict:
    """Whether a unit of ``component`` from ``donor`` may go to ``recipient``. ``emergency``: uncrossmatched release
    for a bleeding patient (RhD-positive red cells become acceptable for those who may not bear children)."""
    if component in (Component.RED_CELLS, Component.WHOLE_BLOOD):
        return _red_cells(component, donor, recipient, emergency)
    if component in (Component.PLASMA, Component.CRYO):
        return _plasma(donor, recipient)
    return _platelets(donor, recipient)


def _red_cells(component: Component, donor: BloodGroup, recipient: Recipient, emergency: bool) -> Verdict:
    group = recipient.group
    if group is None and component is Component.WHOLE_BLOOD:  # its plasma must match too: unknown, it cannot
        return Verdict(Match.NO, "group not known yet: whole blood is given group-identical only (low-titre O "
                                 "whole blood protocols are not modelled here)")
    wanted_abo = group.abo if group is not None else UNKNOWN_GROUP_RED_CELLS
    allowed = {wanted_abo} if component is Component.WHOLE_BLOOD else RED_CELL_DONORS[wanted_abo]
    if donor.abo not in allowed:
        return Verdict(Match.NO, f"{donor.abo.value} cells carry antigens a group {wanted_abo.value} recipient's "
                                 "antibodies destroy" if group else "group not known yet: group O cells only")
    recipient_negative = group is None or not group.rhd_positive
    if donor.rhd_positive and recipient_negative:
        if recipient.childbearing:
            return Verdict(Match.NO, "RhD-positive cells for a woman who can bear children (or sex unknown): "
                                     "RhD-negative only")
        if not emergency:
            return Verdict(Match.NO, "RhD-positive cells for an RhD-negative patient: only in an emergency release")
        if group is None:  # the standard emergency release for a man (or a woman past childbearing): O positive
            return Verdict(Match.COMPATIBLE, "")
        return Verdict(Match.ACCEPTABLE, "RhD-positive cells in an emergency for a patient who cannot bear "
                                         "children: record it, test for anti-D later")
    identical = group is not None and donor.abo is group.abo and donor.rhd_positive == group.rhd_positive
    return Verdict(Match.IDENTICAL if identical else Match.COMPATIBLE, "")


def _plasma(donor: BloodGroup, recipient: Recipient) -> Verdict:
    wanted_abo = recipient.group.abo if recipient.group is not None else UNKNOWN_GROUP_PLASMA
    if donor.abo not in PLASMA_DONORS[wanted_abo]:
        return Verdict(Match.NO, f"group {donor.abo.value} plasma carries antibodies against a group "
                                 f"{wanted_abo.value} patient's cells" if recipient.group else
                       "group not known yet: group AB plasma only")
    return Verdict(Match.IDENTICAL if donor.abo is wanted_abo and recipient.group else Match.COMPATIBLE, "")


def _platelets(donor: BloodGroup, recipient: Recipient) -> Verdict:
    group = recipient.group
    if group is None:
        ok = donor.abo in PLASMA_DONORS[UNKNOWN_GROUP_PLASMA] or donor.abo is Abo.A
        abo = Match.COMPATIBLE if ok else Match.ACCEPTABLE
    elif donor.abo is group.abo:
        abo = Match.IDENTICAL
    else:
        abo = Match.COMPATIBLE if donor.abo in PLASMA_DONORS[group.abo] else Match.ACCEPTABLE
    recipient_negative = group is None or not group.rhd_positive
    if donor.rhd_positive and recipient_negative:
        cover = " and give anti-D" if recipient.childbearing else ""
        return Verdict(Match.ACCEPTABLE, f"RhD-positive platelets for an RhD-negative patient: only if no "
                                         f"RhD-negative ones{cover}")
    if abo is Match.ACCEPTABLE:
        return Verdict(abo, f"group {donor.abo.value} platelets: plasma of another group, in shortage only")
    return Verdict(abo, "")


# Shelf lives, from collection unless said: US 21 CFR 610.53 (red cells in additive solution 42 days, CPDA-1 whole
# blood 35 days, platelets at 20-24 °C 5 days, frozen plasma and cryoprecipitate 1 year at -18 °C or colder). A
# unit's own label wins (``expiry``); thawed plasma 24 h and thawed cryoprecipitate 6 h (AABB Standards) are set
# when it is thawed. Configurable per site (``ShelfLives``).
@dataclass(frozen=True)
class ShelfLives:
    red_cells: timedelta = timedelta(days=42)
    whole_blood: timedelta = timedelta(days=35)
    platelets: timedelta = timedelta(days=5)
    plasma_frozen: timedelta = timedelta(days=365)
    cryo_frozen: timedelta = timedelta(days=365)
    plasma_thawed: timedelta = timedelta(hours=24)
    cryo_thawed: timedelta = timedelta(hours=6)

    def of(self, component: Component) -> timedelta:
        return {Component.RED_CELLS: self.red_cells, Component.WHOLE_BLOOD: self.whole_blood,
                Component.PLATELETS: self.platelets, Component.PLASMA: self.plasma_frozen,
                Component.CRYO: self.cryo_frozen}[component]


def expiry(component: Component, collected_at: datetime, label_expiry: datetime | None = None,
           shelf: ShelfLives = ShelfLives()) -> datetime:
    """When a unit expires: its label's date if it has one, else collection plus the component's shelf life."""
    return label_expiry if label_expiry is not None else collected_at + shelf.of(component)


def label_expiry_problem(component: Component, collected_at: datetime, expires_at: datetime,
                         shelf: ShelfLives = ShelfLives()) -> str | None:
    """Why a label's expiry cannot be right (later than the component keeps, with a day's grace for the label's
    time of day), or None. A year typed wrong would otherwise keep a unit on the shelf for a year too long."""
    longest = collected_at + shelf.of(component) + timedelta(days=1)
    if expires_at > longest:
        days = shelf.of(component).days
        return (f"The expiry is later than {component.label.lower()} keep ({days} days from collection): check the "
                "label's date.")
    return None


def expired(expires_at: datetime, now: datetime) -> bool:
    return now >= expires_at


# ISBT 128 donation identification number (DIN): 13 characters — facility identification (a letter and four
# digits, or five digits), year (2 digits), sequence (6 digits) — then two flag characters; the eye-readable check
# character is ISO 7064 Mod 37-2 over the 13 (JPAC Red Book, annex 2: G123 498 654 321 -> H).
DIN_LENGTH = 13


class DinProblem(ValueError):
    """A donation number that cannot be right; the text says why and what to do."""


def check_din(text: str) -> str:
    """The 13-character donation number from what was typed or scanned: spaces dropped, letters upper-cased, a
    leading '=' (the barcode's data identifier) and two flag characters tolerated; a check character given after
    it (eye-readable, as printed in the box) is verified. Raises DinProblem."""
    cleaned = text.strip().upper().replace(" ", "").removeprefix("=")
    if len(cleaned) < DIN_LENGTH:
        raise DinProblem(f"A donation number has 13 characters (e.g. G1234 26 123456); this has {len(cleaned)}.")
    din, rest = cleaned[:DIN_LENGTH], cleaned[DIN_LENGTH:]
    if not (din[0].isalnum() and din[1:].isdigit()):
        raise DinProblem("A donation number is a letter or digit then 12 digits: check what was typed.")
    if len(rest) == 3:  # two flag characters, then the check character
        rest = rest[2]
    if len(rest) > 1:
        raise DinProblem("Unexpected characters after the donation number: scan it again or type the 13 "
                         "characters and the boxed check character.")
    if rest and rest != din_check_character(din):
        raise DinProblem(f"The check character does not match ({rest}): the number was mistyped or misread. "
                         "Type it again from the label.")
    return din


def check_product_code(text: str) -> str:
    """An ISBT 128 product code as printed (a letter, four digits, then the donation type and division, e.g.
    E0336V00), upper-cased; what it means is in the licensed product tables, not here. Raises DinProblem."""
    code = text.strip().upper().replace(" ", "")
    if len(code) != 8 or not (code[0].isalpha() and code[1:5].isdigit() and code[5:].isalnum()):
        raise DinProblem("A product code is 8 characters: a letter, four digits and three more (e.g. E0336V00); "
                         "type it from the label.")
    return code


def din_check_character(din: str) -> str:
    """The eye-readable ISO 7064 Mod 37-2 check character of a 13-character donation number."""
    return str(mod_37_2.calc_check_digit(din))


def emergency_red_cells(recipient: Recipient) -> BloodGroup:
    """Uncrossmatched red cells before a group is known: O negative for a woman who can bear children (or sex
    unknown), O positive for others (saving O negative, the scarcest)."""
    return BloodGroup(Abo.O, rhd_positive=not recipient.childbearing)


@dataclass(frozen=True)
class PackRatio:
    """A massive-transfusion pack (e.g. 6 red cells : 6 plasma : 1 platelet pool, as in the PROPPR trial's 1:1:1
    by blood volume); configurable per site."""

    red_cells: int = 6
    plasma: int = 6
    platelets: int = 1

    def as_counts(self) -> dict[Component, int]:
        return {Component.RED_CELLS: self.red_cells, Component.PLASMA: self.plasma,
                Component.PLATELETS: self.platelets}


@dataclass(frozen=True)
class StockUnit:
    id: str
    component: Component
    group: BloodGroup
    expires_at: datetime


def needs_o_negative(recipient: Recipient) -> bool:
    """Who O negative red cells are kept for: RhD-negative patients and those not grouped yet who can bear
    children."""
    group = recipient.group
    return recipient.childbearing if group is None else not group.rhd_positive


ALL_GROUPS: tuple[BloodGroup, ...] = tuple(BloodGroup(abo, rhd) for abo in Abo for rhd in (False, True))
O_NEGATIVE = BloodGroup(Abo.O, False)


def _rank(group: BloodGroup, component: Component, recipient: Recipient, emergency: bool) -> tuple[Match, bool]:
    """How a donor group ranks for this recipient: the closer match first, then (among equals) not spending O
    negative on a patient who does not need it."""
    spends_o_negative = group == O_NEGATIVE and not needs_o_negative(recipient)
    return compatibility(component, group, recipient, emergency=emergency).match, spends_o_negative


def allocation_tiers(component: Component, recipient: Recipient, *, emergency: bool = False,
                     shortage: bool = True) -> list[tuple[BloodGroup, ...]]:
    """The donor groups ``recipient`` may receive of ``component``, in tiers, best first; within a tier the unit
    that expires first goes first (what ``allocation_order`` does to a list of units; the server asks its shelves
    one tier at a time). ``shortage`` False: only identical and compatible groups, not those acceptable in a
    shortage (another group's platelets, RhD-positive units for an RhD-negative patient), which a person chooses."""
    worst = Match.ACCEPTABLE if shortage else Match.COMPATIBLE
    tiers: dict[tuple[Match, bool], list[BloodGroup]] = {}
    for group in ALL_GROUPS:
        rank = _rank(group, component, recipient, emergency)
        if rank[0] <= worst:
            tiers.setdefault(rank, []).append(group)
    return [tuple(tiers[rank]) for rank in sorted(tiers)]


def allocation_order(units: list[StockUnit], component: Component, recipient: Recipient, now: datetime, *,
                     emergency: bool = False) -> list[StockUnit]:
    """The units that may go to ``recipient``, best first: the closest match, then (among equals) O negative last
    unless this patient needs it, then the first to expire first (FEFO). Expired units never."""
    usable = [u for u in units if u.component is component and not expired(u.expires_at, now)
              and compatibility(component, u.group, recipient, emergency=emergency).match is not Match.NO]
    return sorted(usable, key=lambda u: (*_rank(u.group, component, recipient, emergency), u.expires_at))


# Donors: the shortest time between donations, by what was given. US FDA defaults, configurable per site: whole
# blood every 8 weeks (21 CFR 630.15(a)), double red cells every 16 weeks (21 CFR 630.15(a)), apheresis platelets
# at most twice a week and 24 times a year (FDA guidance "Collection of Platelets by Automated Methods", 2007: a
# 7-day gap used here, the conservative reading), plasma (infrequent plasmapheresis) every 4 weeks.
class Donation(StrEnum):
    WHOLE_BLOOD = "whole_blood"
    DOUBLE_RED_CELLS = "double_red_cells"
    PLATELETS = "platelets"
    PLASMA = "plasma"


DONATION_INTERVALS: dict[Donation, timedelta] = {
    Donation.WHOLE_BLOOD: timedelta(weeks=8), Donation.DOUBLE_RED_CELLS: timedelta(weeks=16),
    Donation.PLATELETS: timedelta(days=7), Donation.PLASMA: timedelta(weeks=4),
}


def next_eligible(last_given: datetime | None, kind: Donation, deferred_until: datetime | None = None,
                  intervals: dict[Donation, timedelta] = DONATION_INTERVALS) -> datetime | None:
    """When a donor may give ``kind`` again: after the interval since their last donation, and after any deferral
    (travel, illness); None: now (never given, nothing deferring them)."""
    dates = [d for d in (last_given + intervals[kind] if last_given else None, deferred_until) if d is not None]
    return max(dates) if dates else None


EXPIRING_WITHIN = timedelta(hours=48)


@dataclass(frozen=True)
class StockLine:
    """One component of one group at a blood bank: available units against the par level kept."""

    component: Component
    group: BloodGroup
    available: int
    par: int
    expiring: int  # of the available, those expiring within ``EXPIRING_WITHIN``

    @property
    def short(self) -> int:
        """Units below par (0: at or above)."""
        return max(self.par - self.available, 0)


def stock_levels(units: list[StockUnit], par: dict[tuple[Component, BloodGroup], int], now: datetime) -> list[
        StockLine]:
    """Every component and group with a par level or a unit in stock, in component then group order; expired units
    are not stock."""
    counts: dict[tuple[Component, BloodGroup], list[StockUnit]] = {}
    for unit in units:
        if not expired(unit.expires_at, now):
            counts.setdefault((unit.component, unit.group), []).append(unit)
    keys = sorted(set(counts) | set(par), key=lambda k: (list(Component).index(k[0]), list(Abo).index(k[1].abo),
                                                        not k[1].rhd_positive))
    return [StockLine(component, group, len(counts.get((component, group), [])), par.get((component, group), 0),
                      sum(1 for u in counts.get((component, group), []) if u.expires_at - now <= EXPIRING_WITHIN))
            for component, group in keys]
