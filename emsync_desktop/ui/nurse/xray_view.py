"""Chest X-ray analysis on the ward PC: open a PNG, JPEG or DICOM file, see the model's probabilities
and its heat map over the image (opacity slider), the model version, and NEWS2's counterpart here: the
reminder that this is decision support from a named model, never a diagnosis.

A file that cannot be analysed is explained in the nurse's words, the decoder's text behind Details.
A study is kept with the chosen incoming transfer's patient; keeping one with no patient asks first."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import astuple, dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.local_time import day_and_clock
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.ml.imaging import Finding, ImagingResult, findings, upsample
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
    study_image,
)
from emsync_desktop.store.database import Store
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import LIGHT, Theme, attention_colour
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.error_details import ErrorDetails

NO_PATIENT_QUESTION = ("No patient is chosen for this X-ray. Saved like this it stays on this PC only and is "
                       "not sent with any transfer.\n\nSave it without a patient? (Cancel, then choose the patient "
                       "under Patient and press Save study.)")
FILE_FILTER = "Radiographs (*.dcm *.dicom *.png *.jpg *.jpeg);;All files (*)"
DISPLAY_MAX_PX = 1000  # the image is shown (and blended) at most this size; the model sees its own size


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
        self.image = QLabel("Open a chest radiograph (DICOM, PNG or JPEG) to analyse it on this computer.")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.image.setMinimumSize(320, 320)
        self.image.setObjectName("radiograph")
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
        self.save_button.setEnabled(False)  # kept already
        self.status.setText("Opening the study…")
        self._relay.submit(stored_study, self._store, study_id, on_result=self._load_study_image,
                           on_error=self._on_failed, owner=self)

    def _load_study_image(self, study: StoredStudy) -> None:
        self._relay.submit_background(_study_for_display, self._data_dir, study, self._fetch_blob,
                                      on_result=self._on_study_opened, on_error=self._on_failed, owner=self)

    def _on_study_opened(self, shown: tuple[Analysis, Overlay]) -> None:
        self.analysis, self._overlay = shown
        self._show_result(self.analysis)
        self._render()
        self.status.setText(f"Study {self.analysis.path.name}, as recorded")

    def set_transfers(self, transfers: list[tuple[str, str]]) -> None:
        """The incoming transfers a study can be kept with (the choice survives a refresh)."""
        chosen = self.attach.currentData()
        self.attach.clear()
        self.attach.addItem("No incoming transfer", None)
        for transfer_id, label in transfers:
            self.attach.addItem(label, transfer_id)
        self.attach.setCurrentIndex(max(0, self.attach.findData(chosen)))

    def open_path(self, path: Path) -> None:
        """Analyse ``path`` off the GUI thread; the result or a message comes back here."""
        self.error.clear()
        self.save_button.setEnabled(False)
        self.status.setText(f"Analysing {path.name} on this computer…")
        self.open_button.setEnabled(False)
        self._relay.submit_background(_analyse_for_display, self._analyser, path, on_result=self._on_analysed,
                                      on_error=self._on_failed, owner=self)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a chest radiograph", str(Path.home()), FILE_FILTER)
        if path:
            self.open_path(Path(path))

    def _on_failed(self, error: BaseException) -> None:
        self.open_button.setEnabled(True)
        self.status.setText("")
        self.error.show_problem(*astuple(explain(error)))

    def _on_analysed(self, shown: tuple[Analysis, Overlay]) -> None:
        self.open_button.setEnabled(True)
        self.analysis, self._overlay = shown
        self._show_result(self.analysis)
        self._render()
        self.save()

    def save(self) -> None:
        """Keep the analysis as a study, with the chosen patient's transfer; with no patient chosen, only
        once the nurse says so (a study kept with no patient stays on this PC and reaches no one)."""
        if self.analysis is None:
            return
        transfer_id = self.attach.currentData()
        if transfer_id is None and not self.confirm(NO_PATIENT_QUESTION):
            self.save_button.setEnabled(True)
            self.status.setText("Not saved yet: choose the patient, then Save study.")
            return
        self.save_button.setEnabled(False)
        self._relay.submit(save_study, self._store, self._data_dir, self._user, self.analysis, utc_now(), transfer_id,
                           on_result=self._saved, on_error=self._not_saved, owner=self)

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

    def _saved(self, _study_id: str) -> None:
        name = self.analysis.path.name if self.analysis else ""
        self.status.setText(f"Saved: {name}" + (" (sent with the transfer when online)"
                                                 if self.attach.currentData() else ""))
        self.refresh_studies()

    def _show_result(self, analysis: Analysis) -> None:
        r, image = analysis.result, analysis.image
        self.opacity.setEnabled(r.heat_map.size > 0)  # a model without a heat map: nothing to blend
        rows = _findings_table(r, self._theme)
        background, text = attention_colour(self._theme, "caution")
        warning = (f"<p style='background:{background};color:{text};padding:6px'><b>DEMONSTRATION MODEL</b> — "
                   "trained on synthetic images, not on chest X-rays. Its output means nothing about this patient.</p>"
                   if r.demonstration else "")
        notes = "".join(f"<br>· {n}" for n in image.notes)
        timing = ("Result as recorded when it was analysed" if math.isnan(r.inference_ms)
                  else f"Inference {r.inference_ms:.0f} ms, heat map {r.heat_map_ms:.1f} ms")
        self.result.setText(
            f"{warning}{rows}"
            f"{_heat_map_text(r.heat_map_class, r.heat_map_method)}"
            f"<p style='color:{self._theme.muted}'>Model {r.model_name}, version {r.model_version}<br>"
            f"{image.kind}: {image.description}{notes}<br>{timing}</p>"
            "<p><i>Decision support, not a diagnosis: a radiologist reads the image.</i></p>")

    def _render(self) -> None:
        if self._overlay is None:
            return
        data = self._overlay.blend(self.opacity.value() / 100.0)
        height, width = data.shape[:2]
        image = QImage(data.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
        target = self.image.size()
        self.image.setPixmap(QPixmap.fromImage(image).scaled(target, Qt.AspectRatioMode.KeepAspectRatio,
                                                             Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._render()


def _findings_table(result: ImagingResult, theme: Theme) -> str:
    """Single-label: each class and its probability. Multi-label: the findings at or over their threshold
    first, each with its threshold, then the others in the muted colour."""
    ordered = findings(result)
    if result.thresholds is None:
        rows = "".join(f"<tr><td>{f.label}</td><td align='right'><b>{f.probability:.0%}</b></td></tr>"
                       for f in ordered)
        return f"<table width='100%' style='font-size:18px'>{rows}</table>"
    over = [f for f in ordered if f.over_threshold]
    under = [f for f in ordered if not f.over_threshold]
    head = (f"<p><b>{len(over)} of {len(ordered)} findings at or over their threshold</b></p>" if over
            else f"<p><b>No finding over its threshold</b> ({len(ordered)} checked)</p>")

    def row(f: Finding, colour: str, weight: str) -> str:
        return (f"<tr style='color:{colour}'><td>{f.label}</td><td align='right' nowrap>"
                f"<span style='font-weight:{weight}'>{f.probability:.0%}</span> (≥ {f.threshold:.0%})</td></tr>")

    header = f"<tr style='color:{theme.muted}'><td>Finding</td><td align='right'>Probability (threshold)</td></tr>"
    rows = "".join(row(f, theme.text, "700") for f in over) + "".join(row(f, theme.muted, "400") for f in under)
    return f"{head}<table width='100%' style='font-size:16px'>{header}{rows}</table>"


def _heat_map_text(heat_map_class: str, method: str) -> str:
    """What the heat map shows and how it was made (a class activation map and an occlusion map differ
    in what they mean and how fine they are)."""
    if not heat_map_class:
        return f"<p>No heat map{': ' + method if method else ': this model does not provide one'}.</p>"
    how = f"<br><small>{method}.</small>" if method else ""
    return f"<p>Heat map: where the model found evidence for <b>{heat_map_class}</b>.{how}</p>"


def heat_colours(heat: np.ndarray) -> np.ndarray:
    """A blue → yellow → red ramp for 0..1 (RGB, 0..1)."""
    red = np.clip(1.5 * heat, 0, 1)
    green = np.clip(1.5 - np.abs(2 * heat - 1) * 1.5, 0, 1)
    blue = np.clip(1.0 - 2 * heat, 0, 1)
    return np.stack([red, green, blue], axis=-1)


def _analyse_for_display(analyser: ImagingAnalyser, path: Path) -> tuple[Analysis, Overlay]:
    """Worker thread: analyse, then scale the image for display and the heat map to it."""
    return _for_display(analyser.analyse_file(path))


def _study_for_display(data_dir: Path, study: StoredStudy,
                       fetch: Callable[[str], bytes] | None) -> tuple[Analysis, Overlay]:
    return _for_display(study_image(data_dir, study, fetch))


def _for_display(analysis: Analysis) -> tuple[Analysis, Overlay]:
    """Worker thread: the image at display size and the heat map upsampled to it, ready to blend."""
    from PIL import Image

    pixels = analysis.image.pixels
    scale = min(1.0, DISPLAY_MAX_PX / max(pixels.shape))
    width, height = max(1, int(pixels.shape[1] * scale)), max(1, int(pixels.shape[0] * scale))
    grey = np.clip(np.asarray(Image.fromarray(pixels, mode="F").resize((width, height), Image.Resampling.BILINEAR)),
                   0, 1).astype(np.float32)
    heat_map = analysis.result.heat_map
    heat = (upsample(heat_map, width, height) if heat_map.size else np.zeros((height, width), dtype=np.float32))
    grey3 = np.repeat(grey[..., None], 3, axis=2)
    return analysis, Overlay(grey3, (heat_colours(heat) - grey3).astype(np.float32), heat[..., None])


@dataclass(frozen=True)
class Overlay:
    """Precomputed off the GUI thread, so that moving the opacity slider costs a few milliseconds."""

    grey: np.ndarray  # (h, w, 3) the image, 0..1
    towards_heat: np.ndarray  # (h, w, 3) heat colour minus image
    heat: np.ndarray  # (h, w, 1) 0..1: where the heat map is hot it shows most

    def blend(self, opacity: float) -> np.ndarray:
        """(h, w, 3) uint8 RGB: the image, tinted by the heat map's colour by ``opacity`` × heat."""
        rgb = self.grey + self.towards_heat * (np.float32(opacity) * self.heat)
        return np.ascontiguousarray((rgb * 255).astype(np.uint8))
