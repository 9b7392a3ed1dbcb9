"""The open case, as the paramedic workspace sees it.

Every edit goes to ``CaseService`` on the DB thread (through ``TaskRelay``); the
answer comes back as signals on the GUI thread. Widgets take this model in their
constructor and listen to its signals; they never touch the store.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from emsync_desktop.domain.ids import new_id
from emsync_desktop.services.case_views import CaseSnapshot, CaseSummary
from emsync_desktop.services.cases import CaseService, SaveResult
from emsync_desktop.services.clock import utc_now
from emsync_desktop.ui.tasks import TaskRelay

if TYPE_CHECKING:  # at run time it arrives with the paramedic workspace: numpy/onnxruntime stay off start-up
    from emsync_desktop.services.triage import TriageOutcome, TriageService

CONTINUE_SET_WITHIN = timedelta(minutes=10)


class CaseEditorModel(QObject):
    snapshot_changed = Signal(object)  # CaseSnapshot | None
    field_result = Signal(str, object, object)  # field, error, warning
    vitals_set_changed = Signal(object, object)  # (set id, VitalsEntry | None)
    cases_listed = Signal(object)  # list[CaseSummary]
    saved = Signal(str)  # field name, once committed to disk
    failed = Signal(str)  # message for the status bar
    flush_requested = Signal()  # save typed-but-uncommitted fields now (before sending the case)
    triage_message = Signal(str)  # why there is no current model triage ("" when there is one)

    def __init__(self, relay: TaskRelay, service: CaseService, triage: TriageService | None = None) -> None:
        super().__init__()
        self._relay = relay
        self._service = service
        self._triage = triage
        self.snapshot: CaseSnapshot | None = None
        self.vitals_set_id: str = new_id()
        self._query = ""

    def open_new(self) -> None:
        self._relay.submit(self._service.open_case, on_result=self._on_opened, on_error=self._on_error, owner=self)

    def show_ended(self, snapshot: CaseSnapshot) -> None:
        """A case was closed, discarded or reopened (CaseClosing): a discarded one leaves the screen; the
        list is redrawn either way (closed cases leave the active list)."""
        self.snapshot = None if snapshot.status == "discarded" else snapshot
        self.snapshot_changed.emit(self.snapshot)
        self.list_cases()

    def load(self, case_id: str) -> None:
        self._relay.submit(self._service.load, case_id, on_result=self._on_opened, on_error=self._on_error,
                           owner=self)

    def reload_snapshot(self) -> None:
        """Read the open case again (its record changed: the SBAR draft shows it), keeping the vitals set."""
        if self.snapshot is None:
            return
        case_id = self.snapshot.id

        def reloaded(snapshot: CaseSnapshot) -> None:
            if self.snapshot is not None and self.snapshot.id == case_id:
                self.snapshot = snapshot
                self.snapshot_changed.emit(snapshot)

        self._relay.submit(self._service.load, case_id, on_result=reloaded, on_error=self._on_error, owner=self)

    def save_detail(self, field: str, text: str) -> None:
        if self.snapshot is None:
            return
        self._relay.submit(self._service.set_detail, self.snapshot.id, field, text,
                           on_result=lambda r: self._on_saved(field, r), on_error=self._on_error, owner=self)

    def save_vital(self, field: str, text: str) -> None:
        if self.snapshot is None:
            return
        self._relay.submit(self._service.set_vital, self.snapshot.id, self.vitals_set_id, field, text,
                           on_result=lambda r: self._on_saved(field, r), on_error=self._on_error, owner=self)

    def carry_forward(self, fields: list[str]) -> None:
        """Copy ``fields`` from the set before into the current set, marked as carried."""
        if self.snapshot is None:
            return
        self._relay.submit(self._service.carry_forward, self.snapshot.id, self.vitals_set_id, fields,
                           on_result=self._on_carried, on_error=self._on_error, owner=self)

    def _on_carried(self, result: SaveResult) -> None:
        self._on_saved("carry", result)
        entry = self.current_set()
        if result.ok and entry is not None and result.vitals_id == self.vitals_set_id:
            self.vitals_set_changed.emit(self.vitals_set_id, entry)  # the fields show what was carried

    def start_new_set(self) -> None:
        self.vitals_set_id = new_id()
        self.vitals_set_changed.emit(self.vitals_set_id, None)

    def list_cases(self, query: str | None = None) -> None:
        if query is not None:
            self._query = query
        self._relay.submit(self._service.search, self._query, on_result=self._on_listed,
                           on_error=self._on_error, owner=self)

    def current_set(self) -> object | None:
        if self.snapshot is None:
            return None
        return next((v for v in self.snapshot.vitals if v.id == self.vitals_set_id), None)

    def _on_opened(self, snapshot: CaseSnapshot) -> None:
        self.snapshot = snapshot
        recent = snapshot.vitals[-1] if snapshot.vitals else None
        if recent is not None and utc_now() - recent.vitals.taken_at < CONTINUE_SET_WITHIN:
            self.vitals_set_id = recent.id
        else:
            self.vitals_set_id = new_id()
            recent = None
        self.snapshot_changed.emit(snapshot)
        self.vitals_set_changed.emit(self.vitals_set_id, recent)
        self.list_cases()
        self._request_triage()

    def _on_saved(self, field: str, result: SaveResult) -> None:
        if result.snapshot.id != (self.snapshot.id if self.snapshot else None):
            return  # the user moved to another case meanwhile; that case's view is current
        self.field_result.emit(field, result.error, result.warning)
        self.snapshot = result.snapshot
        self.snapshot_changed.emit(result.snapshot)
        if result.ok:
            self.saved.emit(field)
            self.list_cases()
            self._request_triage()

    def _request_triage(self) -> None:
        """Bring the model triage up to date (DB thread; a no-op when the inputs did not change)."""
        if self._triage is None or self.snapshot is None:
            return
        self._relay.submit(self._triage.refresh, self.snapshot.id, on_result=self._on_triaged,
                           on_error=self._on_error, owner=self)

    def _on_triaged(self, outcome: TriageOutcome) -> None:
        if self.snapshot is None or outcome.snapshot.id != self.snapshot.id:
            return
        self.triage_message.emit(outcome.message or "")
        if outcome.snapshot.updated_at >= self.snapshot.updated_at:
            self.snapshot = outcome.snapshot
            self.snapshot_changed.emit(outcome.snapshot)

    def _on_listed(self, cases: list[CaseSummary]) -> None:
        self.cases_listed.emit(cases)

    def _on_error(self, error: BaseException) -> None:
        self.failed.emit(f"Could not save: {error}. Your typing is still on screen; try again.")
