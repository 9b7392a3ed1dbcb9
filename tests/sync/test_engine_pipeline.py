"""The pipelined sync cycle: batches go up in order, once each; answers and pages land even when
the network fails part way; the cursor never passes a page that was not applied."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.store.models import Bed, OutboxOp
from emsync_desktop.sync import engine as engine_module
from emsync_desktop.sync.engine import SyncEngine
from emsync_desktop.sync.http import ServerUnreachable
from emsync_desktop.sync.local import read_cursor
from emsync_desktop.sync.protocol import AnsweredThrough, Change, Op, OpResult, PullResponse, PushResponse
from emsync_desktop.sync.servers import ServerList
from tests.sync.test_outbox_answers import send_case


@dataclass
class FakeHttp:
    """Answers every op 'applied'; fails the push or pull numbered in ``fail_push`` / ``fail_pull``."""

    pages: list[PullResponse] = field(default_factory=list)
    fail_push: int | None = None
    fail_pull: int | None = None
    pushed: list[list[int]] = field(default_factory=list)
    answered: list[int | None] = field(default_factory=list)  # each push's answered_through
    pulled_since: list[int] = field(default_factory=list)
    servers: ServerList = field(default_factory=lambda: ServerList("http://127.0.0.1:9"))

    def login(self, _username: str, _password: str) -> Any:
        return SimpleNamespace(access_token="token", refresh_token="refresh")

    def push(self, _token: str, ops: list[Op], answered: AnsweredThrough | None = None) -> PushResponse:
        if len(self.pushed) + 1 == self.fail_push:
            raise ServerUnreachable("network gone")
        self.pushed.append([op.device_seq for op in ops])
        self.answered.append(answered.device_seq if answered is not None else None)
        return PushResponse(results=[OpResult(op_id=op.op_id, status="applied", version=1) for op in ops], cursor=0)

    def pull(self, _token: str, since: int, limit: int, snapshot: bool = False) -> PullResponse:
        self.pulled_since.append(since)
        if len(self.pulled_since) == self.fail_pull:
            raise ServerUnreachable("network gone")
        return self.pages[len(self.pulled_since) - 1] if self.pages else PullResponse(changes=[], cursor=since,
                                                                                       more=False)

    def close(self) -> None:
        pass



def engine_for(app_context: AppContext, http: FakeHttp, runner: DbRunner) -> SyncEngine:
    return SyncEngine(app_context.store, http, app_context.install.device_id, ("asha", "-"),  # type: ignore[arg-type]
                      db_submit=runner.submit)


def outbox_states(app_context: AppContext) -> list[str]:
    with app_context.store.sessions.begin() as session:
        return list(session.scalars(select(OutboxOp.state).order_by(OutboxOp.device_seq)))


def queue_cases(app_context: AppContext, cases: CaseService, paramedic: object, count: int) -> None:
    for _ in range(count):
        send_case(app_context, cases, paramedic)  # three ops each


def test_every_pending_op_goes_up_once_in_order_across_batches(app_context: AppContext, cases: CaseService,
                                                               paramedic: object, runner: DbRunner,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "BATCH", 2)
    queue_cases(app_context, cases, paramedic, 3)
    http = FakeHttp()
    assert engine_for(app_context, http, runner).run_once()
    seqs = [seq for batch in http.pushed for seq in batch]
    assert [len(batch) for batch in http.pushed] == [2, 2, 2, 2, 1]
    assert seqs == sorted(set(seqs)) and len(seqs) == 9
    assert outbox_states(app_context) == ["applied"] * 9


def test_a_push_failing_part_way_keeps_the_answers_before_it(app_context: AppContext, cases: CaseService,
                                                            paramedic: object, runner: DbRunner,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "BATCH", 2)
    queue_cases(app_context, cases, paramedic, 3)
    assert not engine_for(app_context, FakeHttp(fail_push=3), runner).run_once()
    assert outbox_states(app_context) == ["applied"] * 4 + ["pending"] * 5
    http = FakeHttp()
    assert engine_for(app_context, http, runner).run_once()  # the network is back: the rest goes up
    assert http.pushed[0][0] == 5 and outbox_states(app_context) == ["applied"] * 9


def test_each_push_says_how_far_the_device_has_its_answers(app_context: AppContext, cases: CaseService,
                                                            paramedic: object, runner: DbRunner,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "BATCH", 2)
    queue_cases(app_context, cases, paramedic, 3)
    assert not engine_for(app_context, FakeHttp(fail_push=3), runner).run_once()  # ops 1-4 answered and stored
    http = FakeHttp()
    assert engine_for(app_context, http, runner).run_once()
    assert http.answered == [4, 4, 4]  # the cycle's mark: answers of its own pushes may not be stored yet


def bed_page(app_context: AppContext, seq: int, status: str, more: bool) -> PullResponse:
    with app_context.store.sessions.begin() as session:
        bed = session.scalars(select(Bed).order_by(Bed.id)).first()
        assert bed is not None
        data = {"id": bed.id, "hospital_id": bed.hospital_id, "unit": bed.unit, "label": bed.label, "status": status}
    change = Change(seq=seq, entity="bed", entity_id=data["id"], version=100 + seq, data=data)
    return PullResponse(changes=[change], cursor=seq, more=more)


def bed_status(app_context: AppContext) -> str:
    with app_context.store.sessions.begin() as session:
        bed = session.scalars(select(Bed).order_by(Bed.id)).first()
        assert bed is not None
        return bed.status


def test_pages_are_applied_in_order_with_their_cursor(app_context: AppContext, runner: DbRunner) -> None:
    pages = [bed_page(app_context, 10, "occupied", True), bed_page(app_context, 20, "cleaning", False)]
    http = FakeHttp(pages=pages)
    assert engine_for(app_context, http, runner).run_once()
    assert http.pulled_since == [0, 10]
    assert bed_status(app_context) == "cleaning" and read_cursor(app_context.store, "asha") == 20


def test_a_pull_failing_part_way_leaves_the_cursor_after_the_last_applied_page(app_context: AppContext,
                                                                               runner: DbRunner) -> None:
    pages = [bed_page(app_context, 10, "occupied", True), bed_page(app_context, 20, "cleaning", False)]
    assert not engine_for(app_context, FakeHttp(pages=pages, fail_pull=2), runner).run_once()
    assert bed_status(app_context) == "occupied" and read_cursor(app_context.store, "asha") == 10


def test_a_first_sync_reports_its_progress_page_by_page(app_context: AppContext, runner: DbRunner) -> None:
    pages = [bed_page(app_context, 10, "occupied", True), bed_page(app_context, 20, "cleaning", False)]
    statuses: list[Any] = []
    engine = SyncEngine(app_context.store, FakeHttp(pages=pages), app_context.install.device_id,  # type: ignore[arg-type]
                        ("asha", "-"), db_submit=runner.submit, on_status=statuses.append)
    assert engine.run_once()
    assert [s.first_sync_records for s in statuses] == [1, None] and statuses[-1].online


def test_a_later_sync_reports_no_first_sync_progress(app_context: AppContext, runner: DbRunner) -> None:
    pages = [bed_page(app_context, 10, "occupied", True), bed_page(app_context, 20, "cleaning", False)]
    engine_for(app_context, FakeHttp(pages=[*pages[:1], PullResponse(changes=[], cursor=10, more=False)]),
               runner).run_once()
    statuses: list[Any] = []
    engine = SyncEngine(app_context.store, FakeHttp(pages=pages), app_context.install.device_id,  # type: ignore[arg-type]
                        ("asha", "-"), db_submit=runner.submit, on_status=statuses.append)
    assert engine.run_once() and all(s.first_sync_records is None for s in statuses)
