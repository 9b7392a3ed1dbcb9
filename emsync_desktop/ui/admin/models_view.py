"""Admin → Models: the imaging model in use (signer, contract, heat map, parity), importing another, and
the model makers' signing keys this PC trusts: trusting one when the admin has checked its fingerprint
with the maker, and no longer trusting it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QInputDialog, QLabel, QMessageBox, QVBoxLayout, QWidget

from emsync_desktop.ml.signing import fingerprint
from emsync_desktop.services.model_import import (
    ModelImportRefused,
    active_imaging_model,
    import_again_aware,
    version_text,
)
from emsync_desktop.services.model_trust import admin_trusted_keys, stop_trusting, trust_key
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button

HOW_TO_IMPORT = (
    "To change the model nurses use, import the folder its maker (or your own training run) gave you: it holds "
    "<i>manifest.json</i> and the <i>.onnx</i> file. Before nurses get it, at their next sign-in, EMsync checks "
    "that it is signed by the EMsync project key or a key trusted below, that no file was changed, that the "
    "model fits its description, and that it gives its maker's answers on their reference images. Makers sign "
    "a model with <tt>python -m emsync_desktop.ml.sign</tt>; writing a manifest for a model from elsewhere is "
    "explained in docs/decisions.md.")
SERVICE_TRUST_HINT = "an admin can trust the key in Admin → Models."
VIEW_TRUST_HINT = "then press Trust this signing key below."
NAME_NEEDED = "A name is needed: whose key is it?\n\n"
REFUSED_STYLE = "outcomeWaiting"  # theme: the warning colour, bold


class ModelsView(QWidget):
    def __init__(self, relay: TaskRelay, data_dir: Path, admin_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._data_dir, self._admin_name = relay, data_dir, admin_name
        self._last_folder: Path | None = None
        self._untrusted_key: bytes | None = None
        self.confirm: Callable[[str], bool] = self._ask  # tests answer for the admin
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
        self.keys = QVBoxLayout()  # one row per admin-trusted key: who, and Stop trusting
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Chest X-ray model in use</b>"))
        layout.addWidget(self.imaging_model)
        layout.addWidget(how)
        layout.addWidget(self.import_button)
        layout.addWidget(self.import_result)
        layout.addWidget(self.trust_button)
        layout.addWidget(QLabel("<b>Model signing keys trusted on this PC</b>"))
        layout.addLayout(self.keys)
        layout.addStretch(1)

    def refresh(self) -> None:
        self._relay.submit_background(active_imaging_model, self._data_dir, on_result=self.imaging_model.setText,
                                      on_error=lambda e: self.imaging_model.setText(str(e)), owner=self)
        self._relay.submit_background(admin_trusted_keys, self._data_dir, on_result=self._show_keys,
                                      on_error=lambda e: self._say(str(e), refused=True), owner=self)

    def _show_keys(self, rows: list[dict[str, str]]) -> None:
        while (item := self.keys.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        self.keys.addWidget(QLabel("The EMsync project key (shipped with the app)."))
        for row in rows:
            self.keys.addWidget(self._key_row(row))

    def _key_row(self, row: dict[str, str]) -> QWidget:
        box = QWidget()
        line = QHBoxLayout(box)
        line.setContentsMargins(0, 0, 0, 0)
        text = QLabel(f"{row.get('name', '?')} — key {row.get('fingerprint', '?')}, trusted by "
                      f"{row.get('trusted_by', '?')} on {str(row.get('at', ''))[:10]}")
        text.setWordWrap(True)
        stop = touch_button("Stop trusting", tooltip="Models signed by this key stop working at the next sign-in")
        stop.clicked.connect(partial(self._ask_to_stop_trusting, row))
        line.addWidget(text, 1)
        line.addWidget(stop)
        return box

    def _ask_to_stop_trusting(self, row: dict[str, str]) -> None:
        if self.confirm(f"Stop trusting {row.get('name', 'this')}'s key {row.get('fingerprint', '')}?\n\nAny model "
                        "signed by it (the model in use, if it is theirs) stops working at the next sign-in: "
                        "nurses cannot analyse X-rays with it until the key is trusted again or another model "
                        "is imported."):
            self.stop_trusting(row["fingerprint"])

    def stop_trusting(self, key_fingerprint: str) -> None:
        self._relay.submit_background(stop_trusting, self._data_dir, key_fingerprint, owner=self,
                                      on_result=lambda _: self._stopped(), on_error=lambda e: self._say(str(e), True))

    def _stopped(self) -> None:
        self._say("Key no longer trusted. Models signed by it stop working at the next sign-in.")
        self.refresh()

    def _choose_model_folder(self) -> None:
        start = self._last_folder if self._last_folder is not None else Path.home()
        folder = QFileDialog.getExistingDirectory(self, "Folder with manifest.json and the model files", str(start))
        if folder:
            self.import_model(Path(folder))

    def import_model(self, folder: Path) -> None:
        self._last_folder, self._untrusted_key = folder, None
        self.trust_button.setVisible(False)
        self._say(f"Checking {folder}…")
        self._relay.submit_background(import_again_aware, folder, self._data_dir, on_result=self._imported,
                                      on_error=self._refused, owner=self)

    def _imported(self, outcome: tuple[dict[str, Any], bool]) -> None:
        entry, again = outcome
        if again:
            self._say(f"{version_text(entry)} is already installed: checked again, and still in use. Nurses "
                      "already have it.")
        else:
            self._say(f"Imported {version_text(entry)}. Nurses get it at their next sign-in.")
        self.refresh()

    def _refused(self, error: BaseException) -> None:
        self._say(f"Not imported: {str(error).replace(SERVICE_TRUST_HINT, VIEW_TRUST_HINT)}", refused=True)
        if isinstance(error, ModelImportRefused) and error.untrusted_key is not None:
            self._untrusted_key = error.untrusted_key
            self.trust_button.setVisible(True)

    def _say(self, text: str, refused: bool = False) -> None:
        """The import's outcome; a refusal in the theme's warning colour, so it never reads as a success."""
        self.import_result.setText(text)
        self.import_result.setObjectName(REFUSED_STYLE if refused else "")
        self.import_result.style().unpolish(self.import_result)
        self.import_result.style().polish(self.import_result)

    def _ask_to_trust(self) -> None:
        key = self._untrusted_key
        if key is None:
            return
        question = (f"Key fingerprint: {fingerprint(key)}\n\nTrust it only if its maker has confirmed this "
                    "fingerprint to you by phone or letter (not in the same email as the model).\nWhose key is it "
                    "(e.g. vendor, team)?")
        prefix = ""
        while True:
            name, ok = QInputDialog.getText(self, "Trust a model signing key", prefix + question)
            if not ok:
                return
            if name.strip():
                self.trust(key, name.strip())
                return
            prefix = NAME_NEEDED

    def trust(self, key: bytes, name: str) -> None:
        """Trust ``key`` as ``name``'s, then import the refused folder again."""
        folder = self._last_folder
        record = partial(trust_key, self._data_dir, key, name=name, trusted_by=self._admin_name,
                         at=datetime.now(UTC))
        self._relay.submit_background(record, owner=self,
                                      on_result=lambda _: self.import_model(folder) if folder else self.refresh(),
                                      on_error=lambda e: self._say(f"Key not trusted: {e}", refused=True))

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(self, "Stop trusting a signing key?", question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes
