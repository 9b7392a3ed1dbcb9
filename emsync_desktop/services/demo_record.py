"""An example case record (timeline, drugs, a procedure, SAMPLE history) for screenshots and demos."""

from __future__ import annotations

from datetime import timedelta

from emsync_desktop.domain.history import (
    AnswerStatus,
    BodyWeight,
    LastOralIntake,
    ListAnswer,
    SampleHistory,
    WeightKind,
)
from emsync_desktop.domain.procedures import Procedure
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.clock import utc_now
from emsync_desktop.store.database import Store

_STEPS = [(TimelineStep.CALL_RECEIVED, 38), (TimelineStep.DISPATCHED, 37), (TimelineStep.EN_ROUTE, 36),
          (TimelineStep.AT_SCENE, 27), (TimelineStep.AT_PATIENT, 25), (TimelineStep.LEFT_SCENE, 8)]


def seed_example_record(store: Store, user: UserInfo, case_id: str) -> None:
    """Call at 38 minutes ago, at the patient 25 minutes ago; aspirin, GTN, IV access and a history."""
    now = utc_now()
    service = RecordService(store, user, clock=lambda: now)
    for step, minutes_ago in _STEPS:
        service.stamp_step(case_id, step, now - timedelta(minutes=minutes_ago))
    service.record_history(case_id, SampleHistory(
        signs_symptoms="Central chest pain radiating to the left arm, sweating",
        allergies=ListAnswer(AnswerStatus.LISTED, ("penicillin",)),
        medications=ListAnswer(AnswerStatus.LISTED, ("metformin", "atorvastatin")),
        past_history=ListAnswer(AnswerStatus.LISTED, ("type 2 diabetes",)),
        last_oral_intake=LastOralIntake(now - timedelta(hours=3), "tea and biscuits"),
        events="Pain began at rest while watching television", weight=BodyWeight(78, WeightKind.ESTIMATED)))
    service.record_procedure(case_id, Procedure.ECG_12_LEAD, now - timedelta(minutes=22))
    service.record_medication(case_id, drug="Aspirin", dose=300, unit="mg", route="PO",
                              given_at=now - timedelta(minutes=20))
    service.record_medication(case_id, drug="GTN", dose=400, unit="mcg", route="SL",
                              given_at=now - timedelta(minutes=18))
    service.record_procedure(case_id, Procedure.IV_ACCESS, now - timedelta(minutes=15))


def seed_second_example_record(store: Store, user: UserInfo, case_id: str) -> None:
    """The road traffic accident: no known allergies, a splint, fentanyl for the pain."""
    now = utc_now()
    service = RecordService(store, user, clock=lambda: now)
    service.stamp_step(case_id, TimelineStep.CALL_RECEIVED, now - timedelta(minutes=30))
    service.record_history(case_id, SampleHistory(
        allergies=ListAnswer(AnswerStatus.NONE), medications=ListAnswer(AnswerStatus.NONE),
        past_history=ListAnswer(AnswerStatus.NONE), events="Motorbike rider, low-speed collision with a car",
        weight=BodyWeight(62, WeightKind.ESTIMATED)))
    service.record_procedure(case_id, Procedure.SPLINT, now - timedelta(minutes=12))
    service.record_medication(case_id, drug="Fentanyl", dose=50, unit="mcg", route="IN",
                              given_at=now - timedelta(minutes=10))
