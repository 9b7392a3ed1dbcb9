"""The SBAR handoff draft, regenerated from the case as it changes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QCheckBox, QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.ui.paramedic.case_model import CaseEditorModel
from emsync_desktop.ui.paramedic.handoff_exports import HandoffExports
from emsync_desktop.ui.widgets.buttons import touch_button


class SbarPanel(QFrame):
    def __init__(self, model: CaseEditorModel, exports: HandoffExports | None = None,
                 nemsis: QWidget | None = None, parent: QWidget | None = None) -> None:
        """``nemsis``: the closed case's NEMSIS export (ui/paramedic/nemsis_export), shown under the others."""
        super().__init__(parent)
        self.setObjectName("card")
        self._model = model
        self._exports = exports
        self.export_fhir = touch_button("Export FHIR")
        self.save_pdf = touch_button("Save PDF")
        self.export_fhir.clicked.connect(self._export_fhir)
        # The handoff does not need the patient's phone number: it goes in only when the crew ticks this.
        self.include_phone = QCheckBox("Include patient's phone")
        self.include_phone.setVisible(False)
        self.save_pdf.clicked.connect(self._save_pdf)
        self.export_result = QLabel()
        self.export_result.setObjectName("muted")
        self.export_result.setWordWrap(True)
        self.export_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title = QLabel("SBAR handoff draft")
        title.setObjectName("subheading")
        self.pending = QLabel()
        self.pending.setObjectName("muted")
        self.pending.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        font = QFont(self.text.font())
        font.setPointSizeF(font.pointSizeF() * 0.95)
        self.text.setFont(font)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.pending)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_fhir)
        buttons.addWidget(self.include_phone)
        buttons.addWidget(self.save_pdf)
        buttons.addStretch(1)
        if exports is not None:
            layout.addLayout(buttons)
            layout.addWidget(self.export_result)
        if nemsis is not None:
            layout.addWidget(nemsis)
        model.snapshot_changed.connect(self._on_snapshot)

    def _export_fhir(self) -> None:
        if self._exports is not None and self._model.snapshot is not None:
            self._model.flush_requested.emit()
            self._exports.fhir(self._model.snapshot.id, self._exported,
                               include_phone=not self.include_phone.isHidden() and self.include_phone.isChecked())

    def _save_pdf(self) -> None:
        if self._exports is not None and self._model.snapshot is not None:
            self._model.flush_requested.emit()
            self._exports.pdf(self._model.snapshot.id, self._exported)

    def _exported(self, result: object) -> None:
        if isinstance(result, Path):
            self.export_result.setText(f"Saved: {result}")
        else:
            self.export_result.setText(f"Could not export: {result}")

    def _on_snapshot(self, snapshot: CaseSnapshot | None) -> None:
        if snapshot is None:
            self.text.setPlainText("")
            return
        self.text.setPlainText(snapshot.sbar.as_text())
        self.include_phone.setVisible(bool(snapshot.details.phone.strip()))
        pending = snapshot.sbar.pending
        self.pending.setText("Filled in later: " + ", ".join(pending) + "." if pending else "")
