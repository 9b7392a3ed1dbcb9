"""Triage a case: run the models on its current inputs and store the result with it.

Threading: call on the DbRunner thread (inference takes well under a millisecond once the
models are loaded; ``TriageModels.warm_up`` loads them on their own thread at sign-in).
Transactions: one per call. A refused input or an unusable model stores nothing and says why;
NEWS2 in the snapshot is unaffected.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from emsync_desktop.domain.triage import input_fingerprint, prediction_to_dict
from emsync_desktop.ml.registry import ModelUnavailable
from emsync_desktop.ml.triage import NotEnoughData, TriageModels, TriageRefused
from emsync_desktop.services.case_views import CaseSnapshot, snapshot_of
from emsync_desktop.services.cases import CaseNotFound
from emsync_desktop.services.clock import utc_now
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import TriageRecord
from emsync_desktop.store.repositories import get_encounter

NO_OBSERVATIONS = "Triage runs once the first observation is recorded."


@dataclass(frozen=True)
class TriageOutcome:
    """The case after triage. ``message`` says why there is no current prediction, if there is none."""

    snapshot: CaseSnapshot
    message: str | None = None


class TriageService:
    def __init__(self, store: Store, models: TriageModels, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._models = models
        self._clock = clock

    def refresh(self, case_id: str) -> TriageOutcome:
        """Bring the case's stored triage up to date with its inputs (no-op when it already is)."""
        with self._store.sessions.begin() as session:
            row = get_encounter(session, case_id)
            if row is None:
                raise CaseNotFound(f"case {case_id} does not exist on this device")
            snapshot = snapshot_of(row)
            if all(e.vitals.is_empty() for e in snapshot.vitals):
                return TriageOutcome(snapshot, NO_OBSERVATIONS)
            try:
                stored = snapshot.triage
                if snapshot.triage_current and stored and stored.model_version == self._models.version:
                    return TriageOutcome(snapshot)
                prediction = self._models.predict(snapshot.triage_input)
            except TriageRefused as refused:
                return TriageOutcome(snapshot, f"Triage not run: {refused}")
            except NotEnoughData as abstained:  # the stored result is of other inputs: not current, not sent
                return TriageOutcome(snapshot, str(abstained))
            except ModelUnavailable as unavailable:
                return TriageOutcome(snapshot, f"Triage model unavailable. {unavailable} NEWS2 is still valid.")
            record = row.triage or TriageRecord(encounter_id=row.id)
            record.computed_at = self._clock()
            record.input_hash = input_fingerprint(snapshot.triage_input)
            record.model_version = prediction.model_version
            record.severity = prediction.severity.value
            record.suggested_unit = prediction.suggested_unit
            record.result = json.dumps(prediction_to_dict(prediction))
            record.news2_total = snapshot.news2.total if snapshot.news2 else None  # of the last complete set
            record.shock_index = snapshot.shock.value if snapshot.shock else None
            row.triage = record
            session.flush()
            return TriageOutcome(snapshot_of(row))
