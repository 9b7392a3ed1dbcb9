"""The case record as the handoffs read it: record_views' rows turned into the domain's plain data.

Works on a paramedic's device (the case's own entries) and on a ward's (the entries pulled for an
incoming transfer, with no case row there). Read-only; call inside the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from emsync_desktop.domain.procedures import Extra
from emsync_desktop.domain.record_summary import CaseRecord, DoneProcedure, GivenDrug, RecordedHistory, StampedStep
from emsync_desktop.services.record_views import (
    MedicationView,
    ProcedureView,
    current_history,
    medications_of,
    procedures_of,
    timeline_of,
)


def case_record_of(session: Session, case_id: str) -> CaseRecord:
    history = current_history(session, case_id)
    return CaseRecord(
        timeline=tuple(StampedStep(s.step, s.at, s.edited_from) for s in timeline_of(session, case_id)),
        drugs=tuple(given_drug(m) for m in medications_of(session, case_id)),
        procedures=tuple(done_procedure(p) for p in procedures_of(session, case_id)),
        history=RecordedHistory(history.history, history.recorded_at, history.by_name) if history else None)


def given_drug(view: MedicationView) -> GivenDrug:
    return GivenDrug(view.drug, view.dose_value, view.dose_unit, view.route, view.given_at, view.by_name,
                     view.free_text, view.warnings)


def done_procedure(view: ProcedureView) -> DoneProcedure:
    """Extras as the domain reads them: the tourniquet's time on back to a datetime; names the domain does
    not know (a newer client's) left out rather than guessed at."""
    extras: dict[Extra, float | str | datetime] = {}
    for name, value in view.extras.items():
        try:
            extra = Extra(name)
        except ValueError:
            continue
        if extra is Extra.TIME_ON and isinstance(value, str):
            extras[extra] = datetime.fromisoformat(value)
        elif isinstance(value, int | float | str) and not isinstance(value, bool):
            extras[extra] = value
    return DoneProcedure(view.procedure, view.done_at, view.by_name, extras)
