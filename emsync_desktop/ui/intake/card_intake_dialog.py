"""Read an ID or insurance card into the open case (issue 27).

Open a photo or PDF scan (Ctrl+O) or take a photo; the card is read on this PC on a background thread, with
progress. The proposed fields are shown beside the image, each with the box it came from; nothing is stored until
*Save to case*. The card image is kept only if ticked, and then encrypted. After saving, an earlier case of the same
patient (same ID number, or same name and date of birth) is offered for linking."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.card_reading import CardField
from emsync_desktop.domain.local_time import day_and_clock
from emsync_desktop.domain.patient import age_on
from emsync_desktop.ml.card_ocr import CardImageProblem
from emsync_desktop.services.card_intake import CardIntakeService, CardReview, CaseMatch, IntakeResult
from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.ui.intake.card_image_view import CardImageView
from emsync_desktop.ui.intake.card_source import IMAGE_FILTER, camera_names, card_file_bytes
from emsync_desktop.ui.intake.proposal_form import ProposalForm
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme
from emsync_desktop.ui.widgets.buttons import touch_button

log = logging.getLogger(__name__)
_last_folder = [Path.home()]  # where the last card file was, for the next one (this session)


class _Progress(QObject):
    """Emitted from the reading thread, delivered on the GUI thread. Parentless: it outlives a closed dialog."""

    step = Signal(int, str)


class CardIntakeDialog(QDialog):
    saved = Signal(object)  # CaseSnapshot, after the fields (and any link) are written
    warned = Signal(str)  # saved, with something to check again (for the status bar)

    def __init__(self, service: CardIntakeService, relay: TaskRelay, case_id: str, theme: Theme,
                 current: Mapping[str, str] | None = None, parent: QWidget | None = None) -> None:
        """``current``: the case's values now (field -> text), so the card never replaces one unasked."""
        super().__init__(parent)
        self._current = dict(current or {})
        self.setWindowTitle("Read ID or insurance card")
        self._service, self._relay, self._case_id = service, relay, case_id
        self.review: CardReview | None = None
        self.saved_result: IntakeResult | None = None
        self.image = CardImageView(theme)
        self.form = ProposalForm()
        self.form.field_focused.connect(self.image.focus_field)
        self.open_file = touch_button("Open photo or scan…", primary=True, tooltip="A JPEG, PNG or PDF of the card "
                                      "(Ctrl+O)")
        self.open_file.clicked.connect(self.choose_file)
        # Qt Multimedia (and its FFmpeg backend) loads only when a photo is asked for, not with the dialog.
        self.take_photo = touch_button("Take photo…", tooltip="With this PC's camera, if it has one")
        self.take_photo.clicked.connect(self._photograph)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status = QLabel("Nothing is sent anywhere: the card is read on this PC, and nothing is saved until you "
                             "press Save to case.")
        self.status.setWordWrap(True)
        self.notes = QLabel("")
        self.notes.setObjectName("muted")
        self.notes.setWordWrap(True)
        self.keep_image = QCheckBox("Keep the card image with the case (encrypted on this PC)")
        self.keep_image.setMinimumHeight(44)
        self.save = touch_button("Save to case", primary=True, tooltip="Write the ticked fields to the case (Ctrl+S)")
        self.save.setEnabled(False)
        self.save.clicked.connect(self.save_fields)
        cancel = touch_button("Cancel", tooltip="Close; nothing is saved (Esc)")
        cancel.clicked.connect(self.reject)
        for button in (self.open_file, self.take_photo, self.save, cancel):
            button.setAutoDefault(False)  # Enter in a field moves on; it never presses a button (Ctrl+S saves)
        self._lay_out(cancel)
        QShortcut(QKeySequence("Ctrl+O"), self, self.choose_file)
        QShortcut(QKeySequence("Ctrl+S"), self, self.save_fields)
        self.resize(1240, 700)

    def _lay_out(self, cancel: QWidget) -> None:
        sources = QHBoxLayout()
        sources.addWidget(self.open_file)
        sources.addWidget(self.take_photo)
        sources.addStretch(1)
        left = QVBoxLayout()
        left.addLayout(sources)
        left.addWidget(self.image, 1)
        left.addWidget(self.progress)
        left.addWidget(self.status)
        fields = QWidget()
        column = QVBoxLayout(fields)
        column.addWidget(self.form)
        column.addWidget(self.notes)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(fields)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save)
        right = QVBoxLayout()
        right.addWidget(scroll, 1)
        right.addWidget(self.keep_image)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)

    def choose_file(self) -> None:
        if not self.open_file.isEnabled():
            return  # a card is being read
        path, _ = QFileDialog.getOpenFileName(self, "Open a photo or scan of the card", str(_last_folder[0]),
                                              IMAGE_FILTER)
        if path:
            _last_folder[0] = Path(path).parent
            self.read_file(Path(path))

    def read_file(self, path: Path) -> None:
        self._start_reading(lambda progress: self._service.read(card_file_bytes(path), progress))

    def read_bytes(self, data: bytes) -> None:
        self._start_reading(lambda progress: self._service.read(data, progress))

    def _photograph(self) -> None:
        from emsync_desktop.ui.intake.camera_dialog import CameraDialog

        if not camera_names():
            self.take_photo.setEnabled(False)
            self.take_photo.setToolTip("No camera found on this PC: open a photo or scan instead")
            self._say("✖ No camera found on this PC: open a photo or scan of the card instead (Ctrl+O).")
            return
        camera = CameraDialog(self)
        if camera.exec() == QDialog.DialogCode.Accepted and camera.photo_png:
            self.read_bytes(camera.photo_png)

    def _start_reading(self, read: Callable[[Callable[[int, str], None]], CardReview]) -> None:
        progress = _Progress()
        progress.step.connect(self._on_step)
        self.open_file.setEnabled(False)
        self.save.setEnabled(False)
        self.review = None
        self.notes.clear()
        self.image.show_message("Reading the card…")
        self.form.clear()
        self._on_step(5, "Opening the file…")
        self._relay.submit_background(lambda: read(progress.step.emit), on_result=self._on_read,
                                      on_error=self._on_read_error, owner=self)

    def _on_step(self, percent: int, text: str) -> None:
        self.progress.show()
        self.progress.setValue(percent)
        self._say(text)

    def _say(self, text: str) -> None:
        """The status line: red when it starts with ✖."""
        self.status.setText(text)
        self.status.setObjectName("fieldError" if text.startswith("✖") else "")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def _on_read(self, review: CardReview) -> None:
        self._reading_done()
        self.review = review
        self.image.show_card(review.scan.image_jpeg, review.reading.proposals)
        self.form.show_proposals(review.reading.proposals, self._current, self._clashes(review))
        self._show_notes(review.reading.notes)
        flagged = self.form.warned()
        turned = f"The card was {review.scan.turned} and has been turned. " if review.scan.turned else ""
        if review.problem:
            self._say(f"✖ {review.problem}")
            return
        self._say(f"{turned}Read in {review.scan.seconds:.1f} s. Check each field against the card"
                            + (f"; {flagged} field(s) marked ⚠ need your eye." if flagged else ".")
                            + " Untick what is wrong, or correct it, then Save to case.")
        self.save.setEnabled(True)

    def _clashes(self, review: CardReview) -> dict[str, str]:
        """A card date of birth that gives an age far from the one typed in the case (another person's card?)."""
        born = review.reading.get(CardField.DATE_OF_BIRTH)
        typed = self._current.get("age_years", "")
        if born is None or not typed.isdigit():
            return {}
        try:
            age = age_on(date.fromisoformat(born.value), date.today())
        except ValueError:
            return {}
        if abs(age - int(typed)) <= 1:
            return {}
        return {"date_of_birth": f"The case has age {typed}; this date of birth gives {age}. Check the card is this "
                                 "patient's, then tick to use it."}

    def _show_notes(self, notes: tuple[str, ...]) -> None:
        """What the person should know in words; the zone's character-by-character corrections on hover."""
        plain = [note for note in notes if not note.startswith("Zone: ")]
        corrections = [note.removeprefix("Zone: ") for note in notes if note.startswith("Zone: ")]
        if corrections:
            plain.append(f"{len(corrections)} misread character(s) in the machine-readable zone were corrected "
                         "by its layout (hover to see).")
        self.notes.setText("\n".join(plain))
        self.notes.setToolTip("\n".join(corrections))

    def _on_read_error(self, error: BaseException) -> None:
        self._reading_done()
        if isinstance(error, CardImageProblem):
            message = str(error)
        else:
            log.exception("card reading failed", exc_info=error)
            message = (f"The card could not be read on this PC ({type(error).__name__}: {error}). Type the fields "
                       "in the case form; nothing was saved.")
        self.image.show_message(message)
        self.form.clear()
        self.notes.clear()
        self._say(f"✖ {message}")

    def _reading_done(self) -> None:
        self.progress.hide()
        self.open_file.setEnabled(True)

    def save_fields(self) -> None:
        if self.review is None or not self.save.isEnabled():
            return
        values = self.form.values()
        if not values:
            self._say("✖ No field is ticked: tick the fields to save, or Cancel.")
            return
        self.save.setEnabled(False)
        image = self.review.scan if self.keep_image.isChecked() else None
        self._relay.submit(self._service.save, self._case_id, values, image, on_result=self._on_saved, owner=self)

    def _on_saved(self, result: IntakeResult) -> None:
        if not result.ok:
            for name, error in result.errors.items():
                self.form.show_error(name, error)
            self._say("✖ Nothing was saved: correct or untick the fields marked ✖, then save again.")
            self.save.setEnabled(True)
            return
        assert result.snapshot is not None
        self.saved_result = result
        match = offer_link(self, result.matches)
        if match is None:
            self._done(result.snapshot)
            return
        self._relay.submit(self._service.link, self._case_id, match.case_id, on_result=self._done, owner=self)

    def _done(self, snapshot: CaseSnapshot) -> None:
        if self.saved_result is not None and self.saved_result.warnings:
            self.warned.emit(" ".join(self.saved_result.warnings))
        self.saved.emit(snapshot)
        self.accept()


def offer_link(parent: QWidget, matches: tuple[CaseMatch, ...]) -> CaseMatch | None:
    """Ask whether the newest matching case is the same patient; the match to link, or None."""
    if not matches:
        return None
    match = matches[0]
    others = f"\n\n{len(matches) - 1} more case(s) match too." if len(matches) > 1 else ""
    box = QMessageBox(QMessageBox.Icon.Question, "Same patient?",
                      f"An earlier case on this PC has the {match.reason}:\n\n{match.title}, opened "
                      f"{day_and_clock(match.opened_at)}"
                      + (f"\n{match.chief_complaint}" if match.chief_complaint else "")
                      + f"{others}\n\nLink this case to it as the same patient?", parent=parent)
    link = box.addButton("Link the cases", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Not the same patient", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(link)
    box.exec()
    return match if box.clickedButton() is link else None
