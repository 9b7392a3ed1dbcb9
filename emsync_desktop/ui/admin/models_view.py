"""Admin → Models: the imaging model in use (signer, contract, parity), importing another, and trusting a
model maker's signing key when the admin has checked its fingerprint with the maker."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel, QVBoxLayout, QWidget

from emsync_desktop.ml.signing import fingerprint
from emsync_desktop.services.model_import import ModelImportRefused, active_imaging_model, import_imaging_model
from emsync_desktop.services.model_trust import trust_key
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button

HOW_TO_IMPORT = (
    "Import a folder with manifest.json (an <i>imaging</i> section, as <tt>python -m emsync_desktop.ml.training "
    "imaging</tt> or <tt>imaging-export</tt> writes it, or one written for an ONNX model from elsewhere with its "
    "<i>contract</i>: input, preprocessing, output; see docs/decisions.md) and the files it names. The model must "
    "be signed (<tt>python -m emsync_desktop.ml.sign</tt>) by the project's key or a key trusted here. Every file "
    "is checked against its sha256, the model's shapes against its contract, and its answers against its maker's "
    "reference outputs when it brings them, before it is used.")


class ModelsView(QWidget):
    def __init__(self, relay: TaskRelay, data_dir: Path, admin_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._data_dir, self._admin_name = relay, data_dir, admin_name
        self._last_folder: Path | None = None
        self._untrusted_key: bytes | None = None
        self.imaging_model = QLabel("Reading the model manifest…")
        self.imaging_model.setWordWrap(True)
        self.import_button = touch_button("Import imaging model…")
        self.import_button.clicked.connect(self._choose_model_folder)
        self.trust_button = touch_button("Trust this signing key…")
        self.trust_button.clicked.connect(self._ask_to_trust)
        self.trust_button.setVisible(False)
        self.import_result = QLabel()
        self.import_result.setWordWrap(True)
        how = QLabel(HOW_TO_IMPORT)
        how.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Chest X-ray model in use</b>"))
        layout.addWidget(self.imaging_model)
        layout.addWidget(how)
        layout.addWidget(self.import_button)
        layout.addWidget(self.import_result)
        layout.addWidget(self.trust_button)
        layout.addStretch(1)

    def refresh(self) -> None:
        self._relay.submit_background(active_imaging_model, self._data_dir, on_result=self.imaging_model.setText,
                                      on_error=lambda e: self.imaging_model.setText(str(e)), owner=self)

    def _choose_model_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder with manifest.json and the model files")
        if folder:
            self.import_model(Path(folder))

    def import_model(self, folder: Path) -> None:
        self._last_folder, self._untrusted_key = folder, None
        self.trust_button.setVisible(False)
        self.import_result.setText(f"Checking {folder}…")
        self._relay.submit_background(import_imaging_model, folder, self._data_dir, on_result=self._imported,
                                      on_error=self._refused, owner=self)

    def _imported(self, entry: dict[str, object]) -> None:
        self.import_result.setText(f"Imported {entry['name']} version {entry['version']}. Nurses get it at their "
                                   "next sign-in.")
        self.refresh()

    def _refused(self, error: BaseException) -> None:
        self.import_result.setText(f"Not imported: {error}")
        if isinstance(error, ModelImportRefused) and error.untrusted_key is not None:
            self._untrusted_key = error.untrusted_key
            self.trust_button.setVisible(True)

    def _ask_to_trust(self) -> None:
        key = self._untrusted_key
        if key is None:
            return
        name, ok = QInputDialog.getText(
            self, "Trust a model signing key",
            f"Key fingerprint: {fingerprint(key)}\n\nTrust it only if its maker has confirmed this fingerprint "
            "to you by phone or letter (not in the same email as the model).\nWhose key is it (e.g. vendor, "
            "team)?")
        if ok and name.strip():
            self.trust(key, name.strip())

    def trust(self, key: bytes, name: str) -> None:
        """Trust ``key`` as ``name``'s, then import the refused folder again."""
        folder = self._last_folder
        record = partial(trust_key, self._data_dir, key, name=name, trusted_by=self._admin_name,
                         at=datetime.now(UTC))
        self._relay.submit_background(record, owner=self,
                                      on_result=lambda _: self.import_model(folder) if folder else None,
                                      on_error=lambda e: self.import_result.setText(f"Key not trusted: {e}"))
