"""Card intake into a case (issue 27): nothing stored by reading; confirmed fields written all or nothing, checked
as if typed; the card image kept only when asked, and then encrypted; earlier cases of the same patient found and
linked."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from emsync_desktop.domain.card_reading import OcrLine
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.ml.card_ocr import CardScan
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.card_intake import NOTHING_FOUND, CardIntakeService, same_name
from emsync_desktop.services.cases import CaseService
from tests.services.conftest import NOW

JPEG = b"\xff\xd8\xff\xe0" + b"card-image-bytes-" * 64 + b"\xff\xd9"
BOX = ((0.0, 0.0), (100.0, 0.0), (100.0, 30.0), (0.0, 30.0))


class _Reader:
    """Stands in for the OCR (tests/ml exercises the real one): hands back fixed lines."""

    def __init__(self, *texts: str) -> None:
        self.lines = tuple(OcrLine(t, 0.97, tuple((x, y + 40 * i) for x, y in BOX)) for i, t in enumerate(texts))

    def warm_up(self) -> None:
        pass

    def read(self, data: bytes) -> CardScan:
        return CardScan(JPEG, 1280, 800, self.lines, (), "", 0.5)


@pytest.fixture
def intake(app_context: AppContext, paramedic: UserInfo) -> CardIntakeService:
    reader = _Reader("Name: Priya Mathew", "DOB: 20/10/1960", "FEMALE")
    return CardIntakeService(app_context.store, paramedic, reader, clock=lambda: NOW)  # type: ignore[arg-type]


def test_reading_proposes_and_stores_nothing(intake: CardIntakeService, cases: CaseService) -> None:
    case = cases.open_case()
    review = intake.read(JPEG)
    assert {p.field.value: p.value for p in review.reading.proposals} == {
        "name": "Priya Mathew", "date_of_birth": "1960-10-20", "sex": "female"}
    assert cases.load(case.id).details.name == ""


def test_a_card_with_nothing_on_it_says_what_to_do(app_context: AppContext, paramedic: UserInfo) -> None:
    service = CardIntakeService(app_context.store, paramedic, _Reader("EXIT"), clock=lambda: NOW)  # type: ignore
    assert service.read(JPEG).problem == NOTHING_FOUND


def test_confirmed_fields_are_saved_to_the_case(intake: CardIntakeService, cases: CaseService) -> None:
    case = cases.open_case()
    result = intake.save(case.id, {"name": "Priya Mathew", "date_of_birth": "1960-10-20", "sex": "female",
                                   "id_type": "aadhaar", "id_number": "234123412346", "address": "MG Road, Kochi",
                                   "insurer": "Star Health", "policy_number": "P/1/2"})
    details = cases.load(case.id).details
    assert result.ok and (details.name, details.date_of_birth, details.sex.value, details.age_years) == (
        "Priya Mathew", date(1960, 10, 20), "female", 66)
    assert (details.id_type, details.address, details.insurer, details.policy_number) == (
        "aadhaar", "MG Road, Kochi", "Star Health", "P/1/2")


def test_one_refused_field_and_nothing_is_written(intake: CardIntakeService, cases: CaseService) -> None:
    case = cases.open_case()
    result = intake.save(case.id, {"name": "Priya Mathew", "date_of_birth": "2031-01-01"})
    assert result.errors == {"date_of_birth": "Date of birth is in the future. Check the year."}
    assert cases.load(case.id).details.name == ""


def test_an_unknown_id_type_is_refused(intake: CardIntakeService, cases: CaseService) -> None:
    case = cases.open_case()
    assert "ID type" in intake.save(case.id, {"id_type": "library card"}).errors["id_type"]


def _raw_database(app_context: AppContext) -> bytes:
    with sqlite3.connect(app_context.store.path) as db:
        db.execute("PRAGMA wal_checkpoint(FULL)")
    return app_context.store.path.read_bytes()


def test_the_card_image_is_not_kept_unless_asked(intake: CardIntakeService, cases: CaseService) -> None:
    case = cases.open_case()
    intake.save(case.id, {"name": "Priya Mathew"})
    assert intake.kept_images(case.id) == []


def test_a_kept_card_image_is_encrypted_at_rest(intake: CardIntakeService, cases: CaseService,
                                                  app_context: AppContext) -> None:
    case = cases.open_case()
    review = intake.read(JPEG)
    result = intake.save(case.id, {"name": "Priya Mathew"}, review.scan)
    assert result.image_kept and intake.kept_images(case.id) == [JPEG]
    raw = _raw_database(app_context)
    assert b"card-image-bytes" not in raw and b"Y2FyZC1pbWFnZS1ieXRlcy" not in raw  # neither bytes nor base64
    assert b"Priya" not in raw


def test_an_earlier_case_with_the_same_id_number_is_offered(intake: CardIntakeService, cases: CaseService) -> None:
    earlier = cases.open_case()
    cases.set_detail(earlier.id, "id_number", "2341 2341 2346")
    case = cases.open_case()
    result = intake.save(case.id, {"id_number": "234123412346"})
    assert [(m.case_id, m.reason) for m in result.matches] == [(earlier.id, "same ID number")]


def test_same_name_in_another_order_and_same_birth_date_is_offered(intake: CardIntakeService,
                                                                   cases: CaseService) -> None:
    earlier = cases.open_case()
    cases.set_detail(earlier.id, "name", "MATHEW Priya")
    cases.set_detail(earlier.id, "date_of_birth", "1960-10-20")
    other = cases.open_case()
    cases.set_detail(other.id, "name", "Priya Mathew")  # same name, no date of birth: not offered
    case = cases.open_case()
    result = intake.save(case.id, {"name": "Priya Mathew", "date_of_birth": "1960-10-20"})
    assert [(m.case_id, m.reason) for m in result.matches] == [(earlier.id, "same name and date of birth")]


def test_linking_is_kept_and_shown_with_the_case(intake: CardIntakeService, cases: CaseService) -> None:
    earlier = cases.open_case()
    cases.set_detail(earlier.id, "chief_complaint", "Chest pain")
    case = cases.open_case()
    snapshot = intake.link(case.id, earlier.id)
    assert snapshot.linked_case.startswith("Same patient as Unnamed patient, case opened ")
    assert snapshot.linked_case.endswith(": Chest pain") and cases.load(case.id).linked_case == snapshot.linked_case


def test_names_match_whatever_their_order_case_and_punctuation() -> None:
    assert same_name("JOSEPH, Maria", "maria  joseph") and not same_name("Maria Joseph", "Maria Josephine")
