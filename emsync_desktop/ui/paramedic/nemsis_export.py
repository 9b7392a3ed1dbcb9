"""'Export NEMSIS report…' for a closed case: choose where, read the case (DB thread), build, validate
and write it (background thread), and say where it went or why not.

The button shows only on a closed case: NEMSIS reports a finished call, and the service refuses an
open one anyway. ``choose_target`` is an attribute so tests answer the save dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from emsync_desktop.domain.local_time import to_local
from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.nemsis_export import NemsisBatch, NemsisExport, gather_case, write_report
from emsync_desktop.store.database import Store
from emsync_desktop.ui.paramedic.case_model import CaseEditorModel
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button


class NemsisCaseExport(QWidget):
    def __init__(self, model: CaseEditorModel, relay: TaskRelay, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._relay = relay
        self._store = store
        self.choose_target: Callable[[str], Path | None] = self._ask_target
        self.button = touch_button("Export NEMSIS report…", tooltip="Save this closed case as a NEMSIS v3.5 "
                                   "patient care report (XML)")
        self.button.clicked.connect(self.export)
        self.status = QLabel()
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.button)
        row.addStretch(1)
        layout = QVBoxLayout(self)  # the status under the button, full width: a refusal is read whole
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)
        model.snapshot_changed.connect(self._on_snapshot)
        self._on_snapshot(model.snapshot)

    def _on_snapshot(self, snapshot: CaseSnapshot | None) -> None:
        self.setVisible(snapshot is not None and snapshot.status == "closed")
        self.status.setText("")

    def export(self) -> None:
        snapshot = self._model.snapshot
        if snapshot is None:
            return
        target = self.choose_target(str(Path.home() / f"nemsis-{to_local(utc_now()):%Y%m%d}-{snapshot.id[-8:]}.xml"))
        if target is None:
            return
        self.status.setText("Exporting…")
        self._relay.submit(gather_case, self._store, snapshot.id, owner=self, on_error=self._failed,
                           on_result=lambda batch: self._write(batch, target))

    def _write(self, batch: NemsisBatch, target: Path) -> None:
        self._relay.submit_background(write_report, batch, target, owner=self, on_result=self._written,
                                      on_error=self._failed)

    def _written(self, result: NemsisExport) -> None:
        self.status.setText(f"NEMSIS report saved: {result.path}")

    def _failed(self, error: BaseException) -> None:
        self.status.setText(f"Not exported: {error}")

    def _ask_target(self, suggested: str) -> Path | None:
        path, _filter = QFileDialog.getSaveFileName(self, "Export NEMSIS report", suggested, "NEMSIS XML (*.xml)")
        return Path(path) if path else None
