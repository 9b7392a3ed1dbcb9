"""A closed case from the store as the NEMSIS builder's input (domain.nemsis.NemsisCase).

Read-only; call inside the caller's transaction (DB thread). PII is decrypted by the store's column
type, as for every other reader.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.disposition import Disposition
from emsync_desktop.domain.lifecycle import TransferState
from emsync_desktop.domain.nemsis import Destination, MedicationGiven, NemsisCase, ProcedureDone, VitalsReading
from emsync_desktop.domain.record_summary import CaseRecord, procedure_details
from emsync_desktop.services.case_views import details_of, vitals_of
from emsync_desktop.services.handoff_record import case_record_of
from emsync_desktop.store.models import Encounter, Hospital, TransferRecord, User

_NOT_TAKEN = {TransferState.REJECTED.value, TransferState.CANCELLED.value, TransferState.EXPIRED.value}


class CaseNotReportable(ValueError):
    """The case cannot be reported; the message says why and what to do."""


def nemsis_case_of(session: Session, row: Encounter) -> NemsisCase:
    if row.status != "closed" or row.closed_at is None or row.disposition is None:
        raise CaseNotReportable("Only a closed case can be exported as a NEMSIS report: close this case first "
                                "(End case), then export it.")
    details, record = details_of(row), case_record_of(session, row.id)
    return NemsisCase(
        case_id=row.id, unit_call_sign=_unit(session, row), opened_at=row.created_at, closed_at=row.closed_at,
        disposition=Disposition(row.disposition), times={s.step: s.at for s in record.timeline}, crew=row.crew,
        age_years=details.age_years, date_of_birth=details.date_of_birth, sex=details.sex,
        chief_complaint=details.chief_complaint, vitals=_vitals(row), medications=_drugs(record),
        procedures=_procedures(record), destination=_destination(session, row.id))


def _unit(session: Session, row: Encounter) -> str:
    """The ambulance: the case's crew (the unit it was opened on), else its opener's unit now."""
    opener = session.get(User, row.created_by)
    unit = row.crew.strip() or (opener.ambulance_unit or "" if opener else "").strip()
    if not unit:
        raise CaseNotReportable(f"Case {row.id} names no ambulance unit, which NEMSIS requires: the user who "
                                "opened it has no unit set.")
    return unit


def _vitals(row: Encounter) -> tuple[VitalsReading, ...]:
    readings = []
    for record in row.vitals:
        v = vitals_of(record)
        if v.is_empty():
            continue
        readings.append(VitalsReading(
            taken_at=v.taken_at, hr_bpm=v.hr_bpm, rr_per_min=v.rr_per_min, spo2_pct=v.spo2_pct,
            sbp_mmhg=v.sbp_mmhg, dbp_mmhg=v.dbp_mmhg, temp_c=v.temp_c,
            avpu=v.consciousness.value if v.consciousness else None, gcs_total=v.gcs, pain_0_10=v.pain_0_10,
            glucose_mg_dl=v.glucose_mg_dl))
    return tuple(readings)


def _drugs(record: CaseRecord) -> tuple[MedicationGiven, ...]:
    return tuple(record.drugs)


def _procedures(record: CaseRecord) -> tuple[ProcedureDone, ...]:
    return tuple(ProcedureDone(p.procedure, p.done_at, p.by_name, ", ".join(procedure_details(p)))
                 for p in record.procedures)


def _destination(session: Session, case_id: str) -> Destination | None:
    """The hospital of the case's latest transfer that was not rejected, cancelled or expired."""
    transfer = session.scalars(select(TransferRecord).where(TransferRecord.encounter_id == case_id,
                                                            TransferRecord.state.not_in(_NOT_TAKEN))
                               .order_by(TransferRecord.updated_at.desc()).limit(1)).first()
    if transfer is None:
        return None
    hospital = session.get(Hospital, transfer.destination_hospital_id)
    return Destination(hospital.name if hospital else transfer.destination_hospital_id, transfer.unit)
