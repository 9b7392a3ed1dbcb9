"""A 14-label model (CheXNet-style, sigmoid, a threshold per label) in the nurse's X-ray view: the
findings over their threshold first, each with its threshold, and no heat map claimed."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image
from pytestqt.qtbot import QtBot

from emsync_desktop.services.model_import import import_imaging_model
from emsync_desktop.ui.main_window import MainWindow
from tests.ml.onnx_models import (
    classifier_onnx,
    classifier_weights,
    reference_batch,
    reference_logits,
    write_model_folder,
)
from tests.ml.signing_keys import trust_test_key
from tests.ui.test_xray import xray_tab

LABELS = ["Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule", "Pneumonia",
          "Pneumothorax", "Consolidation", "Edema", "Emphysema", "Fibrosis", "Pleural_Thickening", "Hernia"]
WEIGHTS = classifier_weights(filters=8, labels=14, seed=14)


def test_findings_over_threshold_come_first_with_their_thresholds(qtbot: QtBot, window: MainWindow,
                                                                   tmp_path: Path) -> None:
    grey = np.random.default_rng(3).integers(0, 256, (180, 160), dtype=np.uint8)
    Image.fromarray(grey, mode="L").save(tmp_path / "chest.png")
    logits = reference_logits(reference_batch(grey / 255.0, 64, 64), WEIGHTS)[0]
    expected = 1 / (1 + np.exp(-logits))
    over = set(np.argsort(expected)[::2])  # every other label, whatever its probability, is over threshold
    thresholds = [float(np.clip(p - 0.02 if i in over else p + 0.02, 0.01, 0.99)) for i, p in enumerate(expected)]
    contract = {"input": {"channels": 3, "height": 64, "width": 64, "layout": "NCHW"},
                "preprocessing": {"resize": "nearest", "range": "-1..1", "colour": "grey-to-rgb"},
                "output": {"name": "logits", "activation": "logits-sigmoid", "multi_label": True,
                           "thresholds": thresholds}}
    folder = write_model_folder(tmp_path / "chexnet", classifier_onnx(WEIGHTS, 64, 64), classes=LABELS,
                                contract=contract, name="chexnet_like")
    import_imaging_model(folder, trust_test_key(window.context.data_dir))
    view = xray_tab(qtbot, window).xray
    view.open_path(tmp_path / "chest.png")
    qtbot.waitUntil(lambda: view.analysis is not None, timeout=30_000)
    text = view.result.text()
    assert f"{len(over)} of 14 findings at or over their threshold" in text and "(occlusion)" in text
    positions = {label: text.index(f"<td>{label}</td>") for label in LABELS}
    assert max(positions[LABELS[i]] for i in over) < min(positions[LABELS[i]] for i in range(14) if i not in over)
    assert f"(≥ {thresholds[0]:.0%})" in text and view.opacity.isEnabled()  # occlusion heat map
    if shots := os.environ.get("EMSYNC_SHOTS"):  # for a person to look at: EMSYNC_SHOTS=<folder>
        window.resize(1366, 768)
        qtbot.wait(200)
        window.grab().save(str(Path(shots) / "xray-multilabel.png"))
