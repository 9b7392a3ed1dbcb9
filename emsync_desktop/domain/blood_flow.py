"""A blood unit's life and a blood request's (issue 24): the states, the moves allowed between them, and the
bedside check. Pure rules, shared by the server (which decides every move) and the devices (which show them and
check before they queue an op).

A unit: ``AVAILABLE`` on the shelf → ``RESERVED`` for a request (allocated, crossmatched) → ``ISSUED`` (left the
blood bank) → ``TRANSFUSED`` at the bedside, or ``RETURNED`` unused → back on the shelf if the cold chain held, else
``DISCARDED``. ``QUARANTINED`` (a doubt about the unit) until released or discarded. ``EXPIRED`` is not stored: a
unit past its expiry in any state before transfusion shows as expired (``shown_state``) and cannot be reserved or
issued; it can only be discarded.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum, StrEnum

from emsync_desktop.domain.blood import Component, DinProblem, check_din, expired


class UnitState(StrEnum):
    AVAILABLE = "available"
    RESERVED = "reserved"
    ISSUED = "issued"
    TRANSFUSED = "transfused"
    RETURNED = "returned"
    QUARANTINED = "quarantined"
    DISCARDED = "discarded"
    EXPIRED = "expired"  # shown, never stored

    @property
    def label(self) -> str:
        return self.value.capitalize()


UNIT_MOVES: dict[UnitState, frozenset[UnitState]] = {
    UnitState.AVAILABLE: frozenset({UnitState.RESERVED, UnitState.QUARANTINED, UnitState.DISCARDED}),
    UnitState.RESERVED: frozenset({UnitState.ISSUED, UnitState.AVAILABLE, UnitState.QUARANTINED,
                                   UnitState.DISCARDED}),
    UnitState.ISSUED: frozenset({UnitState.TRANSFUSED, UnitState.RETURNED}),
    UnitState.RETURNED: frozenset({UnitState.AVAILABLE, UnitState.QUARANTINED, UnitState.DISCARDED}),
    UnitState.QUARANTINED: frozenset({UnitState.AVAILABLE, UnitState.DISCARDED}),
    UnitState.TRANSFUSED: frozenset(),
    UnitState.DISCARDED: frozenset(),
}
# Moves that put a unit to use: never for an expired one (a transfusion is judged by when it started).
_USES = frozenset({UnitState.RESERVED, UnitState.ISSUED, UnitState.AVAILABLE, UnitState.TRANSFUSED})
# Moves that need a reason a person wrote (audited with it): every move out of use, and back into stock from
# quarantine or after a return (what was checked: the doubt cleared, the cold chain kept).
NEEDS_REASON = frozenset({UnitState.RETURNED, UnitState.QUARANTINED, UnitState.DISCARDED})
_CHECKED_BACK = frozenset({UnitState.QUARANTINED, UnitState.RETURNED})


def needs_reason(state: UnitState, target: UnitState) -> bool:
    return target in NEEDS_REASON or (target is UnitState.AVAILABLE and state in _CHECKED_BACK)


class MoveRefused(ValueError):
    """A unit move that may not happen; the text says why and what to do."""


def check_unit_move(state: UnitState, target: UnitState, *, expires_at: datetime, now: datetime,
                    reason: str = "") -> None:
    """Raise MoveRefused unless a unit in ``state`` may go to ``target`` at ``now``. For a transfusion, ``now`` is
    when it started: one begun before the expiry is recorded even if it reaches the server later (it is in the
    patient); one started at or after the expiry is refused, as are reserving, issuing and restocking."""
    if target not in UNIT_MOVES.get(state, frozenset()):
        raise MoveRefused(f"A unit that is {state.value} cannot become {target.value}.")
    if target in _USES and expired(expires_at, now):
        raise MoveRefused(f"This unit expired at {expires_at:%Y-%m-%d %H:%M} UTC: it cannot be used; "
                          + ("stop, and return it to the blood bank." if target is UnitState.TRANSFUSED
                             else "discard it."))
    if needs_reason(state, target) and not reason.strip():
        if target is UnitState.AVAILABLE:
            raise MoveRefused("Say what was checked before it goes back on the shelf (e.g. 'cold chain kept, "
                              "bag intact').")
        raise MoveRefused(f"Say why the unit is {target.value} (e.g. 'out of the fridge over 30 minutes').")


def shown_state(state: UnitState, expires_at: datetime, now: datetime) -> UnitState:
    """What a person is shown: a unit not yet transfused (or discarded) past its expiry is EXPIRED, an issued one
    too (it must not be started; it goes back)."""
    finished = state in (UnitState.TRANSFUSED, UnitState.DISCARDED)
    return UnitState.EXPIRED if not finished and expired(expires_at, now) else state


def other_group_text(din: str, group: str) -> str:
    """Why a component of a donation registered under another group is refused: one donor, one group."""
    return (f"Donation {din} is registered as {group}: every component of a donation has the donor's group. "
            "Check the group on this bag's label.")


def same_donation_text(din: str, component: Component, product_code: str) -> str:
    """Why a second bag of one donation and component is refused (device and server say the same)."""
    return (f"Donation {din} is registered already as {component.label.lower()} ({product_code}): this bag was "
            "scanned twice. (Divided units of one donation are not supported yet: register the parent unit only.)")


class Urgency(IntEnum):
    """How soon the blood is needed; the blood bank's queue is sorted by this, then by age."""

    EMERGENCY = 0  # now, uncrossmatched if need be
    URGENT = 1  # within the hour
    ROUTINE = 2

    @property
    def label(self) -> str:
        return {Urgency.EMERGENCY: "Emergency", Urgency.URGENT: "Urgent", Urgency.ROUTINE: "Routine"}[self]


class RequestState(StrEnum):
    OPEN = "open"  # waiting for (more) units
    ALLOCATED = "allocated"  # every unit asked for is reserved
    ISSUED = "issued"  # units have left the blood bank
    DONE = "done"  # every issued unit transfused or returned
    CANCELLED = "cancelled"


def request_state(asked: dict[Component, int], units: list[tuple[Component, UnitState]],
                  cancelled: bool = False) -> RequestState:
    """A request's state from its units: ``asked`` per component, ``units`` (component, state) of those given to
    it. A unit given and later returned unused still counts as given: the request was served (a new need is a new
    request)."""
    if cancelled:
        return RequestState.CANCELLED
    held = {state for _, state in units}
    if outstanding(asked, units):  # even with units already out: the rest is still to allocate
        return RequestState.OPEN
    if UnitState.RESERVED in held:  # the blood bank still has units to issue
        return RequestState.ALLOCATED
    if UnitState.ISSUED in held:
        return RequestState.ISSUED
    if held and held <= {UnitState.TRANSFUSED, UnitState.RETURNED}:
        return RequestState.DONE
    return RequestState.ALLOCATED


def outstanding(asked: dict[Component, int], units: list[tuple[Component, UnitState]]) -> dict[Component, int]:
    """Units still to allocate per component (those asked for less those given, in any state)."""
    given: dict[Component, int] = {}
    for component, _ in units:
        given[component] = given.get(component, 0) + 1
    left = {c: n - given.get(c, 0) for c, n in asked.items()}
    return {c: n for c, n in left.items() if n > 0}


@dataclass(frozen=True)
class PatientIds:
    """The two identifiers on a request and on the unit's compatibility label (full name and date of birth, or a
    hospital number), compared at the bedside before a transfusion."""

    name: str
    second: str

    def matches(self, other: PatientIds) -> bool:
        return _normal(self.name) == _normal(other.name) and same_second_id(self.second, other.second)


# A date of birth as a tired person types it: day first (as written in India and Europe), or ISO. Month-first
# (US) is not read: 03/04/1970 is the 3rd of April.
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%Y/%m/%d")


def _as_date(text: str) -> date | None:
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(" ".join(text.split()), form).date()
        except ValueError:
            continue
    return None


def same_second_id(on_request: str, at_bedside: str) -> bool:
    """Two dates are the same day however each was typed; anything else (a hospital number) by letters and
    digits."""
    first, second = _as_date(on_request), _as_date(at_bedside)
    if first is not None and second is not None:
        return first == second
    return _normal(on_request) == _normal(at_bedside)


def _normal(text: str) -> str:
    """Case, spaces, punctuation and accents on Latin letters do not tell two patients apart; letters, digits and
    the vowel signs of Indic scripts do (സീത is not സോത: there the marks are the vowels)."""
    kept: list[str] = []
    for ch in unicodedata.normalize("NFKD", text).casefold():
        kind = unicodedata.category(ch)
        if kind[0] == "M" and (not kept or kept[-1].isascii()):
            continue  # an accent on a Latin letter
        if kind[0] in "LNM":
            kept.append(ch)
    return "".join(kept)


def bedside_problem(on_request: PatientIds, at_bedside: PatientIds, unit_din: str, scanned_din: str) -> str | None:
    """Why a transfusion must not start (the identifiers or the unit number differ), or None when it may."""
    try:
        scanned = check_din(scanned_din)
    except DinProblem as problem:
        return str(problem)
    if scanned != unit_din:
        return "The unit number scanned is not this unit's: stop, and check the bag against the issue slip."
    if _normal(on_request.name) != _normal(at_bedside.name):
        return "The patient's name does not match the request: stop, and check the wristband."
    if not same_second_id(on_request.second, at_bedside.second):
        return ("The second identifier does not match the request: stop, and check the wristband. (A date may be "
                "typed 21/07/1988 or 1988-07-21.)")
    return None
