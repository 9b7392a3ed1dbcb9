"""What the case record shows: the current timeline, the drugs given and the procedures done.

Read-only, plain data; ``case_record`` writes. A step's current stamp is its newest row (an edit is a
new row that replaces the one before), so the strip shows one time per step and who changed it from what.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.history import (
    AnswerStatus,
    BodyWeight,
    LastOralIntake,
    ListAnswer,
    SampleHistory,
    WeightKind,
)
from emsync_desktop.domain.lifecycle import TransferState
from emsync_desktop.domain.procedures import Procedure
from emsync_desktop.domain.timeline import TimelineStep, step_for_transfer_state
from emsync_desktop.store.models import HistoryEntry, MedicationEntry, ProcedureEntry, TimelineStamp, TransferRecord


@dataclass(frozen=True)
class StampView:
    id: str
    step: TimelineStep
    at: datetime
    by_name: str
    edited_from: datetime | None  # the time this stamp replaced (an audited edit), else None
    recorded_at: datetime
    sync_state: str
    sync_reason: str | None
    from_transfer: bool = False  # not stamped: taken from the transfer's state (the ward marked it)


@dataclass(frozen=True)
class MedicationView:
    id: str
    drug: str
    free_text: bool
    dose_value: float
    dose_unit: str
    route: str
    given_at: datetime
    by_name: str
    warnings: tuple[str, ...]
    sync_state: str
    sync_reason: str | None

    @property
    def dose_text(self) -> str:
        """'aspirin 300 mg PO' as the nurse's card shows it."""
        return f"{self.drug} {self.dose_value:g} {self.dose_unit} {self.route}".strip()


@dataclass(frozen=True)
class ProcedureView:
    id: str
    procedure: Procedure
    done_at: datetime
    by_name: str
    extras: dict[str, object]
    sync_state: str
    sync_reason: str | None
    blob_state: str | None = None  # an attached ECG file's: to_send, sent, unsendable, remote (sync.blobs)


def current_stamps(session: Session, case_id: str) -> dict[TimelineStep, TimelineStamp]:
    """Each stamped step's current row: one no edit replaces (of two, e.g. stamped on two devices, the
    later recorded; UUIDv7 ids break a tie in creation order)."""
    rows = session.scalars(select(TimelineStamp).where(TimelineStamp.encounter_id == case_id)
                           .order_by(TimelineStamp.recorded_at, TimelineStamp.id)).all()
    replaced = {row.replaces for row in rows if row.replaces}
    return {TimelineStep(row.step): row for row in rows if row.id not in replaced}


def stamp_view(row: TimelineStamp) -> StampView:
    return StampView(row.id, TimelineStep(row.step), row.at, row.recorded_by_name, row.edited_from, row.recorded_at,
                     row.sync_state, row.sync_reason)


def timeline_of(session: Session, case_id: str) -> list[StampView]:
    """The strip: one stamp per stamped step, in the steps' order. 'At destination' and 'handed over',
    when not stamped, come from the case's transfer reaching ARRIVED and COMPLETED (marked ``from_transfer``)."""
    views = {step: stamp_view(row) for step, row in current_stamps(session, case_id).items()}
    for step, view in _transfer_stamps(session, case_id).items():
        views.setdefault(step, view)
    return [views[step] for step in sorted(views, key=lambda s: s.order)]


def _transfer_stamps(session: Session, case_id: str) -> dict[TimelineStep, StampView]:
    found: dict[TimelineStep, StampView] = {}
    transfers = session.scalars(select(TransferRecord).where(TransferRecord.encounter_id == case_id)).all()
    for transfer in transfers:
        for entry in json.loads(transfer.history or "[]"):
            step = step_for_transfer_state(TransferState(entry["state"])) if entry.get("state") in _LINKED else None
            if step is None:
                continue
            at = datetime.fromisoformat(entry["at"])
            found[step] = StampView(f"transfer:{transfer.id}:{step.value}", step, at, str(entry.get("by_name", "")),
                                    None, at, transfer.sync_state, None, from_transfer=True)
    return found


_LINKED = {TransferState.ARRIVED.value, TransferState.COMPLETED.value}


def medication_view(row: MedicationEntry) -> MedicationView:
    warnings = tuple(str(w["message"]) for w in json.loads(row.warnings))
    return MedicationView(row.id, row.drug, row.free_text, row.dose_value, row.dose_unit, row.route, row.given_at,
                          row.given_by_name, warnings, row.sync_state, row.sync_reason)


def medications_of(session: Session, case_id: str) -> list[MedicationView]:
    rows: Sequence[MedicationEntry] = session.scalars(
        select(MedicationEntry).where(MedicationEntry.encounter_id == case_id)
        .order_by(MedicationEntry.given_at, MedicationEntry.id)).all()
    return [medication_view(row) for row in rows]


def procedure_view(row: ProcedureEntry) -> ProcedureView:
    return ProcedureView(row.id, Procedure(row.procedure), row.done_at, row.done_by_name, json.loads(row.extras),
                         row.sync_state, row.sync_reason, row.blob_state)


def procedures_of(session: Session, case_id: str) -> list[ProcedureView]:
    rows: Sequence[ProcedureEntry] = session.scalars(
        select(ProcedureEntry).where(ProcedureEntry.encounter_id == case_id)
        .order_by(ProcedureEntry.done_at, ProcedureEntry.id)).all()
    return [procedure_view(row) for row in rows]


@dataclass(frozen=True)
class HistoryView:
    id: str
    history: SampleHistory
    by_name: str
    recorded_at: datetime
    sync_state: str
    sync_reason: str | None


def history_data(history: SampleHistory) -> dict[str, object]:
    """The history as the ``record.history`` payload holds it (without the case id)."""
    intake, weight = history.last_oral_intake, history.weight
    return {"signs_symptoms": history.signs_symptoms,
            **{name: {"status": answer.status.value, "items": list(answer.items)} for name, answer in (
                ("allergies", history.allergies), ("medications", history.medications),
                ("past_history", history.past_history))},
            "last_oral_intake_at": intake.at.isoformat() if intake.at else None, "last_oral_intake": intake.what,
            "events": history.events, "weight_kg": weight.kg if weight else None,
            "weight_kind": weight.kind.value if weight else None}


def history_of_data(data: dict[str, object]) -> SampleHistory:
    def answer(name: str) -> ListAnswer:
        raw = data[name]
        assert isinstance(raw, dict)
        return ListAnswer(AnswerStatus(raw["status"]), tuple(str(item) for item in raw["items"]))

    at, kg, kind = data.get("last_oral_intake_at"), data.get("weight_kg"), data.get("weight_kind")
    return SampleHistory(
        signs_symptoms=str(data.get("signs_symptoms", "")), allergies=answer("allergies"),
        medications=answer("medications"), past_history=answer("past_history"),
        last_oral_intake=LastOralIntake(datetime.fromisoformat(at) if isinstance(at, str) else None,
                                        str(data.get("last_oral_intake", ""))),
        events=str(data.get("events", "")),
        weight=BodyWeight(float(kg), WeightKind(kind)) if isinstance(kg, int | float) and isinstance(kind, str)
        else None)


def history_view(row: HistoryEntry) -> HistoryView:
    return HistoryView(row.id, history_of_data(json.loads(row.data)), row.recorded_by_name, row.recorded_at,
                       row.sync_state, row.sync_reason)


def current_history(session: Session, case_id: str) -> HistoryView | None:
    """The newest saved history of the case, or None if none was saved."""
    row = session.scalars(select(HistoryEntry).where(HistoryEntry.encounter_id == case_id)
                          .order_by(HistoryEntry.recorded_at.desc(), HistoryEntry.id.desc()).limit(1)).first()
    return history_view(row) if row is not None else None
