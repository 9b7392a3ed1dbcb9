"""Local data that left the device's scope goes (closed long ago, fully synced, not this crew's case); anything
still waiting for the server, still open, recent, or this device's own case stays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from emsync_desktop.domain.ids import new_id
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.store.models import BookingRecord, TimelineStamp, TransferRecord
from emsync_desktop.sync.prune import prune_out_of_scope

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=3)


def add_transfer(context: AppContext, *, state: str = "COMPLETED", at: datetime = LONG_AGO,
                 booking_sync: str = "synced", encounter_id: str | None = None) -> str:
    transfer_id, case = new_id(), encounter_id or new_id()
    with context.store.sessions.begin() as session:
        session.add(TransferRecord(id=transfer_id, encounter_id=case, requested_by="u", destination_hospital_id="h",
                                   unit="ICU", state=state, version=3, eta_s=None, severity=None, summary="",
                                   history="[]", updated_at=at, sync_state="synced", sync_reason=None))
        session.add(BookingRecord(id=new_id(), transfer_id=transfer_id, hospital_id="h", unit="ICU", bed_id=None,
                                  state="OCCUPIED", version=2, hold_expires_at=None, updated_at=at,
                                  sync_state=booking_sync, sync_reason=None))
        session.add(TimelineStamp(id=new_id(), encounter_id=case, step="arrived", at=at, recorded_at=at,
                                  recorded_by="u", recorded_by_name="U", replaces=None, edited_from=None,
                                  sync_state="synced", sync_reason=None))
    return transfer_id


def transfers_left(context: AppContext) -> set[str]:
    with context.store.sessions.begin() as session:
        return set(session.scalars(select(TransferRecord.id)))


def test_a_case_closed_long_ago_goes_with_its_booking_and_record(app_context: AppContext) -> None:
    gone = add_transfer(app_context)
    pruned = prune_out_of_scope(app_context.store, NOW)
    with app_context.store.sessions.begin() as session:
        leftovers = session.scalars(select(BookingRecord)).all() + session.scalars(select(TimelineStamp)).all()
    assert pruned.transfers == 1 and gone not in transfers_left(app_context) and leftovers == []


def test_open_recent_unsynced_and_own_cases_stay(app_context: AppContext, cases: CaseService) -> None:
    own_case = cases.open_case().id
    kept = {add_transfer(app_context, state="EN_ROUTE"), add_transfer(app_context, at=NOW - timedelta(hours=2)),
            add_transfer(app_context, booking_sync="pending"), add_transfer(app_context, encounter_id=own_case)}
    assert prune_out_of_scope(app_context.store, NOW).transfers == 0 and transfers_left(app_context) >= kept


def test_ward_tasks_closed_long_ago_go_and_open_or_waiting_ones_stay(app_context: AppContext) -> None:
    from emsync_desktop.store.models_tasks import WardTaskRecord

    def task(state: str, made: datetime, sync_state: str = "synced") -> str:
        task_id = new_id()
        with app_context.store.sessions.begin() as session:
            session.add(WardTaskRecord(id=task_id, hospital_id=new_id(), state=state, priority="routine", due_at=None,
                                       created_at=made, data="{}", version=1, sync_state=sync_state,
                                       sync_reason=None))
        return task_id

    old_done, old_open = task("completed", LONG_AGO), task("requested", LONG_AGO)
    old_unsent, recent_done = task("cancelled", LONG_AGO, "pending"), task("completed", NOW - timedelta(hours=1))
    prune_out_of_scope(app_context.store, NOW)
    with app_context.store.sessions.begin() as session:
        kept = set(session.scalars(select(WardTaskRecord.id)))
    assert kept == {old_open, old_unsent, recent_done} and old_done not in kept
