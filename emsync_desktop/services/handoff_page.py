"""The handoff as one page of HTML (the subset Qt's rich text lays out), which the UI prints to PDF.

The SBAR first, as sent (or the live draft), then the case record as it stands on this device when the
page is made: timeline, drugs given, procedures and the SAMPLE history, each entry with who recorded
it. The record part may hold entries made after the SBAR was sent; it says when it was read. Every
typed text is escaped. Pure: no Qt, no store.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from emsync_desktop.domain.history import HistoryItem, SampleHistory
from emsync_desktop.domain.local_time import clock, stamped
from emsync_desktop.domain.record_summary import (
    CaseRecord,
    DoneProcedure,
    GivenDrug,
    RecordedHistory,
    answer_text,
    intake_text,
    procedure_details,
)
from emsync_desktop.services.handoff_doc import HandoffDocument


def handoff_html(document: HandoffDocument, author: str, now: datetime) -> str:
    """``now``: when the page is made (the case record is as of then)."""
    sbar = document.sbar
    parts = [f"<h2>Paramedic handoff (SBAR)</h2><p><b>{_e(document.snapshot.title)}</b> · by "
             f"{_e(author)}<br/>{_e(document.heading)}</p>"]
    for title, body in (("Situation", sbar.situation), ("Background", sbar.background),
                        ("Assessment", sbar.assessment), ("Recommendation", sbar.recommendation)):
        parts.append(f"<h3>{title}</h3><p>{_lines(body)}</p>")
    parts.append(record_html(document.snapshot.record, now))
    parts.append("<p><i>Scores and model output are decision support, not a diagnosis.</i></p>")
    return "".join(parts)


def record_html(record: CaseRecord, now: datetime) -> str:
    return "".join([
        f"<h2>Case record</h2><p>Every entry on this device at {_e(stamped(now))}, with who recorded it "
        "(local times).</p>",
        "<h3>Timeline</h3>", _timeline(record),
        "<h3>Drugs given</h3>", _drugs(record.drugs),
        "<h3>Procedures</h3>", _procedures(record.procedures),
        "<h3>SAMPLE history and weight</h3>", _history(record.history)])


def _timeline(record: CaseRecord) -> str:
    rows = [(s.step.label, clock(s.at), f"edited from {clock(s.edited_from)}" if s.edited_from else "")
            for s in sorted(record.timeline, key=lambda s: s.step.order)]
    return _table(("Step", "Time", "Note"), rows, "No times recorded.")


def _drugs(drugs: Sequence[GivenDrug]) -> str:
    rows = [(clock(d.given_at), d.drug, f"{d.dose_value:g} {d.dose_unit}", d.route, d.by_name, _drug_note(d))
            for d in drugs]
    return _table(("Time", "Drug", "Dose", "Route", "By", "Note"), rows, "No drugs recorded.")


def _drug_note(drug: GivenDrug) -> str:
    if drug.free_text:
        return "Free text: not in the formulary, dose not checked."
    return " ".join(f"Warned: {w}" for w in drug.warnings)


def _procedures(procedures: Sequence[DoneProcedure]) -> str:
    rows = [(clock(p.done_at), p.procedure.label, ", ".join(procedure_details(p)), p.by_name) for p in procedures]
    return _table(("Time", "Procedure", "Details", "By"), rows, "No procedures recorded.")


def _history(recorded: RecordedHistory | None) -> str:
    if recorded is None:
        return "<p>Not recorded.</p>"
    h: SampleHistory = recorded.history
    rows = [("Signs and symptoms", h.signs_symptoms.strip() or "not recorded"),
            ("Allergies", answer_text(HistoryItem.ALLERGIES, h.allergies)),
            ("Current medications", answer_text(HistoryItem.MEDICATIONS, h.medications)),
            ("Past history", answer_text(HistoryItem.PAST_HISTORY, h.past_history)),
            ("Last oral intake", intake_text(h.last_oral_intake) or "not recorded"),
            ("Events", h.events.strip() or "not recorded"),
            ("Weight", h.weight.text if h.weight else "not recorded")]
    who = f" by {recorded.by_name}" if recorded.by_name else ""
    return f"<p>Saved at {_e(clock(recorded.recorded_at))}{_e(who)}.</p>" + _table(("", ""), rows, "")


def _table(headings: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> str:
    if not rows:
        return f"<p>{_e(empty)}</p>"
    head = "".join(f"<th align='left'>{_e(h)}</th>" for h in headings) if any(headings) else ""
    body = "".join("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table border='1' cellspacing='0' cellpadding='3' width='100%'>{f'<tr>{head}</tr>' if head else ''}" \
           f"{body}</table>"


def _lines(text: str) -> str:
    return "<br/>".join(_e(line) for line in text.splitlines())


def _e(text: str) -> str:
    return html.escape(text, quote=False)
