from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from emsync_desktop.ml.triage import TriageModels
from emsync_desktop.ui.main_window import MainWindow
from tests.ui.test_case_entry import open_new_case, type_into, vital_field


def test_triage_appears_beside_news2_as_vitals_are_typed(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    panel = workspace.triage
    assert "–" in panel.badge.text()
    for name, text in (("hr_bpm", "132"), ("rr_per_min", "32"), ("spo2_pct", "85"), ("sbp_mmhg", "82")):
        type_into(qtbot, vital_field(workspace, name), text)
    qtbot.waitUntil(lambda: "Critical" in panel.badge.text(), timeout=10_000)
    assert panel.unit.text() == "Suggested unit: ICU"
    assert "Model triage-" in panel.version.text() and "not a diagnosis" in panel.version.text()
    assert "Temperature" in panel.missing.text()  # not typed: shown as missing
    assert "raises the odds" in panel.factors.text()
    assert "NEWS2" in workspace.scores.badge.text()


def test_sbar_takes_urgency_and_unit_from_triage(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    for name, text in (("hr_bpm", "132"), ("rr_per_min", "32"), ("spo2_pct", "85"), ("sbp_mmhg", "82")):
        type_into(qtbot, vital_field(workspace, name), text)
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
    for name, text in (("hr_bpm", "132"), ("rr_per_min", "32"), ("spo2_pct", "85"), ("sbp_mmhg", "82")):
        type_into(qtbot, vital_field(workspace, name), text)
    qtbot.waitUntil(lambda: panel.unit.value() == "ICU", timeout=10_000)
    assert "Triage suggests ICU" in panel.unit_hint.text()
    qtbot.mouseClick(panel.unit.buttons["HDU"], Qt.MouseButton.LeftButton)
    type_into(qtbot, vital_field(workspace, "temp_c"), "39.1")

    def retriaged_with_new_temperature() -> bool:
        snapshot = workspace.model.snapshot
        return bool(snapshot and snapshot.triage_current and snapshot.vitals[-1].vitals.temp_c == 39.1)

    qtbot.waitUntil(retriaged_with_new_temperature, timeout=10_000)
    assert panel.unit.value() == "HDU"
