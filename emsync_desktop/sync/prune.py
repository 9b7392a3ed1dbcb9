"""Local data that has left this device's scope is removed, so a ward PC or a desk stays light as the network's
history grows (DESIGN.md section 4: each role's scope is bounded in time). Older history stays on the server.

Removed: transfers closed more than ``RECENT_HOURS`` ago with their bookings, handoffs and case-record entries,
bed history and the network's hourly figures older than that, and ward tasks closed and made before then. Never
removed: anything with a change still waiting to go (an outbox op, a record not yet synced), the crew's own cases
(whose encounters are on this device), radiograph studies (their files are the nurse's), the outbox itself.

Threading: the DB thread; one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from emsync_desktop.domain.lifecycle import TransferState, is_terminal_transfer
from emsync_desktop.domain.ward_tasks import OPEN_STATES, TaskState
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import (
    AmbulancePosition,
    BedEvent,
    BookingRecord,
    CapacityHourRecord,
    Encounter,
    HandoffRecord,
    HistoryEntry,
    MedicationEntry,
    MessageDraft,
    MessageMark,
    OutboxOp,
    ProcedureEntry,
    TimelineStamp,
    TransferMessage,
    TransferRecord,
)
from emsync_desktop.store.models_tasks import WardTaskRecord
from emsync_desktop.sync.protocol import RECENT_HOURS

CLOSED_STATES = tuple(state.value for state in TransferState if is_terminal_transfer(state))
_RECORD_ENTRIES = (TimelineStamp, MedicationEntry, ProcedureEntry, HistoryEntry)
_CLOSED_TASKS = tuple(state.value for state in TaskState if state not in OPEN_STATES)


@dataclass(frozen=True)
class Pruned:
    transfers: int
    bed_events: int


def prune_out_of_scope(store: Store, now: datetime, keep: timedelta = timedelta(hours=RECENT_HOURS)) -> Pruned:
    cutoff = now - keep
    with store.sessions.begin() as session:
        transfers = _prunable_transfers(session, cutoff)
        _delete_transfers(session, transfers)
        events = session.execute(delete(BedEvent).where(BedEvent.at < cutoff)).rowcount  # type: ignore[attr-defined]
        session.execute(delete(CapacityHourRecord).where(CapacityHourRecord.hour < cutoff))
        session.execute(delete(WardTaskRecord).where(WardTaskRecord.state.in_(_CLOSED_TASKS),
                                                     WardTaskRecord.created_at < cutoff,
                                                     WardTaskRecord.sync_state == "synced"))
        return Pruned(len(transfers), int(events or 0))


def _prunable_transfers(session: Session, cutoff: datetime) -> dict[str, str]:
    """Transfer id -> encounter id: closed before ``cutoff``, every part synced, not a case of this device."""
    waiting = set(session.scalars(select(OutboxOp.entity_id).where(OutboxOp.state == "pending")))
    own_cases = select(Encounter.id)
    candidates = {transfer: case for transfer, case in session.execute(
        select(TransferRecord.id, TransferRecord.encounter_id).where(
            TransferRecord.state.in_(CLOSED_STATES), TransferRecord.updated_at < cutoff,
            TransferRecord.sync_state == "synced", TransferRecord.encounter_id.not_in(own_cases)))}
    unsynced_parts: set[str] = set()
    ids = list(candidates)
    for start in range(0, len(ids), 500):
        for table in (BookingRecord, HandoffRecord, TransferMessage):
            unsynced_parts |= set(session.scalars(select(table.transfer_id).where(
                table.transfer_id.in_(ids[start:start + 500]), table.sync_state != "synced")))
    return {t: e for t, e in candidates.items() if t not in waiting and t not in unsynced_parts}


def _delete_transfers(session: Session, transfers: dict[str, str]) -> None:
    ids = list(transfers)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        session.execute(delete(BookingRecord).where(BookingRecord.transfer_id.in_(chunk)))
        session.execute(delete(HandoffRecord).where(HandoffRecord.transfer_id.in_(chunk)))
        session.execute(delete(AmbulancePosition).where(AmbulancePosition.id.in_(chunk)))
        session.execute(delete(MessageMark).where(MessageMark.message_id.in_(
            select(TransferMessage.id).where(TransferMessage.transfer_id.in_(chunk)))))
        session.execute(delete(TransferMessage).where(TransferMessage.transfer_id.in_(chunk)))
        session.execute(delete(MessageDraft).where(MessageDraft.transfer_id.in_(chunk)))
        session.execute(delete(TransferRecord).where(TransferRecord.id.in_(chunk)))
    cases = list(set(transfers.values()))
    kept: set[str] = set()  # cases with another transfer still here
    for start in range(0, len(cases), 500):
        kept |= set(session.scalars(select(TransferRecord.encounter_id).where(
            TransferRecord.encounter_id.in_(cases[start:start + 500]))))
    cases = [case for case in cases if case not in kept]
    for start in range(0, len(cases), 500):
        for entry in _RECORD_ENTRIES:
            session.execute(delete(entry).where(entry.encounter_id.in_(cases[start:start + 500]),
                                                entry.sync_state == "synced"))
