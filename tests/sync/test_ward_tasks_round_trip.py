"""Ward tasks through the server and back (issue 26): two nurses' PCs of one ward against the real server app, on
SQLite and PostgreSQL. A task made on one reaches the other; both claim it while offline and the server gives it to
the first, the second told who has it; a bed set to Cleaning on the bed board comes back with its cleaning task."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from emsync_desktop.domain.beds import BedStatus
from emsync_desktop.domain.roles import Role
from emsync_desktop.domain.ward_tasks import Priority, TaskKind, TaskState
from emsync_desktop.services.bed_board import BedBoardService
from emsync_desktop.services.ward_tasks import NewTask, TaskInputProblem, WardTaskService
from emsync_desktop.sync.local import store_changes
from emsync_desktop.sync.protocol import FEED_VERSION, Change
from tests.sync.test_blood_round_trip import Device, device
from tests.sync_server.conftest import Server, db_url, server

__all__ = ["db_url", "server"]  # the server fixtures, on both databases


def pull(node: Device, server: Server) -> None:
    """Everything of this nurse's scope (the ward's beds and tasks), in pages."""
    since, more = 0, True
    while more:
        page = server.client.get("/sync/pull", params={"since": since, "feed": FEED_VERSION, "limit": 1000},
                                 headers={"Authorization": f"Bearer {server.token(node.user.username)}"}).json()
        store_changes(node.store, [Change.model_validate(c) for c in page["changes"]], page["cursor"])
        since, more = page["cursor"], page["more"]


@pytest.fixture
def maria(tmp_path: Path) -> Iterator[Device]:
    yield from device(tmp_path, "maria", Role.NURSE)


@pytest.fixture
def leela(tmp_path: Path) -> Iterator[Device]:
    yield from device(tmp_path, "leela", Role.NURSE)


def test_two_nurses_claiming_offline_the_server_gives_the_task_to_the_first(
        server: Server, maria: Device, leela: Device) -> None:
    task_id = WardTaskService(maria.store, maria.user).create(
        NewTask("Check drip, bed 3", "ICU", Priority.URGENT, timedelta(minutes=30)))
    assert [r["status"] for r in maria.push(server)] == ["applied"]
    pull(maria, server)
    pull(leela, server)
    WardTaskService(maria.store, maria.user).move(task_id, TaskState.ACCEPTED)
    WardTaskService(leela.store, leela.user).move(task_id, TaskState.ACCEPTED)
    assert [r["status"] for r in maria.push(server) + leela.push(server)] == ["applied", "conflict"]
    pull(leela, server)
    [task] = WardTaskService(leela.store, leela.user).board().tasks
    assert (task.state, task.claimed_by_name, task.sync_state) == (TaskState.ACCEPTED, "maria", "synced")
    with pytest.raises(TaskInputProblem, match="Already claimed by maria"):
        WardTaskService(leela.store, leela.user).move(task_id, TaskState.ACCEPTED)


def test_a_bed_set_to_cleaning_comes_back_with_its_task_and_done_frees_it(
        server: Server, maria: Device, leela: Device) -> None:
    pull(maria, server)
    beds = BedBoardService(maria.store, maria.user)
    bed_id = next(b.id for b in beds.board().beds if b.status is BedStatus.AVAILABLE)
    beds.set_status(bed_id, BedStatus.CLEANING)
    maria.push(server)
    pull(leela, server)
    tasks = WardTaskService(leela.store, leela.user)
    [cleaning] = [t for t in tasks.board().tasks if t.kind is TaskKind.CLEANING]
    tasks.move(cleaning.id, TaskState.ACCEPTED)
    leela.push(server)
    pull(leela, server)
    tasks.move(cleaning.id, TaskState.COMPLETED)
    leela.push(server)
    pull(maria, server)
    assert next(b for b in beds.board().beds if b.id == bed_id).status is BedStatus.AVAILABLE
    assert WardTaskService(maria.store, maria.user).board().tasks[0].state is TaskState.COMPLETED
