"""Chest X-ray analysis on the ward PC: open a PNG, JPEG or DICOM file, see the model's probabilities
and its heat map over the image (opacity slider), the model version, and NEWS2's counterpart here: the
reminder that this is decision support from a named model, never a diagnosis.

A file that cannot be analysed is explained in the nurse's words, the decoder's text behind Details, and
the X-ray shown before stays (still saveable). A study is kept with the chosen incoming transfer's
patient; with no patient chosen it waits for Save study, which asks first (never an unrequested question)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import astuple
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.local_time import day_and_clock
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.ml.image_io import ImageRefused
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.imaging import (
    Analysis,
    ImagingAnalyser,
    StoredStudy,
    StudySummary,
    explain,
    recent_studies,
    save_study,
    stored_study,
)
from emsync_desktop.store.database import Store
from emsync_desktop.ui.nurse.xray_display import Overlay, RadiographLabel, analyse_for_display, study_for_display
from emsync_desktop.ui.nurse.xray_text import result_html
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import LIGHT, Theme
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.error_details import ErrorDetails

NO_PATIENT_QUESTION = ("No patient is chosen for this X-ray. Saved like this it stays on this PC only and is "
                       "not sent with any transfer.\n\nSave it without a patient? (Cancel, then choose the patient "
                       "under Patient and press Save study.)")
NOT_SAVED_YET = "Not saved yet: choose the patient, then press Save study."
# DICOM files from a PACS or CD often have no extension (IM000001, I0000001): listed by the first filter too
FILE_FILTER = "Radiographs (*.dcm *.dicom *.png *.jpg *.jpeg IM* I0*);;All files (*)"


class XrayView(QWidget):
    def __init__(self, relay: TaskRelay, analyser: ImagingAnalyser, store: Store, user: UserInfo, data_dir: Path,
                 fetch_blob: Callable[[str], bytes] | None = None, theme: Theme = LIGHT,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self._relay, self._analyser, self._store, self._user, self._data_dir = relay, analyser, store, user, data_dir
        self._fetch_blob = fetch_blob  # the sync server's copy of a file, by sha256 (None: not connected)
        self._overlay: Overlay | None = None  # the image and heat map, ready to blend at any opacity
        self.analysis: Analysis | None = None
        self._unsaved = False  # the analysis shown is not kept as a study yet
        self.confirm: Callable[[str], bool] = self._ask  # tests answer for the nurse
        self.open_button = touch_button("Open X-ray…", primary=True)
        self.open_button.clicked.connect(self._choose_file)
        self.save_button = touch_button("Save study", tooltip="Keep this analysis with the chosen patient")
        self.save_button.setEnabled(False)  # until there is an analysis not yet kept
        self.save_button.clicked.connect(self.save)
        self.attach = QComboBox()
        self.attach.addItem("No incoming transfer", None)
        self.attach.setToolTip("Keep the study with an incoming transfer's patient")
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(45)
        self.opacity.setMinimumWidth(180)
        self.opacity.valueChanged.connect(lambda _v: self._render())
        self.image = RadiographLabel("Open a chest radiograph (DICOM, PNG or JPEG) to analyse it on this computer.")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.error = ErrorDetails()
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        self.result.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.studies = QListWidget()
        self.studies.setMaximumWidth(420)
        self.studies.setWordWrap(True)
        self.studies.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.studies.setToolTip("Double-click to open a study as it was recorded")
        self.studies.itemActivated.connect(lambda item: self.open_study(item.data(Qt.ItemDataRole.UserRole)))
        self.studies.setMinimumWidth(320)
        result_area = QScrollArea()  # a small window scrolls the result; its last line is never cut off
        result_area.setWidget(self.result)
        result_area.setWidgetResizable(True)
        result_area.setFrameShape(QScrollArea.Shape.NoFrame)
        result_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        result_area.setMinimumWidth(320)
        result_area.setMaximumWidth(420)
        side = QVBoxLayout()
        side.addWidget(result_area, 3)
        side.addWidget(QLabel("<b>Studies on this PC</b>"))
        side.addWidget(self.studies, 1)
        bar = QHBoxLayout()
        bar.addWidget(self.open_button)
        bar.addWidget(QLabel("Patient"))
        bar.addWidget(self.attach)
        bar.addWidget(self.save_button)
        bar.addWidget(QLabel("Heat map"))
        bar.addWidget(self.opacity)
        bar.addWidget(self.status, 1)
        body = QHBoxLayout()
        body.addWidget(self.image, 1)
        body.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addLayout(body, 1)
        self.refresh_studies()

    def refresh_studies(self) -> None:
        self._relay.submit(recent_studies, self._store, on_result=self._show_studies, owner=self)

    def _show_studies(self, studies: list[StudySummary]) -> None:
        self.studies.clear()
        for study in studies:
            when = day_and_clock(study.created_at)
            item = QListWidgetItem(f"{when} · {study.source_name}\n{study.top_class} {study.probability:.0%} · "
                                   f"{study.sync}")
            item.setData(Qt.ItemDataRole.UserRole, study.id)
            self.studies.addItem(item)

    def open_study(self, study_id: str) -> None:
        """Show a saved study as it was recorded (not run again), its image from this PC or the server."""
        self.error.clear()
        self.status.setText("Opening the study…")
        self._relay.submit(stored_study, self._store, study_id, on_result=self._load_study_image,
                           on_error=self._on_failed, owner=self)

    def _load_study_image(self, study: StoredStudy) -> None:
        self._relay.submit_background(study_for_display, self._data_dir, study, self._fetch_blob,
                                      on_result=self._on_study_opened, on_error=self._on_failed, owner=self)

    def _on_study_opened(self, shown: tuple[Analysis, Overlay]) -> None:
        self._show(*shown)
        self._unsaved = False  # kept already
        self.save_button.setEnabled(False)
        self.status.setText(f"Study {shown[0].path.name}, as recorded")

    def set_transfers(self, transfers: list[tuple[str, str]]) -> None:
        """The incoming transfers a study can be kept with (the choice survives a refresh)."""
        chosen = self.attach.currentData()
        self.attach.clear()
        self.attach.addItem("No incoming transfer", None)
        for transfer_id, label in transfers:
            self.attach.addItem(label, transfer_id)
        self.attach.setCurrentIndex(max(0, self.attach.findData(chosen)))

    def open_path(self, path: Path) -> None:
        """Analyse ``path`` off the GUI thread; the result or a message comes back here. The analysis
        shown stays (and stays saveable) until the new one is ready."""
        self.error.clear()
        self.status.setText(f"Analysing {path.name} on this computer…")
        self.open_button.setEnabled(False)
        self._relay.submit_background(analyse_for_display, self._analyser, path, on_result=self._on_analysed,
                                      on_error=partial(self._on_open_failed, path), owner=self)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a chest radiograph", str(Path.home()), FILE_FILTER)
        if path:
            self.open_path(Path(path))

    def _on_open_failed(self, path: Path, error: BaseException) -> None:
        """The banner names the file that failed and the X-ray still shown, whose save state is unchanged."""
        self.open_button.setEnabled(True)
        self.status.setText(NOT_SAVED_YET if self._unsaved else "")
        problem = explain(error)
        verb = "opened" if isinstance(error, ImageRefused) else "analysed"
        message = f"{path.name} could not be {verb}: {problem.message[:1].lower()}{problem.message[1:]}"
        advice = problem.advice
        if self.analysis is not None:
            unsaved = " (not saved yet)" if self._unsaved else ""
            advice = f"{advice} The X-ray shown is still {self.analysis.path.name}{unsaved}.".strip()
        self.error.show_problem(message, advice, problem.details)

    def _on_failed(self, error: BaseException) -> None:
        self.open_button.setEnabled(True)
        self.status.setText(NOT_SAVED_YET if self._unsaved else "")
        self.error.show_problem(*astuple(explain(error)))

    def _on_analysed(self, shown: tuple[Analysis, Overlay]) -> None:
        self.open_button.setEnabled(True)
        self._show(*shown)
        self._unsaved = True
        if self.attach.currentData() is not None:  # a patient is chosen: kept with them, nothing to ask
            self.save()
        else:  # never an unrequested question: the nurse chooses the patient, or presses Save study
            self.save_button.setEnabled(True)
            self.status.setText(NOT_SAVED_YET)

    def save(self) -> None:
        """Keep the analysis as a study, with the chosen patient's transfer; with no patient chosen, only
        once the nurse says so (a study kept with no patient stays on this PC and reaches no one)."""
        if self.analysis is None or not self._unsaved:
            return
        transfer_id = self.attach.currentData()
        if transfer_id is None and not self.confirm(NO_PATIENT_QUESTION):
            self.save_button.setEnabled(True)
            self.status.setText(NOT_SAVED_YET)
            return
        self.save_button.setEnabled(False)
        self._relay.submit(save_study, self._store, self._data_dir, self._user, self.analysis, utc_now(), transfer_id,
                           on_result=partial(self._saved, self.analysis), on_error=self._not_saved, owner=self)

    def _not_saved(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        problem = explain(error)
        self.error.show_problem("Analysed, but not saved.", "Press Save study to try again.",
                                " ".join(part for part in astuple(problem) if part))

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(self, "Save without a patient?", question,
                                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Save

    def _saved(self, analysis: Analysis, _study_id: str) -> None:
        if analysis is self.analysis:
            self._unsaved = False
        self.status.setText(f"Saved: {analysis.path.name}" + (" (sent with the transfer when online)"
                                                              if self.attach.currentData() else ""))
        self.refresh_studies()

    def _show(self, analysis: Analysis, overlay: Overlay) -> None:
        self.analysis, self._overlay = analysis, overlay
        self.opacity.setEnabled(analysis.result.heat_map.size > 0)  # a model without a heat map: nothing to blend
        self.result.setText(result_html(analysis, self._theme))
        self._render()

    def _render(self) -> None:
        if self._overlay is not None:
            self.image.show_image(self._overlay.blend(self.opacity.value() / 100.0))
