"""The open case's record (timeline, drugs, procedures, SAMPLE history), as the paramedic screens see it.

Every entry goes to ``RecordService`` on the DB thread (through ``TaskRelay``); the answer comes back as
signals on the GUI thread. The model follows the case the ``CaseEditorModel`` has open.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Signal

from emsync_desktop.domain.history import SampleHistory
from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.case_record import RecordResult, RecordService
from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.services.formulary_store import FormularyInfo
from emsync_desktop.services.record_views import HistoryView, MedicationView, ProcedureView, StampView
from emsync_desktop.ui.paramedic.case_model import CaseEditorModel
from emsync_desktop.ui.tasks import TaskRelay


@dataclass(frozen=True)
class CaseRecord:
    """All of one case's record the screens show."""

    case_id: str
    timeline: tuple[StampView, ...]
    medications: tuple[MedicationView, ...]
    procedures: tuple[ProcedureView, ...]
    history: HistoryView | None
    formulary: FormularyInfo


def read_record(service: RecordService, case_id: str) -> CaseRecord:
    """DB thread: the whole record of ``case_id``."""
    return CaseRecord(case_id, tuple(service.timeline(case_id)), tuple(service.medications(case_id)),
                      tuple(service.procedures(case_id)), service.history(case_id), service.formulary())


class RecordModel(QObject):
    record_changed = Signal(object)  # CaseRecord
    entry_answered = Signal(str, object, object)  # kind ("stamp", "drug", "procedure", "history"), error, warnings

    def __init__(self, relay: TaskRelay, service: RecordService, cases: CaseEditorModel) -> None:
        super().__init__()
        self._relay = relay
        self._service = service
        self.cases = cases
        self.record: CaseRecord | None = None
        cases.snapshot_changed.connect(self._on_case)

    @property
    def case_id(self) -> str | None:
        return self.cases.snapshot.id if self.cases.snapshot is not None else None

    def refresh(self) -> None:
        if self.case_id is not None:
            self._relay.submit(read_record, self._service, self.case_id, on_result=self._on_read,
                               on_error=self._on_error, owner=self)

    def stamp(self, step: TimelineStep, at: datetime | None = None) -> None:
        self._write("stamp", self._service.stamp_step, step, at)

    def edit_stamp(self, step: TimelineStep, at: datetime) -> None:
        self._write("stamp", self._service.edit_stamp, step, at)

    def give_drug(self, *, drug: str, dose: float, unit: str, route: str, given_at: datetime | None,
                  done: Callable[[RecordResult[MedicationView]], None] | None = None) -> None:
        self._write("drug", lambda case_id: self._service.record_medication(
            case_id, drug=drug, dose=dose, unit=unit, route=route, given_at=given_at), done=done)

    def do_procedure(self, procedure: Procedure, done_at: datetime | None, values: Mapping[Extra, object],
                     done: Callable[[RecordResult[ProcedureView]], None] | None = None) -> None:
        self._write("procedure", self._service.record_procedure, procedure, done_at, dict(values), done=done)

    def save_history(self, history: SampleHistory, case_id: str) -> None:
        self._write("history", self._service.record_history, history, case_id=case_id)

    def _write(self, kind: str, fn: Callable[..., RecordResult[Any]], *args: object,
               done: Callable[[Any], None] | None = None, case_id: str | None = None) -> None:
        case_id = case_id or self.case_id
        if case_id is None:
            return

        def answered(result: RecordResult[Any]) -> None:
            self.entry_answered.emit(kind, result.error, result.warnings)
            if done is not None:
                done(result)
            if result.ok:
                self.refresh()
                self.cases.reload_snapshot()  # the SBAR draft and the scores read the record too

        def failed(error: BaseException) -> None:  # the dialog that waits is told, and can be tried again
            answered(RecordResult(None, f"Not saved: {error}. Nothing was recorded; try again."))

        self._relay.submit(fn, case_id, *args, on_result=answered, on_error=failed, owner=self)

    def _on_case(self, snapshot: CaseSnapshot | None) -> None:
        if snapshot is None:
            self.record = None
        elif self.record is None or self.record.case_id != snapshot.id:
            self.refresh()

    def _on_read(self, record: CaseRecord) -> None:
        if record.case_id == self.case_id:
            self.record = record
            self.record_changed.emit(record)

    def _on_error(self, error: BaseException) -> None:
        self.entry_answered.emit("error", f"Not saved: {error}. Try again.", ())
