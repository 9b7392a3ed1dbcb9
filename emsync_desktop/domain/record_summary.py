"""The case record as a handoff reads it: plain data (timeline, drugs given, procedures done, SAMPLE
history) and the words every handoff uses for it, so the SBAR text, the PDF, the FHIR document and the
ward's card say the same thing the same way.

Times are shown in local clock time (local_time); the data keeps them in UTC. A list answer of the
history keeps its four meanings apart in words too: "No known allergies" is an answer, "Not asked" and
"Unknown (could not ask)" are not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from emsync_desktop.domain.ecg_file import EcgAttachment, ecg_attachment
from emsync_desktop.domain.history import AnswerStatus, HistoryItem, LastOralIntake, ListAnswer, SampleHistory
from emsync_desktop.domain.local_time import clock, day_and_clock
from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.domain.timeline import TimelineStep


@dataclass(frozen=True)
class StampedStep:
    step: TimelineStep
    at: datetime
    edited_from: datetime | None = None  # the time an audited edit replaced


@dataclass(frozen=True)
class GivenDrug:
    """A drug given as recorded. ``free_text``: not in the formulary, its dose was not checked.
    ``warnings``: the dose-check warnings the crew saw when recording it."""

    drug: str
    dose_value: float
    dose_unit: str
    route: str
    given_at: datetime
    by_name: str = ""
    free_text: bool = False
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class DoneProcedure:
    """``extras``: numbers (energy J, rate /min, current mA), ``TIME_ON`` a datetime, ``ECG_FILE`` a name (with
    ``ECG_SHA256`` and ``ECG_SIZE_BYTES`` when the file is attached)."""

    procedure: Procedure
    done_at: datetime
    by_name: str = ""
    extras: Mapping[Extra, float | str | datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordedHistory:
    history: SampleHistory
    recorded_at: datetime
    by_name: str = ""


@dataclass(frozen=True)
class CaseRecord:
    """Everything the crew recorded for a case, oldest first in each list. ``history``: the newest saved."""

    timeline: tuple[StampedStep, ...] = ()
    drugs: tuple[GivenDrug, ...] = ()
    procedures: tuple[DoneProcedure, ...] = ()
    history: RecordedHistory | None = None

    @property
    def empty(self) -> bool:
        return not (self.timeline or self.drugs or self.procedures or self.history)

    @property
    def sample(self) -> SampleHistory | None:
        return self.history.history if self.history else None


def dose_text(drug: GivenDrug) -> str:
    """'Aspirin 300 mg PO'."""
    return f"{drug.drug} {drug.dose_value:g} {drug.dose_unit} {drug.route}".strip()


def drug_line(drug: GivenDrug) -> str:
    """'07:42 Aspirin 300 mg PO', with what the ward must know about how it was checked."""
    line = f"{clock(drug.given_at)} {dose_text(drug)}"
    if drug.free_text:
        return f"{line} (free text: not in the formulary, dose not checked)"
    if drug.warnings:
        return f"{line}. Warned when recorded: {' '.join(drug.warnings)}"
    return line


def procedure_details(done: DoneProcedure, *, brief: bool = False) -> list[str]:
    """The extras in words: ['150 J'], ['on at 07:20'], ['70/min', '60 mA'], ['ECG file: ecg.pdf (attached,
    1.2 MB)']. ``brief`` leaves out the ECG file (the ward's card has a button for it)."""
    words = []
    for extra, value in done.extras.items():
        if extra is Extra.TIME_ON and isinstance(value, datetime):
            words.append(f"on at {clock(value)}")
        elif extra is Extra.ECG_FILE and not brief:
            attached = ecg_attachment(done.extras)
            words.append(f"ECG file: {value}" + (f" (attached, {attached.size_text})" if attached else ""))
        elif extra in _NUMBER_UNITS and isinstance(value, int | float):
            words.append(f"{value:g}{_NUMBER_UNITS[extra]}")
    return words


_NUMBER_UNITS = {Extra.ENERGY_J: " J", Extra.RATE_PER_MIN: "/min", Extra.CURRENT_MA: " mA"}


def ecg_attachments(procedures: Iterable[DoneProcedure]) -> list[EcgAttachment]:
    """The files attached to a case's 12-lead ECGs, oldest first."""
    found = (ecg_attachment(p.extras, p.done_at) for p in sorted(procedures, key=lambda p: p.done_at)
             if p.procedure is Procedure.ECG_12_LEAD)
    return [attachment for attachment in found if attachment is not None]


def procedure_text(done: DoneProcedure) -> str:
    """'Defibrillation (150 J)', 'IV access'."""
    details = procedure_details(done)
    return f"{done.procedure.label} ({', '.join(details)})" if details else done.procedure.label


def procedure_line(done: DoneProcedure) -> str:
    return f"{clock(done.done_at)} {procedure_text(done)}"


UNKNOWN_ANSWER = "Unknown (could not ask)"
NOT_ASKED = "Not asked"
_NONE_WORDS = {"none", "nil", "no", "nka", "nkda", "none known", "no known allergies", "not known"}


def answer_text(item: HistoryItem, answer: ListAnswer) -> str:
    """'Penicillin, latex', 'No known allergies', 'Unknown (could not ask)' or 'Not asked'."""
    if answer.status is AnswerStatus.LISTED:
        return ", ".join(answer.items)
    if answer.status is AnswerStatus.NONE:
        return item.none_label
    return UNKNOWN_ANSWER if answer.status is AnswerStatus.UNKNOWN else NOT_ASKED


def merged_answer_text(item: HistoryItem, answer: ListAnswer | None, form_text: str, missing: str) -> str:
    """The SAMPLE answer, and what the case form's free text adds to it (never dropped: a contradiction
    stays visible). Not asked in SAMPLE: the form's text; nothing anywhere: ``missing``."""
    form = " ".join(form_text.split())
    if answer is None or answer.status is AnswerStatus.NOT_ASKED:
        return form or (missing if answer is None else NOT_ASKED)
    text = answer_text(item, answer)
    if form and form.lower() not in text.lower() and form.lower().rstrip(".") not in _NONE_WORDS:
        return f"{text} (case notes: {form})"
    return text


def intake_text(intake: LastOralIntake) -> str:
    """'22 Nov 07:10 (toast)', 'toast', or '' when nothing was recorded."""
    when = day_and_clock(intake.at) if intake.at else ""
    what = intake.what.strip()
    if when and what:
        return f"{when} ({what})"
    return when or what


def timeline_text(stamps: tuple[StampedStep, ...]) -> str:
    """'Call received 07:02, At scene 07:15, Left scene 07:35' in the steps' order."""
    ordered = sorted(stamps, key=lambda s: s.step.order)
    return ", ".join(f"{s.step.label} {clock(s.at)}" for s in ordered)


def history_lines(history: SampleHistory) -> list[str]:
    """What SAMPLE adds beyond allergies and medications, one 'Label: text' line each (blank ones left out)."""
    return [f"Past history: {answer_text(HistoryItem.PAST_HISTORY, history.past_history)}",
            *present_illness_lines(history),
            f"Weight: {history.weight.text if history.weight else 'not recorded'}"]


def present_illness_lines(history: SampleHistory) -> list[str]:
    """Last oral intake, events and signs: the story of this illness."""
    lines = [f"Last oral intake: {intake_text(history.last_oral_intake) or 'not recorded'}"]
    if history.events.strip():
        lines.append(f"Events: {history.events.strip()}")
    if history.signs_symptoms.strip():
        lines.append(f"Signs and symptoms: {history.signs_symptoms.strip()}")
    return lines


def treatment_lines(record: CaseRecord) -> list[str]:
    """The drugs and procedures, oldest first, under their headings; one line when there are none."""
    if not record.drugs and not record.procedures:
        return ["Treatment: no drugs or procedures recorded."]
    lines = []
    if record.drugs:
        lines += ["Drugs given:", *(f"- {drug_line(d)}" for d in record.drugs)]
    if record.procedures:
        lines += ["Procedures:", *(f"- {procedure_line(p)}" for p in record.procedures)]
    return lines
