"""Patient intake from an ID or insurance card (issue 27): read on the device, proposed, confirmed, saved.

Threading: ``read`` is CPU-heavy (OCR, about a second) and touches no store: run it on a background thread.
``save``, ``link`` and ``matches`` run on the DbRunner thread, each one transaction.

Nothing is stored by reading. ``save`` writes the confirmed fields (each checked exactly as if typed into the case
form; one refusal and nothing is written) and, only when asked, the card image, encrypted."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.card_fields import read_card
from emsync_desktop.domain.card_reading import CardField, CardReading
from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.ml.card_ocr import CardReader, CardScan
from emsync_desktop.services.case_views import CaseSnapshot, case_title, snapshot_of
from emsync_desktop.services.cases import load_encounter, parse_detail
from emsync_desktop.services.clock import utc_now
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import Encounter
from emsync_desktop.store.models_intake import CardImageRecord
from emsync_desktop.store.repositories import update_encounter

NOTHING_FOUND = ("No card fields could be read from this image. Check that it is the card (the side with the "
                 "name, or the passport's photo page), flat, lit and filling the frame, then read it again, or type "
                 "the fields in the case form.")


@dataclass(frozen=True)
class CardReview:
    """A card as read, for the person to confirm. ``problem`` set: nothing usable was found."""

    scan: CardScan
    reading: CardReading
    problem: str | None = None


@dataclass(frozen=True)
class CaseMatch:
    case_id: str
    title: str
    opened_at: datetime
    chief_complaint: str
    reason: str  # "same ID number" or "same name and date of birth"


@dataclass(frozen=True)
class IntakeResult:
    """``errors`` set (field -> reason): nothing was written. Else the case as saved, and earlier cases that look
    like the same patient, to offer linking."""

    snapshot: CaseSnapshot | None
    errors: Mapping[str, str]
    matches: tuple[CaseMatch, ...] = ()
    image_kept: bool = False
    warnings: tuple[str, ...] = ()  # saved, but worth a second look (e.g. the typed age and the card's birth date)

    @property
    def ok(self) -> bool:
        return not self.errors


class CardIntakeService:
    def __init__(self, store: Store, user: UserInfo, reader: CardReader,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._user = user
        self._reader = reader
        self._clock = clock

    def read(self, data: bytes, progress: Callable[[int, str], None] | None = None) -> CardReview:
        """Read the card in ``data`` (image bytes). Raises ml.card_ocr.CardImageProblem. Stores nothing.
        ``progress(percent, what)`` is called from this (background) thread as the steps start."""
        say = progress or (lambda _percent, _text: None)
        say(15, "Loading the reader (first card only)…")
        self._reader.warm_up()
        say(40, "Reading text, zone and codes on this PC…")
        scan = self._reader.read(data)
        say(90, "Proposing fields…")
        reading = read_card(list(scan.lines), list(scan.codes), today=self._clock().date())
        return CardReview(scan, reading, None if reading.proposals else NOTHING_FOUND)

    def save(self, case_id: str, values: Mapping[str, str], image: CardScan | None = None) -> IntakeResult:
        """Write the confirmed ``values`` (case field name -> text) to the case and, if ``image`` is given, keep it
        encrypted. All or nothing."""
        unknown = set(values) - {f.value for f in CardField}
        if unknown:
            raise ValueError(f"not card fields: {sorted(unknown)}")
        today = self._clock().date()
        with self._store.sessions.begin() as session:
            row = load_encounter(session, case_id)
            changes: dict[str, object] = {}
            errors: dict[str, str] = {}
            warnings: list[str] = []
            for name, text in values.items():
                change, error, warning = parse_detail(row, name, text, today)
                if error:
                    errors[name] = error
                if warning:
                    warnings.append(warning)
                changes.update(change)
            if errors:
                return IntakeResult(None, errors)
            now = self._clock()
            update_encounter(session, row, changes, now)
            if image is not None:
                session.add(CardImageRecord(id=new_id(), encounter_id=case_id, created_at=now,
                                            created_by=self._user.id, width_px=image.width, height_px=image.height,
                                            image_jpeg_b64=base64.b64encode(image.image_jpeg).decode("ascii")))
            session.flush()
            matches = tuple(m for m in _matches(session, row) if m.case_id != row.linked_case_id)
            return IntakeResult(snapshot_of(row), {}, matches, image is not None, tuple(warnings))

    def link(self, case_id: str, earlier_case_id: str) -> CaseSnapshot:
        """Record that ``case_id`` is the same patient as ``earlier_case_id``."""
        with self._store.sessions.begin() as session:
            row = load_encounter(session, case_id)
            load_encounter(session, earlier_case_id)
            update_encounter(session, row, {"linked_case_id": earlier_case_id}, self._clock())
            session.flush()
            return snapshot_of(row)

    def matches(self, case_id: str) -> tuple[CaseMatch, ...]:
        """Earlier cases that look like this case's patient, not counting the one it is linked to already."""
        with self._store.sessions.begin() as session:
            row = load_encounter(session, case_id)
            return tuple(m for m in _matches(session, row) if m.case_id != row.linked_case_id)

    def kept_images(self, case_id: str) -> list[bytes]:
        with self._store.sessions.begin() as session:
            rows = session.scalars(select(CardImageRecord).where(CardImageRecord.encounter_id == case_id)
                                   .order_by(CardImageRecord.created_at)).all()
            return [base64.b64decode(r.image_jpeg_b64) for r in rows]


def same_id(a: str | None, b: str | None) -> bool:
    clean_a, clean_b = (re.sub(r"[\s\-/.]", "", x or "").upper() for x in (a, b))
    return bool(clean_a) and clean_a == clean_b


def same_name(a: str | None, b: str | None) -> bool:
    """Names equal whatever their order, case, spacing and punctuation ("JOSEPH Maria" is "Maria Joseph")."""
    words_a, words_b = (sorted(re.sub(r"[^\w\s]", " ", x or "").casefold().split()) for x in (a, b))
    return bool(words_a) and words_a == words_b


def _matches(session: Session, row: Encounter) -> list[CaseMatch]:
    """Other cases on this device with the same ID number, or the same name and date of birth; newest first."""
    found = []
    for other in session.scalars(select(Encounter).where(Encounter.id != row.id, Encounter.status != "discarded")
                                 .order_by(Encounter.created_at.desc())):
        if same_id(row.id_number, other.id_number):
            reason = "same ID number"
        elif row.date_of_birth and row.date_of_birth == other.date_of_birth and same_name(row.name, other.name):
            reason = "same name and date of birth"
        else:
            continue
        found.append(CaseMatch(other.id, case_title(other.name, other.age_years, other.sex), other.created_at,
                               other.chief_complaint, reason))
    return found

