from datetime import UTC, datetime, timedelta

from emsync_desktop.domain.lifecycle import TransferState
from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.timeline import (
    TimelineStep,
    check_entry_time,
    check_stamp,
    next_unstamped_step,
    step_for_transfer_state,
    transfer_state_for,
)

NOW = datetime(2026, 11, 22, 7, 50, tzinfo=UTC)
CALL = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)


def test_steps_run_from_call_received_to_handed_over() -> None:
    ordered = sorted(TimelineStep, key=lambda step: step.order)
    assert ordered[0] is TimelineStep.CALL_RECEIVED and ordered[-1] is TimelineStep.HANDED_OVER
    assert [step.order for step in ordered] == list(range(8))
    assert TimelineStep.AT_SCENE.order < TimelineStep.AT_PATIENT.order < TimelineStep.LEFT_SCENE.order


def test_every_step_has_a_label() -> None:
    assert TimelineStep.AT_PATIENT.label == "At patient"
    assert all(step.label for step in TimelineStep)


def test_stamp_within_the_call_and_now_is_accepted_quietly() -> None:
    stamps = {TimelineStep.CALL_RECEIVED: CALL, TimelineStep.DISPATCHED: CALL + timedelta(minutes=2)}
    check = check_stamp(TimelineStep.EN_ROUTE, CALL + timedelta(minutes=3), stamps, NOW)
    assert check.ok and check.warning is None


def test_stamp_in_the_future_is_refused_with_the_time_now() -> None:
    check = check_stamp(TimelineStep.AT_SCENE, NOW + timedelta(minutes=10), {TimelineStep.CALL_RECEIVED: CALL}, NOW)
    assert not check.ok
    assert check.error is not None and "in the future" in check.error and clock(NOW) in check.error
    assert "tap the step to stamp it now" in check.error


def test_stamp_a_minute_ahead_is_accepted_as_clock_skew() -> None:
    check = check_stamp(TimelineStep.AT_SCENE, NOW + timedelta(minutes=1), {TimelineStep.CALL_RECEIVED: CALL}, NOW)
    assert check.ok


def test_stamp_before_the_call_is_refused() -> None:
    check = check_stamp(TimelineStep.DISPATCHED, CALL - timedelta(minutes=5), {TimelineStep.CALL_RECEIVED: CALL}, NOW)
    assert check.error is not None
    assert "before the call was received" in check.error and clock(CALL) in check.error


def test_at_scene_before_dispatched_is_a_warning_not_a_refusal() -> None:
    stamps = {TimelineStep.CALL_RECEIVED: CALL, TimelineStep.DISPATCHED: CALL + timedelta(minutes=10)}
    check = check_stamp(TimelineStep.AT_SCENE, CALL + timedelta(minutes=5), stamps, NOW)
    assert check.ok
    assert check.warning is not None and "At scene" in check.warning and "before Dispatched" in check.warning
    assert "edit it" in check.warning


def test_stamp_after_a_later_step_is_a_warning() -> None:
    stamps = {TimelineStep.CALL_RECEIVED: CALL, TimelineStep.LEFT_SCENE: CALL + timedelta(minutes=30)}
    check = check_stamp(TimelineStep.AT_PATIENT, CALL + timedelta(minutes=40), stamps, NOW)
    assert check.ok and check.warning is not None and "after Left scene" in check.warning


def test_call_received_moved_after_another_step_is_refused() -> None:
    stamps = {TimelineStep.CALL_RECEIVED: CALL, TimelineStep.DISPATCHED: CALL + timedelta(minutes=2)}
    check = check_stamp(TimelineStep.CALL_RECEIVED, CALL + timedelta(minutes=5), stamps, NOW)
    assert check.error is not None and "after Dispatched" in check.error and "earlier call time" in check.error


def test_editing_a_stamp_ignores_its_own_old_time() -> None:
    stamps = {TimelineStep.CALL_RECEIVED: CALL, TimelineStep.AT_SCENE: CALL + timedelta(minutes=20)}
    check = check_stamp(TimelineStep.AT_SCENE, CALL + timedelta(minutes=12), stamps, NOW)
    assert check.ok and check.warning is None


def test_naive_times_are_taken_as_utc() -> None:
    naive_now = NOW.replace(tzinfo=None)
    assert check_entry_time("Aspirin given", naive_now - timedelta(minutes=1), CALL, naive_now) is None
    assert check_entry_time("Aspirin given", naive_now + timedelta(hours=1), CALL, NOW) is not None


def test_entry_time_message_names_the_entry() -> None:
    error = check_entry_time("Aspirin given", CALL - timedelta(hours=1), CALL, NOW)
    assert error is not None and error.startswith("Aspirin given ")


def test_destination_and_handover_link_to_transfer_states() -> None:
    assert transfer_state_for(TimelineStep.AT_DESTINATION) is TransferState.ARRIVED
    assert transfer_state_for(TimelineStep.HANDED_OVER) is TransferState.COMPLETED
    assert transfer_state_for(TimelineStep.AT_SCENE) is None


def test_transfer_states_find_their_steps() -> None:
    assert step_for_transfer_state(TransferState.ARRIVED) is TimelineStep.AT_DESTINATION
    assert step_for_transfer_state(TransferState.COMPLETED) is TimelineStep.HANDED_OVER
    assert step_for_transfer_state(TransferState.EN_ROUTE) is None


def test_next_step_follows_the_latest_stamped_one() -> None:
    assert next_unstamped_step({}) is TimelineStep.CALL_RECEIVED
    stamps = {TimelineStep.CALL_RECEIVED: CALL, TimelineStep.AT_SCENE: CALL + timedelta(minutes=9)}
    assert next_unstamped_step(stamps) is TimelineStep.AT_PATIENT
    assert next_unstamped_step({TimelineStep.HANDED_OVER: NOW}) is None
