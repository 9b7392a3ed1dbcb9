"""Reading an ID or insurance card into the open case (issue 27), through the real dialog, the real OCR on a
background thread and the real store."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
import shiboken6
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import emsync_desktop.ui.intake.card_intake_dialog as dialog_module
from emsync_desktop.domain.card_fields import read_card
from emsync_desktop.domain.card_reading import CardField
from emsync_desktop.ml.card_ocr import CardScan
from emsync_desktop.services.card_intake import CardReview, CaseMatch
from emsync_desktop.ui.intake.card_intake_dialog import CardIntakeDialog
from emsync_desktop.ui.intake.kept_cards import KeptCardsDialog
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.paramedic.workspace import ParamedicWorkspace
from tests.domain.card_lines import line
from tests.intake.card_set import make_card
from tests.ui.test_case_entry import open_new_case, stored, type_into

READ_MS = 90_000  # the first read loads the OCR models


def _dialog(qtbot: QtBot, workspace: ParamedicWorkspace) -> CardIntakeDialog:
    workspace.open_card_intake()
    dialog = workspace.card_dialog
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def _read(qtbot: QtBot, dialog: CardIntakeDialog, path: Path) -> None:
    dialog.read_file(path)
    qtbot.waitUntil(lambda: dialog.review is not None or dialog.status.text().startswith("✖"), timeout=READ_MS)


def test_an_insurance_card_is_read_checked_and_saved_into_the_case(qtbot: QtBot, window: MainWindow,
                                                                   tmp_path: Path) -> None:
    workspace = open_new_case(qtbot, window)
    case_id = workspace.model.snapshot.id  # type: ignore[union-attr]
    card = make_card(1003, "insurance")
    (tmp_path / "card.jpg").write_bytes(card.image_jpeg)
    dialog = _dialog(qtbot, workspace)
    _read(qtbot, dialog, tmp_path / "card.jpg")
    assert dialog.save.isEnabled() and dialog.form.values() == card.fields
    assert stored(window).load(case_id).details.name == ""  # nothing stored by reading
    dialog.save.click()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())
    details = stored(window).load(case_id).details
    assert (details.name, details.insurer, details.policy_number) == (
        card.fields["name"], card.fields["insurer"], card.fields["policy_number"])
    qtbot.waitUntil(lambda: workspace.form.fields["insurer"].text() == card.fields["insurer"])  # type: ignore


def test_a_pdf_scan_is_read_from_its_first_page(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    workspace = open_new_case(qtbot, window)
    card = make_card(1002, "aadhaar")
    Image.open(io.BytesIO(card.image_jpeg)).save(tmp_path / "scan.pdf", format="PDF", resolution=150)
    dialog = _dialog(qtbot, workspace)
    _read(qtbot, dialog, tmp_path / "scan.pdf")
    assert dialog.review is not None and dialog.form.values()["id_number"] == card.fields["id_number"]


def test_a_flagged_field_is_shown_and_not_ticked(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    dialog = _dialog(qtbot, workspace)
    reading = read_card([line("Name: Anil Das", 40, 40), line("DOB: 01/01/2031", 40, 90)], [],
                        today=date(2026, 12, 1))
    dialog._on_read(CardReview(CardScan(make_card(1).image_jpeg, 10, 10, (), (), "", 0.4), reading))
    assert dialog.form.use[CardField.NAME].isChecked() and not dialog.form.use[CardField.DATE_OF_BIRTH].isChecked()
    assert dialog.form.details[CardField.DATE_OF_BIRTH].text() == "⚠ In the future: check the year."
    assert dialog.form.values() == {"name": "Anil Das"}
    assert "1 field(s) marked ⚠" in dialog.status.text()


def test_an_empty_file_says_what_to_do_and_nothing_can_be_saved(qtbot: QtBot, window: MainWindow,
                                                                tmp_path: Path) -> None:
    workspace = open_new_case(qtbot, window)
    (tmp_path / "empty.jpg").write_bytes(b"")
    dialog = _dialog(qtbot, workspace)
    _read(qtbot, dialog, tmp_path / "empty.jpg")
    assert dialog.status.text().startswith("✖ The file is empty") and not dialog.save.isEnabled()
    assert dialog.open_file.isEnabled()


def test_an_earlier_case_of_the_same_patient_is_linked_when_confirmed(qtbot: QtBot, window: MainWindow,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = open_new_case(qtbot, window)
    earlier = stored(window).open_case()
    stored(window).set_detail(earlier.id, "id_number", "234123412346")
    asked: list[tuple[CaseMatch, ...]] = []
    monkeypatch.setattr(dialog_module, "offer_link", lambda _parent, matches: asked.append(matches) or matches[0])
    dialog = _dialog(qtbot, workspace)
    reading = read_card([line("2341 2341 2346", 40, 40)], [], today=date(2026, 12, 1))
    dialog._on_read(CardReview(CardScan(make_card(1).image_jpeg, 10, 10, (), (), "", 0.4), reading))
    dialog.save.click()
    qtbot.waitUntil(lambda: workspace.form.linked.text().startswith("Linked: Same patient as"))
    assert [m.case_id for m in asked[0]] == [earlier.id]


def test_reading_a_card_needs_an_open_case(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    workspace.model.snapshot = None
    messages: list[str] = []
    workspace.model.failed.connect(messages.append)
    workspace.open_card_intake()
    assert messages and messages[0].startswith("Open a case first")


def test_a_typed_id_number_matching_an_earlier_case_offers_to_link_it(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    earlier = stored(window).open_case()
    stored(window).set_detail(earlier.id, "id_number", "D23145890")
    field = workspace.form.fields["id_number"]
    workspace.show_tab("Patient")
    type_into(qtbot, field, "d2314 5890")  # type: ignore[arg-type]
    qtbot.waitUntil(workspace.form.match.isVisible)
    assert "same ID number" in workspace.form.match.text.text()
    workspace.form.match.link.click()
    qtbot.waitUntil(lambda: workspace.form.linked.text().startswith("Linked: Same patient as"))
    assert not workspace.form.match.isVisible()


def test_a_card_value_never_replaces_a_typed_one_unasked(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    type_into(qtbot, workspace.form.fields["name"], "Gracy Nair")  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: workspace.model.snapshot.details.name == "Gracy Nair")  # type: ignore[union-attr]
    dialog = _dialog(qtbot, workspace)
    reading = read_card([line("Name: Grace Nair", 40, 40)], [], today=date(2026, 12, 1))
    dialog._on_read(CardReview(CardScan(make_card(1).image_jpeg, 10, 10, (), (), "", 0.4), reading))
    assert not dialog.form.use[CardField.NAME].isChecked()
    assert "The case has 'Gracy Nair'" in dialog.form.details[CardField.NAME].text()


def test_enter_in_a_field_moves_on_and_does_not_save(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    dialog = _dialog(qtbot, workspace)
    reading = read_card([line("Name: Anil Das", 40, 40)], [], today=date(2026, 12, 1))
    dialog._on_read(CardReview(CardScan(make_card(1).image_jpeg, 10, 10, (), (), "", 0.4), reading))
    name = dialog.form.editors[CardField.NAME]
    name.setFocus()
    qtbot.keyClick(name, Qt.Key.Key_Return)
    assert dialog.isVisible() and not name.hasFocus()
    assert stored(window).load(workspace.model.snapshot.id).details.name == ""  # type: ignore[union-attr]


def test_a_kept_card_image_can_be_seen_from_the_case(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    dialog = _dialog(qtbot, workspace)
    reading = read_card([line("Name: Anil Das", 40, 40)], [], today=date(2026, 12, 1))
    dialog._on_read(CardReview(CardScan(make_card(1).image_jpeg, 10, 10, (), (), "", 0.4), reading))
    dialog.keep_image.setChecked(True)
    dialog.save.click()
    qtbot.waitUntil(lambda: workspace.form.card_images.isVisibleTo(workspace.form))
    workspace.form.card_images.click()
    qtbot.waitUntil(lambda: any(isinstance(w, KeptCardsDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()))


def test_a_card_birth_date_far_from_the_typed_age_is_flagged(qtbot: QtBot, window: MainWindow) -> None:
    workspace = open_new_case(qtbot, window)
    type_into(qtbot, workspace.form.fields["age_years"], "30")  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: workspace.model.snapshot.details.age_years == 30)  # type: ignore[union-attr]
    dialog = _dialog(qtbot, workspace)
    reading = read_card([line("DOB: 19/10/1961", 40, 40)], [], today=date(2026, 12, 1))
    dialog._on_read(CardReview(CardScan(make_card(1).image_jpeg, 10, 10, (), (), "", 0.4), reading))
    assert not dialog.form.use[CardField.DATE_OF_BIRTH].isChecked()
    assert dialog.form.details[CardField.DATE_OF_BIRTH].text().startswith("⚠ The case has age 30; this date of birth")


def test_take_photo_without_a_camera_says_what_to_do(qtbot: QtBot, window: MainWindow,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = open_new_case(qtbot, window)
    monkeypatch.setattr(dialog_module, "camera_names", lambda: [])
    dialog = _dialog(qtbot, workspace)
    dialog.take_photo.click()
    assert dialog.status.text().startswith("✖ No camera found on this PC") and not dialog.take_photo.isEnabled()
