from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from emsync_desktop.domain.beds import BedChangeRefused, BedStatus
from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bed_board import BedBoardService
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.store.models import Bed, OutboxOp
from emsync_desktop.sync.outbox import record_results
from emsync_desktop.sync.protocol import OpResult


@pytest.fixture
def board(app_context: AppContext) -> BedBoardService:
    nurse: UserInfo = next(u for u in demo_users(app_context.store) if u.role is Role.NURSE)
    return BedBoardService(app_context.store, nurse)


def bed_with(board: BedBoardService, status: BedStatus) -> str:
    return next(b.id for b in board.board().beds if b.status is status)


def test_board_lists_every_bed_of_the_nurses_hospital_by_unit(board: BedBoardService) -> None:
    view = board.board()
    assert view.hospital.startswith("Lourdes") and len(view.beds) > 20
    assert view.units() == sorted(view.units())


def test_change_is_saved_and_queued_with_the_version_it_was_based_on(board: BedBoardService,
                                                                      app_context: AppContext) -> None:
    bed_id = bed_with(board, BedStatus.OCCUPIED)
    view = board.set_status(bed_id, BedStatus.CLEANING)
    changed = next(b for b in view.beds if b.id == bed_id)
    assert changed.status is BedStatus.CLEANING and changed.waiting
    with app_context.store.sessions.begin() as session:
        op = session.scalars(select(OutboxOp).where(OutboxOp.entity_id == bed_id)).one()
        version = session.get(Bed, bed_id).version  # type: ignore[union-attr]
    assert (op.kind, json.loads(op.payload), op.base_version) == ("bed.set_status", {"status": "cleaning"}, version)


def test_refused_change_writes_nothing(board: BedBoardService, app_context: AppContext) -> None:
    bed_id = bed_with(board, BedStatus.AVAILABLE)
    with pytest.raises(BedChangeRefused):
        board.set_status(bed_id, BedStatus.RESERVED)
    with app_context.store.sessions.begin() as session:
        assert session.scalars(select(OutboxOp)).all() == []
        assert session.get(Bed, bed_id).status == "available"  # type: ignore[union-attr]


def test_server_refusal_shows_on_the_bed_with_its_reason(board: BedBoardService, app_context: AppContext) -> None:
    bed_id = bed_with(board, BedStatus.OCCUPIED)
    board.set_status(bed_id, BedStatus.ISOLATION)
    with app_context.store.sessions.begin() as session:
        op = session.scalars(select(OutboxOp)).one()
        record_results(session, [OpResult(op_id=op.op_id, status="conflict",
                                          reason="The bed changed meanwhile; its current state is shown.")],
                       datetime.now(UTC))
    shown = next(b for b in board.board().beds if b.id == bed_id)
    assert not shown.waiting and shown.problem == "The bed changed meanwhile; its current state is shown."
