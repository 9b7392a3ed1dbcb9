"""Transfer and bed-booking state machines (DESIGN.md section 3).

Shared by the client and the sync server: a transition that is not listed here
is refused on both sides with the same message.
"""

from __future__ import annotations

from enum import StrEnum


class TransferState(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    EN_ROUTE = "EN_ROUTE"
    ARRIVED = "ARRIVED"
    COMPLETED = "COMPLETED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


class BookingState(StrEnum):
    TENTATIVE = "TENTATIVE"
    HELD = "HELD"
    OCCUPIED = "OCCUPIED"
    REJECTED = "REJECTED"
    RELEASED = "RELEASED"
    EXPIRED = "EXPIRED"


TRANSFER_TRANSITIONS: dict[TransferState, frozenset[TransferState]] = {
    TransferState.PENDING: frozenset(
        {TransferState.ACCEPTED, TransferState.REJECTED, TransferState.CANCELLED, TransferState.EXPIRED}
    ),
    TransferState.ACCEPTED: frozenset(
        {TransferState.EN_ROUTE, TransferState.ARRIVED, TransferState.CANCELLED, TransferState.EXPIRED}
    ),
    TransferState.EN_ROUTE: frozenset({TransferState.ARRIVED, TransferState.CANCELLED}),
    TransferState.ARRIVED: frozenset({TransferState.COMPLETED}),
    TransferState.COMPLETED: frozenset(),
    TransferState.REJECTED: frozenset(),
    TransferState.CANCELLED: frozenset(),
    TransferState.EXPIRED: frozenset(),
}

BOOKING_TRANSITIONS: dict[BookingState, frozenset[BookingState]] = {
    BookingState.TENTATIVE: frozenset({BookingState.HELD, BookingState.REJECTED, BookingState.RELEASED}),
    BookingState.HELD: frozenset({BookingState.OCCUPIED, BookingState.RELEASED, BookingState.EXPIRED}),
    BookingState.OCCUPIED: frozenset({BookingState.RELEASED}),
    BookingState.REJECTED: frozenset(),
    BookingState.RELEASED: frozenset(),
    BookingState.EXPIRED: frozenset(),
}


class IllegalTransition(ValueError):
    """A state change the lifecycle does not allow. The message is for people."""


def next_transfer_state(current: TransferState, target: TransferState) -> TransferState:
    if target not in TRANSFER_TRANSITIONS[current]:
        raise IllegalTransition(_message("Transfer", current, target, TRANSFER_TRANSITIONS[current]))
    return target


def next_booking_state(current: BookingState, target: BookingState) -> BookingState:
    if target not in BOOKING_TRANSITIONS[current]:
        raise IllegalTransition(_message("Bed booking", current, target, BOOKING_TRANSITIONS[current]))
    return target


ACTIVE_TRANSFER_STATES = frozenset({TransferState.PENDING, TransferState.ACCEPTED, TransferState.EN_ROUTE})
"""A case has at most one transfer in these states (a patient goes to one hospital at a time): the device
and the server both refuse a second, so a double tap, a second device or a replayed op cannot hold two beds."""

REDIRECTABLE = ACTIVE_TRANSFER_STATES


def redirected_transfer_state(current: TransferState) -> TransferState:
    """A coordinator sends an open transfer to another hospital: it starts again as PENDING there,
    because the new ward has not accepted it yet. Once the patient has arrived it is too late."""
    if current not in REDIRECTABLE:
        raise IllegalTransition(f"Transfer is already {current.value}: it can no longer be redirected.")
    return TransferState.PENDING


def is_active_transfer(state: TransferState) -> bool:
    return state in ACTIVE_TRANSFER_STATES


def second_active_transfer_reason(hospital: str, unit: str, state: str) -> str:
    """Why a second active transfer of one case is refused, and what to do instead (device and server)."""
    return (f"This case already has an active transfer to {hospital} {unit} ({state}). "
            "Cancel it first, or use 'Send elsewhere' to cancel it and send the case to another hospital.")


def is_terminal_transfer(state: TransferState) -> bool:
    return not TRANSFER_TRANSITIONS[state]


def _message(what: str, current: StrEnum, target: StrEnum, allowed: frozenset[StrEnum]) -> str:
    if not allowed:
        return f"{what} is already {current.value} and cannot change any more."
    options = ", ".join(sorted(s.value for s in allowed))
    return f"{what} cannot go from {current.value} to {target.value}; from {current.value} it can go to {options}."
