"""The one writer: pushes that wait together share a transaction, each gets its own answers, and one
push that fails cannot fail the others."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol import Op, OpKind, OpResult, PushRequest
from sync_server import ops as ops_module
from sync_server.db import make_write_engine
from sync_server.models import User
from sync_server.writer import UnknownUser, Writer, _Push
from tests.sync_server.conftest import Server, hold, transfer_request
from tests.sync_server.test_push_batches import _writes_then_refuses


def user_id(server: Server, username: str) -> str:
    with server.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        return str(session.scalar(select(User.id).where(User.username == username)))


def parsed(*ops: dict[str, Any]) -> list[Op]:
    return PushRequest.model_validate({"ops": list(ops)}).ops


async def apply_as_one_batch(writer: Writer, pushes: list[tuple[str, list[Op]]]) -> list[Any]:
    loop = asyncio.get_running_loop()
    batch = [_Push(uid, ops, loop, loop.create_future()) for uid, ops in pushes]
    await asyncio.to_thread(writer._apply, batch)
    return await asyncio.gather(*(p.answer for p in batch), return_exceptions=True)


def writer_of(server: Server) -> Writer:
    app = server.client.app
    return Writer(make_write_engine(app.state.engine), server.settings.hold_minutes)  # type: ignore[attr-defined]


def test_pushes_sharing_a_transaction_each_get_their_own_answers(server: Server) -> None:
    asha, ravi = user_id(server, "asha"), user_id(server, "ravi")
    first, second = new_id(), new_id()
    outcomes = asyncio.run(apply_as_one_batch(writer_of(server), [
        (asha, parsed(transfer_request(first), hold(new_id(), first))),
        (ravi, parsed(transfer_request(second), hold(new_id(), second))),
        (ravi, parsed(hold(new_id(), first)))]))  # ravi may not hold a bed for asha's transfer
    (asha_answers, cursor_a), (ravi_answers, cursor_b), (refused, _) = outcomes
    assert [a.status for a in asha_answers + ravi_answers] == ["applied"] * 4
    assert refused[0].status == "rejected" and "another crew" in (refused[0].reason or "")
    assert cursor_a == cursor_b > 0  # one transaction: one cursor after it


def test_a_failing_push_does_not_fail_the_others_in_its_batch(server: Server,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ops_module.HANDLERS, OpKind.TRANSFER_REQUEST, _writes_then_refuses)
    asha = user_id(server, "asha")
    good = parsed(hold(new_id(), new_id()))  # deferred (no such transfer yet), which is an answer, not a failure
    outcomes = asyncio.run(apply_as_one_batch(writer_of(server), [
        (asha, good), (asha, parsed(transfer_request(new_id()))), ("no-such-user", parsed(hold(new_id(), new_id())))]))
    answers, _cursor = outcomes[0]
    assert isinstance(answers[0], OpResult) and answers[0].status == "deferred"
    assert isinstance(outcomes[1], RuntimeError)
    assert isinstance(outcomes[2], UnknownUser)


def test_a_push_for_a_deleted_account_is_refused_with_401(server: Server) -> None:
    token = server.token("ravi")
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        session.delete(session.scalar(select(User).where(User.username == "ravi")))
    response = server.client.post("/sync/push", json={"ops": [transfer_request(new_id())]},
                                  headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and "no longer exists" in response.json()["detail"]


def test_the_writer_keeps_serving_after_a_batch_it_could_not_handle(server: Server,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    writer, asha = writer_of(server), user_id(server, "asha")
    real_apply, calls = writer._apply, []

    def fails_once(batch: list[_Push]) -> None:
        calls.append(len(batch))
        if len(calls) == 1:
            raise ValueError("unexpected")
        real_apply(batch)

    monkeypatch.setattr(writer, "_apply", fails_once)

    async def push_twice() -> Any:
        with pytest.raises(RuntimeError, match="could not apply"):
            await writer.apply(asha, parsed(transfer_request(new_id())))
        return await writer.apply(asha, parsed(transfer_request(new_id())))

    try:
        answers, _cursor = asyncio.run(push_twice())
    finally:
        writer.stop()
    assert answers[0].status == "applied"


def test_the_writer_reconnects_when_its_connection_was_lost(server: Server) -> None:
    writer, asha = writer_of(server), user_id(server, "asha")
    asyncio.run(apply_as_one_batch(writer, [(asha, parsed(transfer_request(new_id())))]))
    assert writer._conn is not None
    writer._conn.connection.dbapi_connection.close()  # type: ignore[union-attr]  # as a database restart does
    [(answers, _cursor)] = asyncio.run(apply_as_one_batch(writer, [(asha, parsed(transfer_request(new_id())))]))
    assert answers[0].status == "applied"
    writer.stop()
