"""The admin sees which imaging model is in use and imports another."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QInputDialog
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role
from emsync_desktop.ml.registry import default_models_dir
from emsync_desktop.ml.signing import fingerprint
from emsync_desktop.ui.admin.workspace import AdminWorkspace
from emsync_desktop.ui.main_window import MainWindow
from tests.ml.onnx_models import classifier_onnx, classifier_weights, write_model_folder
from tests.ml.signing_keys import TEST_PUBLIC_KEY, sign_with_test_key, trust_test_key
from tests.ui.conftest import sign_in_as


def test_admin_imports_an_imaging_model_and_sees_it_in_use(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    sign_in_as(qtbot, window, Role.ADMIN)
    workspace = window.workspace
    assert isinstance(workspace, AdminWorkspace)
    qtbot.waitUntil(lambda: "(shipped; DEMONSTRATION" in workspace.models.imaging_model.text(), timeout=10_000)
    assert ("Input and output: 1×128×128 NHWC (grey), bilinear resize, stretch, values 0..1; output softmax, "
            "single-label, 2 labels.") in workspace.models.imaging_model.text()
    folder = tmp_path / "trained"
    shutil.copytree(default_models_dir(), folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["imaging"]["models"][0] |= {"name": "ward_cxr", "version": "ward_cxr-1", "demonstration": False}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    sign_with_test_key(folder)
    trust_test_key(window.context.data_dir)
    workspace.models.import_model(folder)
    qtbot.waitUntil(lambda: workspace.models.import_result.text().startswith("Imported ward_cxr"), timeout=20_000)
    qtbot.waitUntil(lambda: workspace.models.imaging_model.text().startswith("ward_cxr ward_cxr-1 (imported;"),
                    timeout=10_000)


def test_admin_trusts_a_vendors_key_after_checking_its_fingerprint_then_the_import_goes_on(
        qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sign_in_as(qtbot, window, Role.ADMIN)
    workspace = window.workspace
    assert isinstance(workspace, AdminWorkspace)
    folder = write_model_folder(tmp_path / "vendor", classifier_onnx(classifier_weights(), 32, 32),
                                classes=["NORMAL", "PNEUMONIA"], name="vendor_cxr",
                                contract={"input": {"channels": 3, "height": 32, "width": 32, "layout": "NCHW"},
                                          "output": {"name": "logits", "activation": "logits-softmax"}})
    view = workspace.models
    view.import_model(folder)
    qtbot.waitUntil(lambda: view.trust_button.isVisibleTo(view), timeout=20_000)
    assert fingerprint(TEST_PUBLIC_KEY) in view.import_result.text()
    asked: list[str] = []
    monkeypatch.setattr(QInputDialog, "getText", lambda _p, _t, label: (asked.append(label), ("Acme CXR", True))[1])
    view.trust_button.click()
    qtbot.waitUntil(lambda: view.import_result.text().startswith("Imported vendor_cxr"), timeout=20_000)
    assert fingerprint(TEST_PUBLIC_KEY) in asked[0] and not view.trust_button.isVisibleTo(view)
    qtbot.waitUntil(lambda: "Signed by key " + fingerprint(TEST_PUBLIC_KEY) in view.imaging_model.text(),
                    timeout=10_000)


def test_the_users_list_names_a_nurses_hospital(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, Role.ADMIN)
    workspace = window.workspace
    assert isinstance(workspace, AdminWorkspace)
    qtbot.waitUntil(lambda: workspace.users.rowCount() == 4)
    rows = {workspace.users.item(r, 0).text(): workspace.users.item(r, 3).text() for r in range(4)}  # type: ignore[union-attr]
    assert rows["maria"] == "Lourdes" and rows["asha"] == "KL-07 AMB 108"
