"""The case timeline: the steps of a call, one stamp each, and the checks on a stamped time.

A stamp in the future (beyond a small clock-skew allowance) or before the call was received is
refused: it cannot be right, and a wrong time in the record is worse than none. A stamp out of order
with the other steps (at scene before dispatched) is kept with a warning, because either time may be
the wrong one and the paramedic knows which. Naive datetimes are taken to be UTC, as in local_time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from emsync_desktop.domain.lifecycle import TransferState
from emsync_desktop.domain.local_time import clock

CLOCK_SKEW_ALLOWANCE = timedelta(minutes=2)
"""Devices' clocks drift; a stamp this far ahead of our "now" is still taken as typed."""


class TimelineStep(StrEnum):
    CALL_RECEIVED = "call_received"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    AT_SCENE = "at_scene"
    AT_PATIENT = "at_patient"
    LEFT_SCENE = "left_scene"
    AT_DESTINATION = "at_destination"
    HANDED_OVER = "handed_over"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def order(self) -> int:
        """0 for the call received, 7 for handed over: the order of the strip."""
        return _ORDER[self]


_LABELS = {
    TimelineStep.CALL_RECEIVED: "Call received",
    TimelineStep.DISPATCHED: "Dispatched",
    TimelineStep.EN_ROUTE: "En route",
    TimelineStep.AT_SCENE: "At scene",
    TimelineStep.AT_PATIENT: "At patient",
    TimelineStep.LEFT_SCENE: "Left scene",
    TimelineStep.AT_DESTINATION: "At destination",
    TimelineStep.HANDED_OVER: "Handed over",
}
_ORDER = {step: index for index, step in enumerate(TimelineStep)}

STEP_TRANSFER_STATES: dict[TimelineStep, TransferState] = {
    TimelineStep.AT_DESTINATION: TransferState.ARRIVED,
    TimelineStep.HANDED_OVER: TransferState.COMPLETED,
}
"""Steps that move the case's transfer, and the transfer states that stamp these steps."""


def transfer_state_for(step: TimelineStep) -> TransferState | None:
    return STEP_TRANSFER_STATES.get(step)


def step_for_transfer_state(state: TransferState) -> TimelineStep | None:
    for step, linked in STEP_TRANSFER_STATES.items():
        if linked is state:
            return step
    return None


def next_unstamped_step(stamps: Mapping[TimelineStep, datetime]) -> TimelineStep | None:
    """The step the one-tap button offers next: the first after the latest stamped one."""
    latest = max((step.order for step in stamps), default=-1)
    later = [step for step in TimelineStep if step.order > latest]
    return later[0] if later else None


@dataclass(frozen=True)
class StampCheck:
    """``error`` set: the time is refused. ``warning`` set: it is kept, but worth a second look."""

    error: str | None = None
    warning: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def check_entry_time(what: str, at: datetime, call_received: datetime | None, now: datetime) -> str | None:
    """Why the time of an entry (a stamp, a drug, a procedure) is refused, or None.

    ``what`` names the entry in the message, e.g. 'At scene' or 'Aspirin given'.
    """
    at, now = _aware(at), _aware(now)
    if at > now + CLOCK_SKEW_ALLOWANCE:
        return (f"{what} {clock(at)} is in the future (it is now {clock(now)}). "
                "Check the time, or tap the step to stamp it now.")
    if call_received is not None and at < _aware(call_received):
        return (f"{what} {clock(at)} is before the call was received ({clock(call_received)}). "
                "Check the time and the date, or correct the call received time first.")
    return None


def check_stamp(step: TimelineStep, at: datetime, stamps: Mapping[TimelineStep, datetime],
                now: datetime) -> StampCheck:
    """Check the time stamped (or edited) for ``step`` against the case's other stamps and ``now``."""
    others = {other: _aware(moment) for other, moment in stamps.items() if other is not step}
    call = None if step is TimelineStep.CALL_RECEIVED else others.get(TimelineStep.CALL_RECEIVED)
    error = check_entry_time(step.label, at, call, now)
    if error is None and step is TimelineStep.CALL_RECEIVED:
        error = _call_after_other_steps(_aware(at), others)
    if error is not None:
        return StampCheck(error=error)
    return StampCheck(warning=_out_of_order(step, _aware(at), others))


def _call_after_other_steps(at: datetime, others: Mapping[TimelineStep, datetime]) -> str | None:
    earlier = [(moment, step) for step, moment in others.items() if moment < at]
    if not earlier:
        return None
    moment, step = min(earlier)
    return (f"Call received {clock(at)} would be after {step.label} ({clock(moment)}): nothing happens "
            f"before the call. Pick an earlier call time, or correct {step.label} first.")


def _out_of_order(step: TimelineStep, at: datetime, others: Mapping[TimelineStep, datetime]) -> str | None:
    for other in sorted(others, key=lambda s: s.order):
        moment = others[other]
        before = other.order < step.order and moment > at
        after = other.order > step.order and moment < at
        if before or after:
            relation = "before" if before else "after"
            return (f"{step.label} {clock(at)} is {relation} {other.label} ({clock(moment)}). "
                    "Both are kept: check which time is wrong and edit it.")
    return None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
