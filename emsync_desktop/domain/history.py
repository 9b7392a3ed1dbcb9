"""SAMPLE history: signs, allergies, medications, past history, last oral intake, events, and weight.

A list question has four answers that must never be confused: not asked yet, asked and there is none
("No known allergies"), asked and it could not be found out (unconscious, no relatives), and a list.
Only the list carries items. Parsing returns (value, error) like patient.py; an error is refused.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from emsync_desktop.domain.timeline import check_entry_time

WEIGHT_MIN_KG = 0.5
WEIGHT_MAX_KG = 350.0


class AnswerStatus(StrEnum):
    NOT_ASKED = "not_asked"
    NONE = "none"
    UNKNOWN = "unknown"
    LISTED = "listed"


class HistoryItem(StrEnum):
    ALLERGIES = "allergies"
    MEDICATIONS = "medications"
    PAST_HISTORY = "past_history"

    @property
    def label(self) -> str:
        return _ITEM_LABELS[self][0]

    @property
    def none_label(self) -> str:
        """The explicit 'none' answer as the paramedic taps it."""
        return _ITEM_LABELS[self][1]


_ITEM_LABELS = {
    HistoryItem.ALLERGIES: ("Allergies", "No known allergies"),
    HistoryItem.MEDICATIONS: ("Current medications", "No regular medications"),
    HistoryItem.PAST_HISTORY: ("Past history", "No significant past history"),
}


@dataclass(frozen=True)
class ListAnswer:
    status: AnswerStatus = AnswerStatus.NOT_ASKED
    items: tuple[str, ...] = ()


def answer_list(item: HistoryItem, status: AnswerStatus, typed: Sequence[str]) -> tuple[ListAnswer | None, str | None]:
    """Check one list answer. Blank entries are dropped, repeats (any case) kept once."""
    items = _unique(typed)
    if status is AnswerStatus.LISTED and not items:
        return None, f"{item.label}: type at least one, or choose '{item.none_label}'."
    if status is not AnswerStatus.LISTED and items:
        chosen = item.none_label if status is AnswerStatus.NONE else _STATUS_WORDS[status]
        return None, f"{item.label}: '{chosen}' was chosen but {', '.join(items)} was typed. Keep one of them."
    return ListAnswer(status, items), None


_STATUS_WORDS = {AnswerStatus.NOT_ASKED: "Not asked", AnswerStatus.UNKNOWN: "Unknown (could not ask)"}


def _unique(typed: Sequence[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for text in typed:
        cleaned = " ".join(text.split())
        if cleaned:
            seen.setdefault(cleaned.lower(), cleaned)
    return tuple(seen.values())


class WeightKind(StrEnum):
    MEASURED = "measured"
    ESTIMATED = "estimated"


@dataclass(frozen=True)
class BodyWeight:
    kg: float
    kind: WeightKind

    @property
    def text(self) -> str:
        """'20 kg (estimated)', for dose messages and the handoff."""
        return f"{self.kg:g} kg ({self.kind.value})"


def parse_weight(text: str, kind: WeightKind) -> tuple[BodyWeight | None, str | None]:
    """Weight typed in kg. Empty gives (None, None): a missing weight is allowed."""
    raw = text.strip().lower().removesuffix("kg").strip().replace(",", ".")
    if not raw:
        return None, None
    try:
        kg = float(raw)
    except ValueError:
        return None, "Weight must be a number in kg, e.g. 72 or 3.5. Clear the field if unknown."
    if not math.isfinite(kg) or not WEIGHT_MIN_KG <= kg <= WEIGHT_MAX_KG:
        return None, (f"Weight must be between {WEIGHT_MIN_KG:g} and {WEIGHT_MAX_KG:g} kg. "
                      "Check the number; for pounds divide by 2.2.")
    return BodyWeight(kg, kind), None


@dataclass(frozen=True)
class LastOralIntake:
    at: datetime | None = None
    what: str = ""


def check_last_oral_intake(intake: LastOralIntake, now: datetime) -> str | None:
    """Why the last oral intake is refused, or None. It may well be before the call; not after now."""
    if intake.at is None:
        return None
    return check_entry_time("Last oral intake", intake.at, None, now)


@dataclass(frozen=True)
class SampleHistory:
    signs_symptoms: str = ""
    allergies: ListAnswer = field(default_factory=ListAnswer)
    medications: ListAnswer = field(default_factory=ListAnswer)
    past_history: ListAnswer = field(default_factory=ListAnswer)
    last_oral_intake: LastOralIntake = field(default_factory=LastOralIntake)
    events: str = ""
    weight: BodyWeight | None = None


def history_gaps(history: SampleHistory) -> list[str]:
    """What is still unasked, as reminders; a history with gaps is saved like any other."""
    gaps = []
    if history.allergies.status is AnswerStatus.NOT_ASKED:
        gaps.append("Allergies not asked yet: ask before giving any drug.")
    if history.medications.status is AnswerStatus.NOT_ASKED:
        gaps.append("Current medications not asked yet.")
    if history.weight is None:
        gaps.append("No weight: measure or estimate it before a child's or a weight-based dose.")
    return gaps
