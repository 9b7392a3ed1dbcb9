"""The case record: stamp the timeline, edit a stamp, record a drug given and a procedure done.

Transactions: every public method is one transaction that writes the entry AND its outbox op
(``record.timeline``, ``record.medication``, ``record.procedure``), or nothing: a refused entry
returns the reason in ``RecordResult.error`` (the domain's message) and writes nothing.
Entries are append-only: an edited stamp is a new row that replaces the old one and keeps its time.
Dose checks warn, never block: the warnings are returned and stored with the entry.
A 12-lead ECG's file is read and checked before the transaction and kept in the blob store by its hash
inside it, before the entry is written: an entry never names a file the device does not have, and a
refused file writes nothing. The file goes up after the entry is accepted (``sync.blobs``).
Threading: call on the DbRunner thread only (see ``runner.py``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from emsync_desktop.domain.dose_check import check_dose
from emsync_desktop.domain.formulary import Drug, find_drug
from emsync_desktop.domain.history import SampleHistory, history_gaps
from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.lifecycle import IllegalTransition, TransferState
from emsync_desktop.domain.local_time import clock as clock_text
from emsync_desktop.domain.procedures import Extra, Procedure, check_procedure
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.timeline import TimelineStep, check_entry_time, check_stamp, transfer_state_for
from emsync_desktop.services.cases import CaseNotFound
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.ecg_files import EcgFile, EcgFileRefused, keep_ecg_file, read_ecg_file
from emsync_desktop.services.formulary_store import FormularyInfo, current_formulary_in
from emsync_desktop.services.history_input import clean_history
from emsync_desktop.services.record_views import (
    HistoryView,
    MedicationView,
    ProcedureView,
    StampView,
    current_history,
    current_stamps,
    history_data,
    history_view,
    medication_view,
    medications_of,
    procedure_view,
    procedures_of,
    stamp_view,
    timeline_of,
)
from emsync_desktop.services.transfers import active_transfer_of, append_transition
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import Encounter, HistoryEntry, MedicationEntry, ProcedureEntry, TimelineStamp
from emsync_desktop.sync.blobs import TO_SEND
from emsync_desktop.sync.outbox import PENDING, enqueue
from emsync_desktop.sync.protocol import (
    DoseWarningWire,
    OpKind,
    ProcedureExtras,
    RecordHistoryPayload,
    RecordMedicationPayload,
    RecordProcedurePayload,
    RecordTimelinePayload,
)

MAX_DRUG_CHARS, MAX_UNIT_CHARS, MAX_ROUTE_CHARS, MAX_FILE_CHARS = 128, 16, 32, 256


@dataclass(frozen=True)
class RecordResult[E]:
    """``entry`` the row written (or, for an unchanged edit, the current one); ``error`` set: nothing was
    written. ``warnings``: kept with the entry, shown to look again (never a refusal)."""

    entry: E | None
    error: str | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.error is None


class RecordService:
    def __init__(self, store: Store, user: UserInfo, clock: Callable[[], datetime] = utc_now,
                 formulary: Sequence[Drug] | None = None, blob_dir: Path | None = None) -> None:
        """``blob_dir``: where the device keeps files by content hash (``<data dir>/blobs``, as the sync
        engine sends them); None: no file can be attached (an ECG is recorded without one)."""
        self._store = store
        self._user = user
        self._clock = clock
        self._formulary = formulary  # None: the one in force on the device, read in each transaction
        self._blob_dir = blob_dir

    def stamp_step(self, case_id: str, step: TimelineStep, at: datetime | None = None) -> RecordResult[StampView]:
        """One tap: ``step`` happened at ``at`` (now if None). A step is stamped once; later, edit it."""
        now = self._clock()
        with self._store.sessions.begin() as session:
            _load(session, case_id)
            stamps = current_stamps(session, case_id)
            if step in stamps:
                return RecordResult(stamp_view(stamps[step]), f"{step.label} is stamped already at "
                                    f"{clock_text(stamps[step].at)}: edit that time instead.")
            result = self._write_stamp(session, case_id, step, at or now, stamps, None, now)
            if result.ok and transfer_state_for(step) is TransferState.ARRIVED:
                note = self._mark_arrived(session, case_id, now)
                return RecordResult(result.entry, None, (*result.warnings, *([note] if note else [])))
            return result

    def edit_stamp(self, case_id: str, step: TimelineStep, at: datetime) -> RecordResult[StampView]:
        """Correct a stamped time: a new stamp replaces the old, whose time is kept (audited)."""
        now = self._clock()
        with self._store.sessions.begin() as session:
            _load(session, case_id)
            stamps = current_stamps(session, case_id)
            current = stamps.get(step)
            if current is None:
                return RecordResult(None, f"{step.label} has no time yet: tap it to stamp it.")
            if current.at == at:
                return RecordResult(stamp_view(current))
            return self._write_stamp(session, case_id, step, at, stamps, current, now)

    def record_medication(self, case_id: str, *, drug: str, dose: float, unit: str, route: str,
                          given_at: datetime | None = None) -> RecordResult[MedicationView]:
        """A drug given. Refused: a blank or over-long text, a dose that is not a number, a time in the
        future or before the call. Anything else is recorded, with the dose check's warnings."""
        now = self._clock()
        given_at = given_at or now
        with self._store.sessions.begin() as session:
            encounter = _load(session, case_id)
            name = " ".join(drug.split())
            error = _medication_text_error(name, unit, route, dose)
            if error is None:
                known = find_drug(self._drugs(session), name)
                error = check_entry_time(f"{known.name if known else name} given", given_at,
                                         _call_received(session, case_id), now)
            if error is not None:
                return RecordResult(None, error)
            history = current_history(session, case_id)
            check = check_dose(self._drugs(session), drug=name, dose=dose, unit=unit, route=route,
                               age_years=encounter.age_years, weight=history.history.weight if history else None)
            warnings = [DoseWarningWire(kind=w.kind.value, message=w.message[:500]) for w in check.warnings]
            row = MedicationEntry(id=new_id(), encounter_id=case_id, drug=check.drug.name if check.drug else name,
                                  free_text=check.free_text, dose_value=float(dose), dose_unit=unit.strip(),
                                  route=route.strip(), given_at=given_at, given_by=self._user.id,
                                  given_by_name=self._user.display_name, recorded_at=now,
                                  warnings=json.dumps([w.model_dump() for w in warnings]), sync_state=PENDING)
            session.add(row)
            enqueue(session, user_id=self._user.id, kind=OpKind.RECORD_MEDICATION, entity_id=row.id, now=now,
                    payload=RecordMedicationPayload(
                        encounter_id=case_id, drug=row.drug, free_text=row.free_text, dose_value=row.dose_value,
                        dose_unit=row.dose_unit, route=row.route, given_at=given_at, warnings=warnings))
            session.flush()
            return RecordResult(medication_view(row), None, tuple(w.message for w in warnings))

    def record_procedure(self, case_id: str, procedure: Procedure, done_at: datetime | None = None,
                         values: Mapping[Extra, object] | None = None) -> RecordResult[ProcedureView]:
        """A procedure done, with the extra values it needs (energy, rate and current, time on, ECG file:
        the path of the file to attach, a ``Path`` or text). Refused with every problem found (one sentence
        each), the file's included; values it does not take are dropped."""
        now = self._clock()
        done_at = done_at or now
        wanted = {spec.extra for spec in procedure.extras}
        extras = {extra: value for extra, value in (values or {}).items() if extra in wanted and value is not None}
        file, file_problem = self._ecg_file(extras.pop(Extra.ECG_FILE, None))
        if file is not None:
            extras |= {Extra.ECG_FILE: file.name, Extra.ECG_SHA256: file.sha256, Extra.ECG_SIZE_BYTES: file.size_bytes}
        with self._store.sessions.begin() as session:
            _load(session, case_id)
            problems = check_procedure(procedure, extras, done_at, _call_received(session, case_id), now)
            if file_problem is not None:
                problems.append(file_problem)
            if problems:
                return RecordResult(None, " ".join(problems))
            if file is not None:
                assert self._blob_dir is not None
                keep_ecg_file(self._blob_dir, file)  # an OSError here rolls the entry back
            wire = ProcedureExtras.model_validate({extra.value: value for extra, value in extras.items()})
            row = ProcedureEntry(id=new_id(), encounter_id=case_id, procedure=procedure.value, done_at=done_at,
                                 done_by=self._user.id, done_by_name=self._user.display_name, recorded_at=now,
                                 extras=wire.model_dump_json(exclude_none=True), sync_state=PENDING,
                                 ecg_sha256=file.sha256 if file else None,
                                 ecg_size_bytes=file.size_bytes if file else None, blob_state=TO_SEND if file else None)
            session.add(row)
            enqueue(session, user_id=self._user.id, kind=OpKind.RECORD_PROCEDURE, entity_id=row.id, now=now,
                    payload=RecordProcedurePayload(encounter_id=case_id, procedure=procedure, done_at=done_at,
                                                   extras=wire))
            session.flush()
            return RecordResult(procedure_view(row))

    def _ecg_file(self, chosen: object) -> tuple[EcgFile | None, str | None]:
        """The ECG file chosen (a path), read and checked, or why it cannot be attached."""
        if chosen is None or chosen == "":
            return None, None
        if not isinstance(chosen, str | Path) or "\x00" in str(chosen) or len(Path(chosen).name) > MAX_FILE_CHARS:
            return None, f"ECG file: choose the file with Choose file… (a name of at most {MAX_FILE_CHARS} characters)."
        if self._blob_dir is None:
            return None, "This device keeps no files with the record: clear the ECG file to record the ECG without it."
        try:
            return read_ecg_file(Path(chosen)), None
        except EcgFileRefused as refused:
            return None, str(refused)

    def record_history(self, case_id: str, history: SampleHistory) -> RecordResult[HistoryView]:
        """Save the SAMPLE history, whole, as a new entry (the newest is current; its weight feeds the dose
        checks). Refused: a list answer that contradicts itself, an intake time in the future, a text too
        long. ``warnings``: what is still unasked (allergies, medications, weight)."""
        now = self._clock()
        with self._store.sessions.begin() as session:
            _load(session, case_id)
            history, error = clean_history(history, now)
            if error is not None:
                return RecordResult(None, error)
            data = history_data(history)
            row = HistoryEntry(id=new_id(), encounter_id=case_id, data=json.dumps(data), recorded_by=self._user.id,
                               recorded_by_name=self._user.display_name, recorded_at=now, sync_state=PENDING)
            session.add(row)
            enqueue(session, user_id=self._user.id, kind=OpKind.RECORD_HISTORY, entity_id=row.id, now=now,
                    payload=RecordHistoryPayload.model_validate({"encounter_id": case_id, **data}))
            session.flush()
            return RecordResult(history_view(row), None, tuple(history_gaps(history)))

    def formulary(self) -> FormularyInfo:
        """The drugs the entry offers and the checks use, with where they come from."""
        with self._store.sessions.begin() as session:
            info = current_formulary_in(session)
        return info if self._formulary is None else FormularyInfo(tuple(self._formulary), info.source, info.reviewed)

    def history(self, case_id: str) -> HistoryView | None:
        with self._store.sessions.begin() as session:
            return current_history(session, case_id)

    def timeline(self, case_id: str) -> list[StampView]:
        with self._store.sessions.begin() as session:
            return timeline_of(session, case_id)

    def medications(self, case_id: str) -> list[MedicationView]:
        with self._store.sessions.begin() as session:
            return medications_of(session, case_id)

    def procedures(self, case_id: str) -> list[ProcedureView]:
        with self._store.sessions.begin() as session:
            return procedures_of(session, case_id)

    def _mark_arrived(self, session: Session, case_id: str, now: datetime) -> str | None:
        """'At destination' stamped: the case's transfer is marked arrived too (the server makes the held
        bed occupied). Returns why it was not, for the crew to read, or None."""
        transfer = active_transfer_of(session, case_id)
        if transfer is None:
            return None
        try:
            append_transition(session, transfer, TransferState.ARRIVED, "at destination (crew)", self._user, now)
        except IllegalTransition:
            return (f"The transfer is still {transfer.state.lower()}: the ward has not accepted it, so it was "
                    "not marked arrived. The ward marks it when they take the patient.")
        return None

    def _drugs(self, session: Session) -> Sequence[Drug]:
        return self._formulary if self._formulary is not None else current_formulary_in(session).drugs

    def _write_stamp(self, session: Session, case_id: str, step: TimelineStep, at: datetime,
                     stamps: Mapping[TimelineStep, TimelineStamp], replaced: TimelineStamp | None,
                     now: datetime) -> RecordResult[StampView]:
        check = check_stamp(step, at, {s: row.at for s, row in stamps.items()}, now)
        if check.error is not None:
            return RecordResult(stamp_view(replaced) if replaced else None, check.error)
        row = TimelineStamp(id=new_id(), encounter_id=case_id, step=step.value, at=at, recorded_by=self._user.id,
                            recorded_by_name=self._user.display_name, recorded_at=now,
                            replaces=replaced.id if replaced else None,
                            edited_from=replaced.at if replaced else None, sync_state=PENDING)
        session.add(row)
        enqueue(session, user_id=self._user.id, kind=OpKind.RECORD_TIMELINE, entity_id=row.id, now=now,
                payload=RecordTimelinePayload(encounter_id=case_id, step=step, at=at, replaces=row.replaces,
                                              edited_from=row.edited_from))
        session.flush()
        return RecordResult(stamp_view(row), None, (check.warning,) if check.warning else ())


def _load(session: Session, case_id: str) -> Encounter:
    row = session.get(Encounter, case_id)
    if row is None:
        raise CaseNotFound(f"case {case_id} does not exist on this device")
    return row


def _call_received(session: Session, case_id: str) -> datetime | None:
    stamp = current_stamps(session, case_id).get(TimelineStep.CALL_RECEIVED)
    return stamp.at if stamp else None


def _medication_text_error(name: str, unit: str, route: str, dose: float) -> str | None:
    if not name:
        return "Type the drug's name (a drug not in the list is recorded as free text)."
    if len(name) > MAX_DRUG_CHARS:
        return f"The drug's name is too long: keep it under {MAX_DRUG_CHARS} characters."
    if any("\x00" in text for text in (name, unit, route)):
        return "Remove the NUL character (\\x00) from the drug, unit or route: it cannot be sent."
    if len(unit.strip()) > MAX_UNIT_CHARS or len(route.strip()) > MAX_ROUTE_CHARS:
        return f"Unit and route are too long: at most {MAX_UNIT_CHARS} and {MAX_ROUTE_CHARS} characters."
    if isinstance(dose, bool) or not isinstance(dose, int | float) or not math.isfinite(dose) or dose < 0:
        return "The dose must be a number (0 or more): type the amount given."
    if dose > 1_000_000:
        return "The dose is too large to be an amount given: check the number and the unit."
    return None

