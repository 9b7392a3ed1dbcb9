"""The SBAR handoff draft, regenerated from the case as it changes."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.ui.paramedic.case_model import CaseEditorModel


class SbarPanel(QFrame):
    def __init__(self, model: CaseEditorModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
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
        model.snapshot_changed.connect(self._on_snapshot)

    def _on_snapshot(self, snapshot: CaseSnapshot | None) -> None:
        if snapshot is None:
            self.text.setPlainText("")
            return
        self.text.setPlainText(snapshot.sbar.as_text())
        pending = snapshot.sbar.pending
        self.pending.setText("Filled in later: " + ", ".join(pending) + "." if pending else "")
