"""The ward's incoming-transfer card says what the crew gave and did, the allergies and the weight."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.history import AnswerStatus, BodyWeight, ListAnswer, SampleHistory, WeightKind
from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.procedures import Procedure
from emsync_desktop.domain.roles import Role
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.nurse.workspace import NurseWorkspace
from tests.ui.conftest import sign_in_as
from tests.ui.screen_fit import problems


def send_recorded_case(window: MainWindow) -> tuple[str, str]:
    """A case with a drug, a procedure and a SAMPLE history, sent to Lourdes ICU: its id, the drug's time."""
    store = window.context.store
    paramedic = next(u for u in demo_users(store) if u.role is Role.PARAMEDIC)
    cases = CaseService(store, paramedic, window.context.install.device_id)
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Central chest pain")
    cases.set_detail(case.id, "age_years", "58")  # an adult: aspirin 300 mg PO is within its limits
    record = RecordService(store, paramedic)
    given = utc_now() - timedelta(minutes=3)
    assert record.stamp_step(case.id, TimelineStep.CALL_RECEIVED, given - timedelta(minutes=20)).ok
    assert record.record_medication(case.id, drug="aspirin", dose=300, unit="mg", route="PO", given_at=given).ok
    assert record.record_procedure(case.id, Procedure.IV_ACCESS, given - timedelta(minutes=1)).ok
    assert record.record_history(case.id, SampleHistory(allergies=ListAnswer(AnswerStatus.NONE),
                                                        weight=BodyWeight(70, WeightKind.MEASURED))).ok
    TransferService(store, paramedic).send_to_hospital(case.id, demo_id("hospital", "Lourdes"), "ICU")
    return case.id, clock(given)


def card_text(workspace: NurseWorkspace) -> str:
    [card] = workspace.incoming.cards.values()
    return "\n".join(label.text() for label in card.findChildren(QLabel))


def nurse_sees_one_card(qtbot: QtBot, window: MainWindow) -> NurseWorkspace:
    sign_in_as(qtbot, window, Role.NURSE)
    workspace = window.workspace
    assert isinstance(workspace, NurseWorkspace)
    qtbot.waitUntil(lambda: len(workspace.incoming.cards) == 1, timeout=10_000)
    return workspace


def test_the_card_says_which_drug_was_given_with_dose_route_and_time(qtbot: QtBot, window: MainWindow) -> None:
    _case_id, at = send_recorded_case(window)
    text = card_text(nurse_sees_one_card(qtbot, window))
    assert f"given: Aspirin 300 mg PO {at}" in text.splitlines()


def test_the_card_says_allergies_weight_and_procedures(qtbot: QtBot, window: MainWindow) -> None:
    send_recorded_case(window)
    lines = card_text(nurse_sees_one_card(qtbot, window)).splitlines()
    assert "no known allergies · weight 70 kg (measured)" in lines
    assert any(line.startswith("done: IV access ") for line in lines)


def test_the_record_fits_the_card_at_1366_by_768(qtbot: QtBot, window: MainWindow) -> None:
    send_recorded_case(window)
    window.resize(1366, 768)
    nurse_sees_one_card(qtbot, window)
    qtbot.wait(100)
    assert not problems(window), "\n".join(problems(window))


def test_a_drug_pulled_later_appears_on_the_card(qtbot: QtBot, window: MainWindow) -> None:
    case_id, _at = send_recorded_case(window)
    workspace = nurse_sees_one_card(qtbot, window)
    store = window.context.store
    paramedic = next(u for u in demo_users(store) if u.role is Role.PARAMEDIC)
    assert RecordService(store, paramedic).record_medication(case_id, drug="ondansetron", dose=4, unit="mg",
                                                             route="IV").ok  # as the pull would store it
    workspace.on_synced(SyncStatus(online=True, pending=1, last_sync=None, error=None,
                                   touched=frozenset({"medication"})))
    qtbot.waitUntil(lambda: "given: Ondansetron 4 mg IV" in card_text(workspace), timeout=10_000)
