"""Stored answers are forgotten once their device has them and a day has passed (issue 30), on SQLite and
PostgreSQL; an op sent again after its answer was forgotten is refused, never applied twice; a new op that reuses a
sequence number (a device restored from a backup) still applies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from emsync_desktop.domain.ids import new_id
from sync_server.answers import ANSWERS_KEPT
from sync_server.models import AppliedOp, ChangeRow, DeviceAnswers
from tests.sync_server.conftest import DEVICE, Server, transfer_request
from tests.sync_server.test_upkeep import upkeep

LATER = datetime.now(UTC) + ANSWERS_KEPT + timedelta(hours=2)  # a round of upkeep once the answers are old


def push(server: Server, user: str, ops: list[dict[str, Any]], through: int | None = None,
         device: str = DEVICE) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"ops": ops}
    if through is not None:
        body["answered_through"] = {"device_id": device, "device_seq": through}
    response = server.client.post("/sync/push", json=body, headers={"Authorization": f"Bearer {server.token(user)}"})
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


def stored(server: Server, *ops: dict[str, Any]) -> set[str]:
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        return set(session.scalars(select(AppliedOp.op_id).where(AppliedOp.op_id.in_([o["op_id"] for o in ops]))))


def feed_length(server: Server) -> int:
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).select_from(ChangeRow)) or 0)


def confirmed_pair(server: Server) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two ops answered, then a push that says the device has both answers (it carries a third op)."""
    first, second = transfer_request(new_id(), unit="WARD"), transfer_request(new_id(), unit="WARD")
    push(server, "asha", [first, second])
    push(server, "asha", [transfer_request(new_id(), unit="WARD")], through=second["device_seq"])
    return first, second


def test_answers_the_device_has_are_forgotten_after_a_day(server: Server) -> None:
    first, second = confirmed_pair(server)
    assert upkeep(server, LATER).forgotten >= 2
    assert stored(server, first, second) == set()


def test_answers_are_kept_for_a_day_after_the_device_has_them(server: Server) -> None:
    first, second = confirmed_pair(server)
    assert upkeep(server, datetime.now(UTC)).forgotten == 0
    assert stored(server, first, second) == {first["op_id"], second["op_id"]}


def test_answers_the_device_has_not_confirmed_are_kept(server: Server) -> None:
    first, second = confirmed_pair(server)
    unconfirmed = transfer_request(new_id(), unit="WARD")
    push(server, "asha", [unconfirmed])
    upkeep(server, LATER)
    assert stored(server, first, second, unconfirmed) == {unconfirmed["op_id"]}


def test_an_op_sent_again_after_its_answer_was_forgotten_is_refused_not_applied(server: Server) -> None:
    first, _ = confirmed_pair(server)
    upkeep(server, LATER)
    before = feed_length(server)
    [again] = push(server, "asha", [first])
    assert again["status"] == "rejected" and "not applied again" in again["reason"]
    assert feed_length(server) == before and stored(server, first) == set()


def test_a_new_op_reusing_a_forgotten_sequence_number_applies(server: Server) -> None:
    first, _ = confirmed_pair(server)
    upkeep(server, LATER)
    restored = transfer_request(new_id(), unit="WARD") | {"device_seq": first["device_seq"],
                                                          "hlc": (LATER + timedelta(minutes=5)).isoformat()}
    [answer] = push(server, "asha", [restored])
    assert answer["status"] == "applied"


def test_a_devices_mark_never_falls(server: Server) -> None:
    push(server, "asha", [transfer_request(new_id(), unit="WARD")], through=50)
    push(server, "asha", [transfer_request(new_id(), unit="WARD")], through=20)  # a restored backup
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        assert session.scalar(select(DeviceAnswers.answered_through)) == 50


def test_another_account_cannot_make_the_server_forget_an_accounts_answers(server: Server) -> None:
    mine = transfer_request(new_id(), unit="WARD")
    push(server, "asha", [mine])
    push(server, "ravi", [transfer_request(new_id(), unit="WARD")], through=10**6)  # naming asha's device
    upkeep(server, LATER)
    assert stored(server, mine) == {mine["op_id"]}
