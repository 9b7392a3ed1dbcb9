"""A ward's tasks through the real server process (issue 26), on SQLite and PostgreSQL: the demo ward's tasks reach
a nurse's PC and the desk; a bed set to Cleaning on one PC comes back as a task, and done on a second PC of the ward
it frees the bed; a task claimed on both PCs offline goes to the first to sync, the second told so."""

from __future__ import annotations

from pathlib import Path

import pytest

from emsync_desktop.domain.beds import BedStatus
from emsync_desktop.domain.roles import Role
from emsync_desktop.domain.ward_tasks import TaskKind, TaskState
from emsync_desktop.services.bed_board import BedBoardService
from emsync_desktop.services.ward_tasks import WardTaskService
from emsync_desktop.store.models_tasks import WardTaskRecord
from emsync_desktop.sync.outbox import answered_problems
from tests.e2e.clients import make_client
from tests.e2e.server_process import ServerProcess


@pytest.mark.slow
def test_cleaning_and_claims_between_two_ward_pcs_and_the_desk(tmp_path: Path, server: ServerProcess) -> None:
    creds = server.credentials()
    first = make_client(tmp_path / "pc1", Role.NURSE, server.url, "maria", creds["maria"])
    second = make_client(tmp_path / "pc2", Role.NURSE, server.url, "maria", creds["maria"])
    desk = make_client(tmp_path / "desk", Role.COORDINATOR, server.url, "rahul", creds["rahul"])
    try:
        for client in (first, second, desk):
            client.engine.run_once()
        tasks_1, tasks_2 = (WardTaskService(c.context.store, c.user) for c in (first, second))
        assert any(t.priority.value == "stat" for t in tasks_1.board().escalated)  # the demo's, escalated
        with desk.context.store.sessions.begin() as session:
            assert session.query(WardTaskRecord).count() >= len(tasks_1.board().tasks)

        beds = BedBoardService(first.context.store, first.user)
        bed = next(b for b in beds.board().beds if b.status is BedStatus.AVAILABLE)
        beds.set_status(bed.id, BedStatus.CLEANING)
        first.engine.run_once()
        second.engine.run_once()
        [cleaning] = [t for t in tasks_2.board().tasks if t.kind is TaskKind.CLEANING and t.bed_id == bed.id]

        tasks_1.move(cleaning.id, TaskState.ACCEPTED)  # both PCs claim it offline; the first to sync wins
        tasks_2.move(cleaning.id, TaskState.ACCEPTED)
        first.engine.run_once()
        second.engine.run_once()
        second.engine.run_once()
        mine = next(t for t in tasks_2.board().tasks if t.id == cleaning.id)
        assert (mine.state, mine.claimed_by_name) == (TaskState.ACCEPTED, "Maria Joseph")
        with second.context.store.sessions.begin() as session:
            [refused] = answered_problems(session, second.user.id)
            assert (refused.kind, refused.reason) == ("task.move", "Already claimed by you.")
        tasks_1.move(cleaning.id, TaskState.COMPLETED)
        first.engine.run_once()
        first.engine.run_once()
        assert next(b for b in beds.board().beds if b.id == bed.id).status is BedStatus.AVAILABLE
    finally:
        for client in (first, second, desk):
            client.close()
