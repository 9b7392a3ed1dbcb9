"""The case record reaches the handoffs: the SBAR sent with a transfer, the case's draft and the ward's
incoming transfer (same device here: the ward reads the entries as sync would have stored them)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from emsync_desktop.domain.history import (
    AnswerStatus,
    BodyWeight,
    LastOralIntake,
    ListAnswer,
    SampleHistory,
    WeightKind,
)
from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.services.ward import WardService
from emsync_desktop.store.models import HandoffRecord
from tests.services.conftest import NOW, ecg_on_a_stick

HISTORY = SampleHistory(
    signs_symptoms="Crushing chest pain", allergies=ListAnswer(AnswerStatus.LISTED, ("Penicillin", "Latex")),
    medications=ListAnswer(AnswerStatus.NONE), past_history=ListAnswer(AnswerStatus.UNKNOWN),
    last_oral_intake=LastOralIntake(NOW - timedelta(hours=3), "toast"), events="Collapsed at work",
    weight=BodyWeight(82, WeightKind.ESTIMATED))


pytestmark = pytest.mark.usefixtures("kochi_time")


def record_a_case(cases: CaseService, record: RecordService, history: SampleHistory | None = HISTORY) -> str:
    """A 58-year-old's case: a timeline with an edited stamp, three drugs (one free text, one a rate), four
    procedures with their extras and, unless None, ``history``. Every time is minutes before NOW."""
    case = cases.open_case()
    cases.set_detail(case.id, "age_years", "58")
    cases.set_detail(case.id, "chief_complaint", "Chest pain")

    def ago(minutes: int) -> object:
        return NOW - timedelta(minutes=minutes)

    for step, minutes in ((TimelineStep.CALL_RECEIVED, 40), (TimelineStep.AT_SCENE, 25)):
        assert record.stamp_step(case.id, step, ago(minutes)).ok  # type: ignore[arg-type]
    assert record.edit_stamp(case.id, TimelineStep.AT_SCENE, ago(27)).ok  # type: ignore[arg-type]
    for drug, dose, unit, route, minutes in (("aspirin", 300, "mg", "PO", 18), ("Ketamine", 50, "mg", "IV", 12),
                                             ("oxygen", 15, "L/min", "INH", 20)):
        assert record.record_medication(case.id, drug=drug, dose=dose, unit=unit, route=route,
                                        given_at=ago(minutes)).ok  # type: ignore[arg-type]
    with ecg_on_a_stick("ecg-1522.pdf") as ecg:
        for procedure, minutes, values in (
                (Procedure.IV_ACCESS, 20, {}), (Procedure.DEFIBRILLATION, 10, {Extra.ENERGY_J: 150}),
                (Procedure.TOURNIQUET, 9, {Extra.TIME_ON: ago(35)}), (Procedure.ECG_12_LEAD, 8, {Extra.ECG_FILE: ecg})):
            assert record.record_procedure(case.id, procedure, ago(minutes), values).ok  # type: ignore[arg-type]
    if history is not None:
        assert record.record_history(case.id, history).ok
    return case.id


@pytest.fixture
def nurse(app_context: AppContext) -> UserInfo:
    return next(u for u in demo_users(app_context.store) if u.role is Role.NURSE)


def send(app_context: AppContext, paramedic: UserInfo, case_id: str) -> None:
    TransferService(app_context.store, paramedic).send_to_hospital(case_id, demo_id("hospital", "Lourdes"), "ICU")


def test_the_case_draft_carries_the_record(cases: CaseService, record: RecordService) -> None:
    sbar = cases.load(record_a_case(cases, record)).sbar
    assert "Allergies: Penicillin, Latex\nMedications: No regular medications\n" in sbar.background
    assert "Weight: 82 kg (estimated)" in sbar.background and "Timeline: Call received 14:50, At scene 15:03" \
        in sbar.background
    assert "- 15:12 Aspirin 300 mg PO\n" in sbar.assessment and "- 15:20 Defibrillation (150 J)" in sbar.assessment


def test_the_sbar_sent_with_the_transfer_lists_what_was_given(app_context: AppContext, cases: CaseService,
                                                              record: RecordService, paramedic: UserInfo) -> None:
    send(app_context, paramedic, record_a_case(cases, record))
    with app_context.store.sessions.begin() as session:
        sections = json.loads(session.scalars(select(HandoffRecord)).one().sections)
    assert "- 15:10 Oxygen 15 L/min INH\n- 15:12 Aspirin 300 mg PO\n- 15:18 Ketamine 50 mg IV (free text" \
        in sections["assessment"]
    assert "Allergies: Penicillin, Latex" in sections["background"]


def test_a_history_too_long_for_the_wire_still_sends_the_case(app_context: AppContext, cases: CaseService,
                                                             record: RecordService, paramedic: UserInfo) -> None:
    many = ListAnswer(AnswerStatus.LISTED, tuple(f"{n:02d} " + "x" * 197 for n in range(50)))
    long_history = replace(HISTORY, allergies=many, medications=many, past_history=many)
    send(app_context, paramedic, record_a_case(cases, record, long_history))  # the wire refuses > 20,000 a section
    with app_context.store.sessions.begin() as session:
        assert "shortened here" in json.loads(session.scalars(select(HandoffRecord)).one().sections)["background"]


def test_the_ward_sees_the_crews_record_with_the_incoming_transfer(
        app_context: AppContext, cases: CaseService, record: RecordService, paramedic: UserInfo,
        nurse: UserInfo) -> None:
    send(app_context, paramedic, record_a_case(cases, record))
    [incoming] = WardService(app_context.store, nurse).incoming()
    assert [d.drug for d in incoming.record.drugs] == ["Oxygen", "Aspirin", "Ketamine"]
    tourniquet = next(p for p in incoming.record.procedures if p.procedure is Procedure.TOURNIQUET)
    assert tourniquet.extras == {Extra.TIME_ON: NOW - timedelta(minutes=35)}  # a time again, not ISO text
    assert incoming.record.sample is not None and incoming.record.sample.weight == BodyWeight(82, WeightKind.ESTIMATED)


def test_a_transfer_with_no_record_has_an_empty_one(app_context: AppContext, cases: CaseService,
                                                    paramedic: UserInfo, nurse: UserInfo) -> None:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Fall")
    send(app_context, paramedic, case.id)
    [incoming] = WardService(app_context.store, nurse).incoming()
    assert incoming.record.empty
