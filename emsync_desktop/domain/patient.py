"""Case (encounter) details and their validation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CaseDetails:
    """Everything typed about the patient. PII fields are encrypted at rest by the store."""

    name: str = ""
    date_of_birth: date | None = None
    phone: str = ""
    id_number: str = ""
    age_years: int | None = None
    sex: Sex = Sex.UNKNOWN
    chief_complaint: str = ""
    history: str = ""
    allergies: str = ""
    medications: str = ""
    spo2_scale: int = 1
    id_type: str = ""  # domain.card_reading.IdType value, "" when not known
    address: str = ""
    insurer: str = ""
    policy_number: str = ""


PII_FIELDS = ("name", "date_of_birth", "phone", "id_number", "id_type", "address", "insurer", "policy_number")
MAX_AGE_YEARS = 120
_PHONE = re.compile(r"^\+?[0-9 ()\-]{6,20}$")


def parse_date_of_birth(text: str, today: date) -> tuple[date | None, str | None]:
    """Parse YYYY-MM-DD (or DD/MM/YYYY). Returns (date, error)."""
    raw = text.strip()
    if not raw:
        return None, None
    parsed = _parse_date(raw)
    if parsed is None:
        return None, "Date of birth: type it as YYYY-MM-DD or DD/MM/YYYY, e.g. 1984-03-21."
    if parsed > today:
        return None, "Date of birth is in the future. Check the year."
    if age_on(parsed, today) > MAX_AGE_YEARS:
        return None, f"Date of birth gives an age over {MAX_AGE_YEARS}. Check the year."
    return parsed, None


def _parse_date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", raw)
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def age_on(dob: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (dob.month, dob.day)
    return today.year - dob.year - int(before_birthday)


def parse_age(text: str) -> tuple[int | None, str | None]:
    raw = text.strip()
    if not raw:
        return None, None
    if not raw.isdigit():
        return None, "Age must be a whole number of years, e.g. 54. For infants type 0."
    age = int(raw)
    if age > MAX_AGE_YEARS:
        return None, f"Age cannot be above {MAX_AGE_YEARS} years. Check the number."
    return age, None


def check_phone(text: str) -> str | None:
    raw = text.strip()
    if raw and not _PHONE.fullmatch(raw):
        return "Phone: digits, spaces, dashes and a leading + only, e.g. +91 98470 12345."
    return None


def case_problems(details: CaseDetails) -> list[str]:
    """What is still missing before triage or handoff. Empty when the case is complete.

    A case with problems is still saved: nothing typed is ever refused for being
    incomplete, the paramedic is told what to add.
    """
    problems = []
    if not details.chief_complaint.strip():
        problems.append("Chief complaint is missing: add it before triage and handoff.")
    if details.age_years is None and details.date_of_birth is None:
        problems.append("Age is missing: type an estimate if the date of birth is unknown.")
    return problems
