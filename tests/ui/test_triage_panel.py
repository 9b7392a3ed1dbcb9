from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from emsync_desktop.ml.triage import TriageModels
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.paramedic.workspace import ParamedicWorkspace
from tests.ui.test_case_entry import open_new_case, type_into, vital_field


def type_sick_patient(qtbot: QtBot, workspace: ParamedicWorkspace) -> None:
    """Age, complaint and four core vitals: enough for the models to make a call."""
    workspace.tabs.setCurrentIndex(1)
    type_into(qtbot, workspace.form.fields["age_years"], "71")  # type: ignore[arg-type]
    type_into(qtbot, workspace.form.fields["chief_complaint"], "Short of breath")  # type: ignore[arg-type]
    for name, text in (("hr_bpm", "132"), ("rr_per_min", "32"), ("spo2_pct", "85"), ("sbp_mmhg", "82")):
        type_into(qtbot, vital_field(workspace, name), text)


def test_model_abstains_on_one_vital_and_nothing_carries_an_urgency(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    type_into(qtbot, vital_field(workspace, "rr_per_min"), "22")
    qtbot.waitUntil(lambda: "Not enough data for the model" in workspace.triage.message.text(), timeout=10_000)
    assert "age" in workspace.triage.message.text() and "heart rate" in workspace.triage.message.text()
    assert "not called" in workspace.triage.badge.text()
    assert "Urgency (model" not in workspace.sbar.text.toPlainText()
    assert workspace.model.snapshot is not None and not workspace.model.snapshot.triage_current


def test_call_one_core_vital_short_says_what_would_firm_it(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    type_sick_patient(qtbot, workspace)
    qtbot.waitUntil(lambda: "Critical" in workspace.triage.badge.text(), timeout=10_000)
    qtbot.waitUntil(lambda: "without consciousness (ACVPU)" in workspace.triage.firmer.text())


def test_triage_appears_beside_news2_as_vitals_are_typed(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    panel = workspace.triage
    assert "–" in panel.badge.text()
    type_sick_patient(qtbot, workspace)
    qtbot.waitUntil(lambda: "Critical" in panel.badge.text(), timeout=10_000)
    assert panel.unit.text() == "Suggested unit: ICU"
    assert "Model triage-" in panel.version.text() and "not a diagnosis" in panel.version.text()
    assert "Temperature" in panel.missing.text()  # not typed: shown as missing
    assert "raises the odds" in panel.factors.text()
    assert "NEWS2" in workspace.scores.badge.text()


def test_sbar_takes_urgency_and_unit_from_triage(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    type_sick_patient(qtbot, workspace)
    qtbot.waitUntil(lambda: "Requested unit: ICU" in workspace.sbar.text.toPlainText(), timeout=10_000)
    assert "Urgency (model triage-" in workspace.sbar.text.toPlainText()


def test_unusable_model_says_why_and_news2_keeps_working(qtbot: QtBot, window: MainWindow,
                                                         models_copy: Path) -> None:
    (models_copy / "manifest.json").unlink()
    window.triage_models = TriageModels(models_copy)
    workspace = open_new_case(qtbot, window)
    type_into(qtbot, vital_field(workspace, "rr_per_min"), "26")
    qtbot.waitUntil(lambda: "Triage model unavailable" in workspace.triage.message.text(), timeout=10_000)
    assert workspace.triage.message.isVisibleTo(workspace.triage)
    assert "3" in workspace.scores.badge.text()  # NEWS2 for RR 26


def test_transfer_unit_follows_triage_until_the_paramedic_chooses(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtCore import Qt

    workspace = open_new_case(qtbot, window)
    panel = workspace.transfer
    panel.unit.set_value("WARD")
    type_sick_patient(qtbot, workspace)
    qtbot.waitUntil(lambda: panel.unit.value() == "ICU", timeout=10_000)
    assert "Triage suggests ICU" in panel.unit_hint.text()
    qtbot.mouseClick(panel.unit.buttons["HDU"], Qt.MouseButton.LeftButton)
    type_into(qtbot, vital_field(workspace, "temp_c"), "39.1")

    def retriaged_with_new_temperature() -> bool:
        snapshot = workspace.model.snapshot
        return bool(snapshot and snapshot.triage_current and snapshot.vitals[-1].vitals.temp_c == 39.1)

    qtbot.waitUntil(retriaged_with_new_temperature, timeout=10_000)
    assert panel.unit.value() == "HDU"
