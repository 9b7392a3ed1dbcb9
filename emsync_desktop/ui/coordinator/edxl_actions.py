"""The coordinator's EDXL-HAVE actions: export the network's capacity, import a neighbouring region's report.

Files are chosen here (GUI thread); reading, checking and storing run on the DB thread via the relay.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QInputDialog, QLabel, QVBoxLayout, QWidget

from emsync_desktop.domain.edxl_have import EdxlHaveError
from emsync_desktop.domain.local_time import to_local
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.edxl_have import ImportResult, export_capacity_edxl, import_region_report
from emsync_desktop.services.exports import exports_dir
from emsync_desktop.store.database import Store
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button

_FILTER = "EDXL-HAVE report (*.xml)"


class EdxlActions(QWidget):
    imported = Signal(object)  # ImportResult: the capacity views refresh

    def __init__(self, relay: TaskRelay, store: Store, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._store, self._data_dir = relay, store, data_dir
        self.export_button = touch_button("Export capacity (EDXL-HAVE)…",
                                          tooltip="The network's beds as an EDXL-HAVE 1.0 file for other regions")
        self.import_button = touch_button(
            "Import a region's report…",
            tooltip="Show a neighbouring region's hospitals (read-only) from its EDXL-HAVE file")
        self.export_button.clicked.connect(self.export_report)
        self.import_button.clicked.connect(self.import_report)
        self.result = QLabel()
        self.result.setObjectName("muted")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.import_button)
        layout = QVBoxLayout(self)  # the result under the buttons, the table's full width: it never squeezes
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.result)

    def export_report(self) -> None:
        self.result.clear()
        stamp = to_local(utc_now()).strftime("%Y%m%d-%H%M")
        folder = exports_dir(self._data_dir)
        folder.mkdir(parents=True, exist_ok=True)  # the dialog opens there, not in the app's working folder
        suggested = folder / f"capacity-{stamp}.have.xml"
        path, _filter = QFileDialog.getSaveFileName(self, "Export capacity (EDXL-HAVE 1.0)", str(suggested), _FILTER)
        if path:
            self._relay.submit(export_capacity_edxl, self._store, Path(path), on_result=self._exported,
                               on_error=self._export_failed, owner=self)

    def import_report(self) -> None:
        self.result.clear()
        path, _filter = QFileDialog.getOpenFileName(self, "Import a region's EDXL-HAVE report", str(Path.home()),
                                                    _FILTER)
        if not path:
            return
        region, ok = QInputDialog.getText(self, "Which region is this?",
                                          "Region name (a later report with the same name replaces this one):",
                                          text=Path(path).stem)
        if ok:
            self._relay.submit(import_region_report, self._store, Path(path), region, on_result=self._imported,
                               on_error=self._import_failed, owner=self)

    def _exported(self, path: Path) -> None:
        self.result.setText(f"Saved: {path}")

    def _export_failed(self, error: BaseException) -> None:
        self.result.setText(f"Could not export: {error}. Choose a folder you can write to and try again.")

    def _imported(self, result: ImportResult) -> None:
        replaced = f", replacing its {result.replaced} earlier" if result.replaced else ""
        self.result.setText(f"Imported {result.hospitals} hospitals of {result.region}{replaced} "
                            "(external, read-only).")
        self.imported.emit(result)

    def _import_failed(self, error: BaseException) -> None:
        if isinstance(error, EdxlHaveError):
            self.result.setText(f"Not imported: {error}")
        else:
            self.result.setText(f"Not imported: {error}. Nothing was changed; try again.")
