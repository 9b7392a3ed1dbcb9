"""The case record on the paramedic's screen: timeline strip, drug in three taps, procedures, SAMPLE history,
vitals carried forward."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.history import AnswerStatus, HistoryItem
from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.clock import utc_now
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.paramedic.drug_dialog import DrugDialog
from emsync_desktop.ui.paramedic.procedure_dialog import ProcedureDialog
from emsync_desktop.ui.paramedic.stamp_time_dialog import StampTimeDialog
from emsync_desktop.ui.paramedic.workspace import ParamedicWorkspace
from tests.ui.test_case_entry import open_new_case, type_into, vital_field


def _records(window: MainWindow) -> RecordService:
    assert window.user is not None
    return RecordService(window.context.store, window.user)


def _case_id(workspace: ParamedicWorkspace) -> str:
    assert workspace.model.snapshot is not None
    return workspace.model.snapshot.id


def _open_dialog[D: QWidget](qtbot: QtBot, window: MainWindow, kind: type[D]) -> D:
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(kind)))
    return next(d for d in window.findChildren(kind) if d.isVisible())


def _tap(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _ready(qtbot: QtBot, workspace: ParamedicWorkspace) -> None:
    qtbot.waitUntil(lambda: workspace.record.record is not None
                    and workspace.record.record.case_id == _case_id(workspace))


def test_a_drug_is_recorded_in_three_taps_from_the_vitals_screen(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    vital_field(workspace, "hr_bpm")  # on the vitals screen
    _ready(qtbot, workspace)
    _tap(qtbot, workspace.give_drug)  # 1
    dialog = _open_dialog(qtbot, window, DrugDialog)
    _tap(qtbot, dialog.drug_buttons["aspirin"])  # 2
    qtbot.keyClicks(dialog.dose, "300")  # the keyboard is in the dose already
    _tap(qtbot, dialog.record_button)  # 3
    qtbot.waitUntil(lambda: bool(_records(window).medications(_case_id(workspace))))
    [given] = _records(window).medications(_case_id(workspace))
    assert (given.dose_text, given.by_name) == ("Aspirin 300 mg PO", window.user.display_name)  # type: ignore[union-attr]
    assert [w[:15] for w in given.warnings] == ["No age recorded"]  # a new case: checked as an adult


def test_a_repeat_dose_needs_no_typing(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    _ready(qtbot, workspace)
    _records(window).record_medication(_case_id(workspace), drug="Adrenaline", dose=1, unit="mg", route="IV")
    workspace.record.refresh()
    qtbot.waitUntil(lambda: bool(workspace.record.record and workspace.record.record.medications))
    _tap(qtbot, workspace.give_drug)
    dialog = _open_dialog(qtbot, window, DrugDialog)
    _tap(qtbot, dialog.drug_buttons["adrenaline"])
    assert (dialog.dose.text(), dialog.route.currentText()) == ("1", "IV")
    _tap(qtbot, dialog.record_button)
    qtbot.waitUntil(lambda: len(_records(window).medications(_case_id(workspace))) == 2)


def test_a_dose_over_the_limit_warns_with_the_limit_and_is_still_recorded(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    _ready(qtbot, workspace)
    _tap(qtbot, workspace.give_drug)
    dialog = _open_dialog(qtbot, window, DrugDialog)
    _tap(qtbot, dialog.drug_buttons["aspirin"])
    qtbot.keyClicks(dialog.dose, "3000")
    assert "300" in dialog.checks.text() and dialog.record_button.isEnabled()
    _tap(qtbot, dialog.record_button)
    workspace.show_tab("Record")
    qtbot.waitUntil(lambda: workspace.treatments.table.rowCount() == 1)
    assert "⚠" in workspace.treatments.table.item(0, 3).text()


def test_a_drug_not_in_the_formulary_is_recorded_as_free_text(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    _ready(qtbot, workspace)
    _tap(qtbot, workspace.give_drug)
    dialog = _open_dialog(qtbot, window, DrugDialog)
    qtbot.keyClicks(dialog.search, "Ketamine")
    assert not any(button.isVisible() for button in dialog.drug_buttons.values())
    qtbot.keyClicks(dialog.dose, "20")
    _tap(qtbot, dialog.record_button)
    workspace.show_tab("Record")
    qtbot.waitUntil(lambda: workspace.treatments.table.rowCount() == 1)
    assert "free text" in workspace.treatments.table.item(0, 1).text()


def test_a_tap_on_the_strip_stamps_the_step_now(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    _ready(qtbot, workspace)
    _tap(qtbot, workspace.timeline.buttons[TimelineStep.CALL_RECEIVED])
    qtbot.waitUntil(lambda: bool(_records(window).timeline(_case_id(workspace))))
    [stamp] = _records(window).timeline(_case_id(workspace))
    assert stamp.step is TimelineStep.CALL_RECEIVED
    qtbot.waitUntil(lambda: clock(stamp.at) in workspace.timeline.buttons[TimelineStep.CALL_RECEIVED].text())
    assert workspace.timeline.buttons[TimelineStep.DISPATCHED].property("next") is True


def test_correcting_a_stamp_keeps_the_old_time(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    _ready(qtbot, workspace)
    first = utc_now() - timedelta(minutes=20)
    _records(window).stamp_step(_case_id(workspace), TimelineStep.CALL_RECEIVED, first)
    workspace.record.refresh()
    qtbot.waitUntil(lambda: clock(first) in workspace.timeline.buttons[TimelineStep.CALL_RECEIVED].text())
    _tap(qtbot, workspace.timeline.buttons[TimelineStep.CALL_RECEIVED])
    dialog = _open_dialog(qtbot, window, StampTimeDialog)
    corrected = utc_now() - timedelta(minutes=25)
    dialog.time.setText(clock(corrected))
    dialog._save()
    qtbot.waitUntil(lambda: _records(window).timeline(_case_id(workspace))[0].edited_from is not None)
    [stamp] = _records(window).timeline(_case_id(workspace))
    assert clock(stamp.at) == clock(corrected) and stamp.edited_from == first


def test_a_time_in_the_future_is_refused_on_the_strip(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    _ready(qtbot, workspace)
    _records(window).stamp_step(_case_id(workspace), TimelineStep.CALL_RECEIVED, utc_now() - timedelta(minutes=5))
    workspace.record.refresh()
    qtbot.waitUntil(lambda: workspace.timeline._stamps != {})
    workspace.record.edit_stamp(TimelineStep.CALL_RECEIVED, utc_now() + timedelta(minutes=30))
    qtbot.waitUntil(lambda: "in the future" in workspace.timeline.message.full_text())
    assert workspace.timeline.message.objectName() == "fieldError"


def test_a_procedure_with_energy_is_recorded(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    _ready(qtbot, workspace)
    _tap(qtbot, workspace.do_procedure)
    dialog = _open_dialog(qtbot, window, ProcedureDialog)
    _tap(qtbot, dialog.buttons[Procedure.DEFIBRILLATION])
    _tap(qtbot, dialog.record_button)
    qtbot.waitUntil(lambda: "energy" in dialog.problem.text())  # required: refused, nothing written
    qtbot.keyClicks(dialog.extra_edits[next(iter(dialog.extra_edits))], "200")
    _tap(qtbot, dialog.record_button)
    qtbot.waitUntil(lambda: bool(_records(window).procedures(_case_id(workspace))))
    [done] = _records(window).procedures(_case_id(workspace))
    assert done.procedure is Procedure.DEFIBRILLATION and done.extras == {"energy_j": 200}


def test_no_known_allergies_is_saved_as_its_own_answer(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    _ready(qtbot, workspace)
    workspace.show_tab("History")
    question = workspace.history.lists[HistoryItem.ALLERGIES]
    _tap(qtbot, question.status.buttons[AnswerStatus.NONE.value])
    qtbot.waitUntil(lambda: _records(window).history(_case_id(workspace)) is not None)
    saved = _records(window).history(_case_id(workspace))
    assert saved is not None and saved.history.allergies.status is AnswerStatus.NONE


def test_typing_an_allergy_answers_the_question_and_saves_after_a_pause(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    _ready(qtbot, workspace)
    workspace.show_tab("History")
    items = workspace.history.lists[HistoryItem.ALLERGIES].items
    items.setFocus()
    qtbot.keyClicks(items, "penicillin, latex")
    qtbot.waitUntil(lambda: _records(window).history(_case_id(workspace)) is not None)
    saved = _records(window).history(_case_id(workspace))
    assert saved is not None and saved.history.allergies.items == ("penicillin", "latex")


def test_carried_values_show_as_carried(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    type_into(qtbot, vital_field(workspace, "temp_c"), "38.4")
    qtbot.waitUntil(lambda: bool(workspace.model.snapshot and workspace.model.snapshot.vitals))
    workspace.vitals._start_new_set()
    workspace.vitals._carry(["temp_c"])
    qtbot.waitUntil(lambda: workspace.vitals.table.rowCount() == 2)
    assert workspace.vitals.table.item(0, 6).text() == "38.4 ↻"
    assert "Carried, not measured again (↻): Temp" in workspace.vitals.set_label.text()


def test_enter_after_the_dose_records_it(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    _ready(qtbot, workspace)
    _tap(qtbot, workspace.give_drug)
    dialog = _open_dialog(qtbot, window, DrugDialog)
    _tap(qtbot, dialog.drug_buttons["naloxone"])
    qtbot.keyClicks(dialog.dose, "0.4")
    qtbot.keyClick(dialog.dose, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(_records(window).medications(_case_id(workspace))))
    assert _records(window).medications(_case_id(workspace))[0].dose_text == "Naloxone 0.4 mg IV"


def test_keyboard_only_type_the_drug_enter_the_dose_enter(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    _ready(qtbot, workspace)
    workspace.open_drug_entry()  # Ctrl+G
    dialog = _open_dialog(qtbot, window, DrugDialog)
    qtbot.keyClicks(dialog.search, "salbut")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)  # the one drug left: picked, keyboard to the dose
    assert (dialog.unit.currentText(), dialog.route.currentText()) == ("mg", "NEB")
    assert not _records(window).medications(_case_id(workspace))  # Enter in the search recorded nothing
    qtbot.keyClicks(dialog.dose, "5")
    qtbot.keyClick(dialog.dose, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(_records(window).medications(_case_id(workspace))))
    assert _records(window).medications(_case_id(workspace))[0].dose_text == "Salbutamol 5 mg NEB"


def test_a_drug_recorded_shows_in_the_sbar_draft_at_once(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    type_into(qtbot, vital_field(workspace, "hr_bpm"), "96")
    _ready(qtbot, workspace)
    qtbot.waitUntil(lambda: window.relay.pending == 0)  # saved, triaged: nothing else will reload the case
    set_on_screen = workspace.model.vitals_set_id
    workspace.record.give_drug(drug="Aspirin", dose=300, unit="mg", route="PO", given_at=None)
    qtbot.waitUntil(lambda: "Aspirin 300 mg PO" in workspace.sbar.text.toPlainText())
    assert workspace.model.vitals_set_id == set_on_screen  # the set being typed is still the one on screen


def test_a_pulled_record_entry_refreshes_the_record_while_ops_still_wait(qtbot: QtBot, window: MainWindow) -> None:
    from emsync_desktop.sync.engine import SyncStatus

    workspace = open_new_case(qtbot, window)
    _ready(qtbot, workspace)
    refreshed: list[bool] = []
    workspace.record.refresh = lambda: refreshed.append(True)  # type: ignore[method-assign]
    workspace.on_synced(SyncStatus(True, 3, None, None, frozenset({"vitals_other"})))
    workspace.on_synced(SyncStatus(True, 3, None, None, frozenset({"medication"})))
    assert refreshed == [True]


def test_a_failed_save_is_said_in_the_dialog_which_can_try_again(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    _ready(qtbot, workspace)
    _tap(qtbot, workspace.give_drug)
    dialog = _open_dialog(qtbot, window, DrugDialog)
    _tap(qtbot, dialog.drug_buttons["aspirin"])
    qtbot.keyClicks(dialog.dose, "300")

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError("No space left on device")

    workspace.record._service.record_medication = disk_full  # type: ignore[method-assign]
    _tap(qtbot, dialog.record_button)
    qtbot.waitUntil(lambda: "No space left on device" in dialog.checks.text())
    assert dialog.isVisible() and dialog.record_button.isEnabled()


def test_a_procedure_row_says_its_extras_in_the_handoff_words(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    _ready(qtbot, workspace)
    workspace.record.do_procedure(Procedure.DEFIBRILLATION, None, {Extra.ENERGY_J: 150})
    workspace.show_tab("Record")
    qtbot.waitUntil(lambda: workspace.treatments.table.rowCount() == 1)
    assert workspace.treatments.table.item(0, 1).text() == "Defibrillation (150 J)"
