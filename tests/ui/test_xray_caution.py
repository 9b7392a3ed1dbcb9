"""An imported model never evaluated on held-out data, nor checked against its maker's reference
outputs, is shown to the nurse with a caution box, as the demonstration model is."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image
from pytestqt.qtbot import QtBot

from emsync_desktop.services.model_import import import_imaging_model
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.theme import LIGHT, attention_colour
from tests.ml.onnx_models import classifier_onnx, classifier_weights, write_model_folder
from tests.ml.signing_keys import trust_test_key
from tests.ui.test_xray import CHEST_CR, xray_tab

CONTRACT = {"input": {"channels": 3, "height": 32, "width": 32, "layout": "NCHW"},
            "output": {"name": "logits", "activation": "logits-softmax"}}


def test_unevaluated_imported_model_gets_a_caution_box(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    folder = write_model_folder(tmp_path / "vendor", classifier_onnx(classifier_weights(), 32, 32),
                                classes=["NORMAL", "PNEUMONIA"], name="vendor_cxr", contract=CONTRACT)
    import_imaging_model(folder, trust_test_key(window.context.data_dir))
    Image.fromarray(np.random.default_rng(5).integers(0, 256, (400, 360), dtype=np.uint8)).save(tmp_path / "c.png")
    view = xray_tab(qtbot, window).xray
    view.open_path(tmp_path / "c.png")
    qtbot.waitUntil(lambda: view.analysis is not None, timeout=30_000)
    text = view.result.text()
    assert "UNCHECKED MODEL" in text and "not evaluated on held-out data" in text and "reference outputs" in text
    assert f"background:{attention_colour(LIGHT, 'caution')[0]}" in text
    if shots := os.environ.get("EMSYNC_SHOTS"):  # for a person to look at: EMSYNC_SHOTS=<folder>
        window.resize(1366, 768)
        qtbot.wait(300)
        window.grab().save(str(Path(shots) / "xray-caution.png"))


def test_shipped_model_with_metrics_and_parity_gets_no_unchecked_box(qtbot: QtBot, window: MainWindow) -> None:
    view = xray_tab(qtbot, window).xray
    view.open_path(CHEST_CR)
    qtbot.waitUntil(lambda: view.analysis is not None, timeout=30_000)
    assert "DEMONSTRATION MODEL" in view.result.text() and "UNCHECKED MODEL" not in view.result.text()
