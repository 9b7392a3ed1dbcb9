from __future__ import annotations

import re

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role
from emsync_desktop.services.cases import CaseService
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.paramedic.workspace import ParamedicWorkspace
from emsync_desktop.ui.widgets.fields import ChoiceField, SavingField
from tests.ui.conftest import sign_in_as


def open_new_case(qtbot: QtBot, window: MainWindow) -> ParamedicWorkspace:
    sign_in_as(qtbot, window, Role.PARAMEDIC)
    workspace = window.workspace
    assert isinstance(workspace, ParamedicWorkspace)
    qtbot.mouseClick(workspace.case_list.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.model.snapshot is not None)
    return workspace


def stored(window: MainWindow) -> CaseService:
    assert window.user is not None
    return CaseService(window.context.store, window.user, window.context.install.device_id)


def type_into(qtbot: QtBot, field: SavingField, text: str) -> None:
    field.edit.setFocus()
    field.edit.selectAll()
    qtbot.keyClicks(field.edit, text)
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)


def vital_field(workspace: ParamedicWorkspace, name: str) -> SavingField:
    workspace.tabs.setCurrentIndex(0)
    field = workspace.vitals.fields[name]
    assert isinstance(field, SavingField)
    return field


def test_each_role_gets_its_workspace(qtbot: QtBot, window: MainWindow) -> None:
    for role, title in ((Role.NURSE, "NurseWorkspace"), (Role.COORDINATOR, "CoordinatorWorkspace"),
                        (Role.ADMIN, "AdminWorkspace"), (Role.PARAMEDIC, "ParamedicWorkspace")):
        sign_in_as(qtbot, window, role)
        assert type(window.workspace).__name__ == title
        window.sign_out()


def test_typed_vital_is_saved_without_a_save_button(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    case_id = workspace.model.snapshot.id  # type: ignore[union-attr]
    type_into(qtbot, vital_field(workspace, "hr_bpm"), "128")
    qtbot.waitUntil(lambda: len(stored(window).load(case_id).vitals) == 1)
    assert stored(window).load(case_id).vitals[0].vitals.hr_bpm == 128


def test_news2_badge_updates_as_vitals_are_entered(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    type_into(qtbot, vital_field(workspace, "rr_per_min"), "26")
    workspace.tabs.setCurrentIndex(0)
    acvpu = workspace.vitals.fields["consciousness"]
    assert isinstance(acvpu, ChoiceField)
    qtbot.mouseClick(acvpu.buttons["V"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "NEWS2\n≥ 6" in workspace.scores.badge.text())  # 2 of 7: a lower bound
    assert "At least Medium" in workspace.scores.band.text()
    assert "2 of 7 recorded" in workspace.scores.in_progress.text()


def enter_complete_set(qtbot: QtBot, workspace: ParamedicWorkspace, values: dict[str, str]) -> None:
    """Type a whole observation set as a paramedic would (numbers, then the Air/O₂ and ACVPU buttons)."""
    for name, text in values.items():
        field = workspace.vitals.fields[name]
        if isinstance(field, ChoiceField):
            qtbot.mouseClick(field.buttons[text], Qt.MouseButton.LeftButton)
        else:
            type_into(qtbot, vital_field(workspace, name), text)


CRITICAL_SET = {"hr_bpm": "140", "rr_per_min": "30", "spo2_pct": "85", "on_oxygen": "oxygen", "sbp_mmhg": "85",
                "temp_c": "34.5", "consciousness": "P"}


def test_starting_a_new_set_never_lowers_news2_or_plots_a_partial_point(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    enter_complete_set(qtbot, workspace, CRITICAL_SET)
    qtbot.waitUntil(lambda: "NEWS2\n20" in workspace.scores.badge.text())
    qtbot.keyClick(vital_field(workspace, "hr_bpm").edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    for name, text in (("hr_bpm", "120"), ("rr_per_min", "22"), ("spo2_pct", "95")):
        type_into(qtbot, vital_field(workspace, name), text)
    qtbot.waitUntil(lambda: "3 of 7 recorded" in workspace.scores.in_progress.text())
    assert "NEWS2\n20" in workspace.scores.badge.text()
    xs, _ys = workspace.vitals.chart.news2_curve.getData()
    assert len(xs) == 1  # only the complete set is a trend point


def test_letters_in_heart_rate_show_inline_error_and_save_nothing(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    hr = vital_field(workspace, "hr_bpm")
    type_into(qtbot, hr, "9o")
    qtbot.waitUntil(lambda: hr.messages.isVisible())
    assert "Heart rate must be a number" in hr.messages.full_text()
    assert hr.edit.text() == "9o"  # what was typed stays on screen to be corrected
    assert stored(window).load(workspace.model.snapshot.id).vitals == ()  # type: ignore[union-attr]


def test_new_observation_set_starts_a_second_row(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    type_into(qtbot, vital_field(workspace, "hr_bpm"), "90")
    qtbot.waitUntil(lambda: workspace.vitals.table.rowCount() == 1)
    qtbot.keyClick(vital_field(workspace, "hr_bpm").edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    type_into(qtbot, vital_field(workspace, "hr_bpm"), "120")
    qtbot.waitUntil(lambda: workspace.vitals.table.rowCount() == 2)


def test_patient_name_is_saved_and_shown_in_case_list(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    workspace.tabs.setCurrentIndex(1)
    name = workspace.form.fields["name"]
    assert isinstance(name, SavingField)
    type_into(qtbot, name, "Meera Das")
    qtbot.waitUntil(lambda: workspace.case_list.list.count() == 1
                    and "Meera Das" in workspace.case_list.list.item(0).text())


def test_future_date_of_birth_shows_message(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    dob = workspace.form.fields["date_of_birth"]
    assert isinstance(dob, SavingField)
    workspace.tabs.setCurrentIndex(1)
    type_into(qtbot, dob, "2099-01-01")
    qtbot.waitUntil(lambda: dob.messages.isVisible())
    assert "in the future" in dob.messages.full_text()


def test_search_filters_case_list(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    workspace.tabs.setCurrentIndex(1)
    complaint = workspace.form.fields["chief_complaint"]
    assert isinstance(complaint, SavingField)
    type_into(qtbot, complaint, "Snake bite")
    qtbot.mouseClick(workspace.case_list.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: workspace.case_list.list.count() == 2)
    qtbot.keyClicks(workspace.case_list.search, "snake")
    qtbot.waitUntil(lambda: workspace.case_list.list.count() == 1)


def test_night_mode_keeps_the_open_case(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    case_id = workspace.model.snapshot.id  # type: ignore[union-attr]
    qtbot.mouseClick(window.night_button, Qt.MouseButton.LeftButton)
    assert window.theme.name == "dark"
    qtbot.waitUntil(lambda: window.case_model is not None and window.case_model.snapshot is not None
                    and window.case_model.snapshot.id == case_id)


def test_touch_targets_are_at_least_44px(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    vital_field(workspace, "hr_bpm")
    qtbot.waitUntil(lambda: workspace.vitals.isVisible())
    buttons = [workspace.case_list.new_button, workspace.vitals.new_set,
               *workspace.vitals.fields["consciousness"].buttons.values()]  # type: ignore[union-attr]
    edits = [vital_field(workspace, "hr_bpm").edit]
    too_small = {w.objectName() or repr(w): w.height() for w in [*buttons, *edits] if w.height() < 44}
    assert too_small == {}


def test_sign_out_is_offered_once_signed_in(qtbot: QtBot, window: MainWindow) -> None:
    assert not window.sign_out_action.isVisible()
    sign_in_as(qtbot, window, Role.NURSE)
    qtbot.waitUntil(window.sign_out_button.isVisible)  # the toolbar lays out its widgets on the next turn
    window.saved_label.setText("✔ Saved on this device 10:00:00")  # the nurse's last change
    qtbot.mouseClick(window.sign_out_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.login and window.user is None
    assert window.saved_label.text() == ""  # the next person's status bar says nothing of the last one's work


def test_a_chart_with_one_set_has_a_clock_time_axis(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    type_into(qtbot, vital_field(workspace, "hr_bpm"), "90")
    qtbot.waitUntil(lambda: workspace.vitals.table.rowCount() == 1)
    plot = workspace.vitals.chart.vitals_plot
    low, high = plot.getViewBox().viewRange()[0]
    assert high - low >= 30 * 60  # half an hour at least: ticks are clock times, not 50.100 … 50.999
    axis = plot.getAxis("bottom")
    spacing, values = next((s, v) for s, v in axis.tickValues(low, high, 800) if v)
    ticks = axis.tickStrings(values, 1.0, spacing)
    clock_or_day = re.compile(r"\d{2}:\d{2}|[A-Z][a-z]{2} \d{2}")  # "14:30", or "Sat 05" at midnight
    assert ticks and all(clock_or_day.fullmatch(t) for t in ticks), ticks


def test_a_message_under_a_field_moves_nothing(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    hr, rr = vital_field(workspace, "hr_bpm"), vital_field(workspace, "rr_per_min")
    qtbot.wait(100)
    before = rr.edit.mapTo(window, rr.edit.rect().topLeft()), hr.width()
    type_into(qtbot, hr, "9o")
    qtbot.waitUntil(hr.messages.isVisible)
    qtbot.wait(100)
    assert (rr.edit.mapTo(window, rr.edit.rect().topLeft()), hr.width()) == before
    assert hr.messages.toolTip().startswith("✖ Heart rate must be a number")  # the whole text, if shortened
