import pytest

from emsync_desktop.domain.lifecycle import (
    BookingState,
    IllegalTransition,
    TransferState,
    is_terminal_transfer,
    next_booking_state,
    next_transfer_state,
    redirected_transfer_state,
)

HAPPY_PATH = [TransferState.ACCEPTED, TransferState.EN_ROUTE, TransferState.ARRIVED, TransferState.COMPLETED]


def test_transfer_happy_path() -> None:
    state = TransferState.PENDING
    for target in HAPPY_PATH:
        state = next_transfer_state(state, target)
    assert state is TransferState.COMPLETED and is_terminal_transfer(state)


def test_pending_cannot_jump_to_arrived() -> None:
    with pytest.raises(IllegalTransition, match="cannot go from PENDING to ARRIVED"):
        next_transfer_state(TransferState.PENDING, TransferState.ARRIVED)


def test_rejected_transfer_is_final() -> None:
    with pytest.raises(IllegalTransition, match="already REJECTED"):
        next_transfer_state(TransferState.REJECTED, TransferState.ACCEPTED)


def test_tentative_hold_becomes_held_or_rejected() -> None:
    assert next_booking_state(BookingState.TENTATIVE, BookingState.HELD) is BookingState.HELD
    assert next_booking_state(BookingState.TENTATIVE, BookingState.REJECTED) is BookingState.REJECTED


def test_expired_hold_cannot_be_occupied() -> None:
    with pytest.raises(IllegalTransition):
        next_booking_state(BookingState.EXPIRED, BookingState.OCCUPIED)


@pytest.mark.parametrize("state", [TransferState.PENDING, TransferState.ACCEPTED, TransferState.EN_ROUTE])
def test_open_transfer_redirected_starts_again_as_pending(state: TransferState) -> None:
    assert redirected_transfer_state(state) is TransferState.PENDING


@pytest.mark.parametrize("state", [TransferState.ARRIVED, TransferState.COMPLETED, TransferState.REJECTED])
def test_transfer_past_the_door_or_closed_cannot_be_redirected(state: TransferState) -> None:
    with pytest.raises(IllegalTransition, match="can no longer be redirected"):
        redirected_transfer_state(state)
