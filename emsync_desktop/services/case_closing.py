"""Ending a case: close it with a disposition, discard one opened by mistake, or reopen it.

Transactions: one per call. Threading: DbRunner thread. Nothing is deleted: a closed or discarded case
keeps every row, with who ended it and when (``closed_by``, ``closed_at``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.disposition import CaseStatus, Disposition, close_refusal, discard_refusal
from emsync_desktop.domain.lifecycle import TRANSFER_TRANSITIONS, TransferState
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.case_views import CaseSnapshot, snapshot_of
from emsync_desktop.services.cases import CaseNotFound
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.transfers import active_transfer_of, append_transition
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import Encounter, Hospital, TransferRecord
from emsync_desktop.store.repositories import get_encounter


class CaseNotEnded(ValueError):
    """The case cannot end as asked; the message says why and what to do."""


class CaseClosing:
    def __init__(self, store: Store, user: UserInfo, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._user = user
        self._clock = clock

    def close(self, case_id: str, disposition: Disposition) -> CaseSnapshot:
        """Close the case. Handed over with a transfer the ward accepted (or the crew is driving): that
        transfer is marked arrived in the same transaction (the server makes the held bed occupied), so
        the ward, the desk and the crew's own Hospital tab no longer show it on its way. A transfer the
        ward has not accepted yet stays as it is, for the ward to accept and mark arrived."""
        with self._store.sessions.begin() as session:
            row = _load(session, case_id)
            refusal = close_refusal(disposition, _active_words(session, case_id))
            if refusal:
                raise CaseNotEnded(refusal)
            transfer = active_transfer_of(session, case_id)
            if disposition is Disposition.HANDED_OVER and transfer is not None and \
                    TransferState.ARRIVED in TRANSFER_TRANSITIONS[TransferState(transfer.state)]:
                append_transition(session, transfer, TransferState.ARRIVED, "handed over (case closed by the crew)",
                                  self._user, self._clock())
            return self._end(row, CaseStatus.CLOSED, disposition.value)

    def discard(self, case_id: str) -> CaseSnapshot:
        with self._store.sessions.begin() as session:
            row = _load(session, case_id)
            ever_sent = session.scalar(select(TransferRecord.id).where(TransferRecord.encounter_id == case_id)
                                       .limit(1)) is not None
            refusal = discard_refusal(ever_sent)
            if refusal:
                raise CaseNotEnded(refusal)
            return self._end(row, CaseStatus.DISCARDED, None)

    def reopen(self, case_id: str) -> CaseSnapshot:
        with self._store.sessions.begin() as session:
            row = _load(session, case_id)
            return self._end(row, CaseStatus.OPEN, None)

    def _end(self, row: Encounter, status: CaseStatus, disposition: str | None) -> CaseSnapshot:
        now = self._clock()
        row.status, row.disposition = status.value, disposition
        row.closed_by, row.closed_at = (None, None) if status is CaseStatus.OPEN else (self._user.id, now)
        row.updated_at = now
        return snapshot_of(row)


def _load(session: Session, case_id: str) -> Encounter:
    row = get_encounter(session, case_id)
    if row is None:
        raise CaseNotFound(f"case {case_id} does not exist on this device")
    return row


def _active_words(session: Session, case_id: str) -> str | None:
    active = active_transfer_of(session, case_id)
    if active is None:
        return None
    hospital = session.get(Hospital, active.destination_hospital_id)
    return f"{hospital.short_name if hospital else 'a hospital'} {active.unit} ({active.state})"
