"""Stored answers are forgotten once their device has them and a day has passed (issue 30), on SQLite and
PostgreSQL; an op sent again after its answer was forgotten is answered "applied before", never applied twice,
whichever account on the device sends it; a new op that reuses a sequence number (a device restored from a backup)
still applies, however long it waited offline."""

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


def written(op: dict[str, Any], at: datetime) -> dict[str, Any]:
    return op | {"hlc": at.isoformat()}


def test_an_op_sent_again_after_its_answer_was_forgotten_is_not_applied_again(server: Server) -> None:
    first, _ = confirmed_pair(server)
    upkeep(server, LATER)
    before = feed_length(server)
    [again] = push(server, "asha", [written(first, datetime.now(UTC) - timedelta(hours=1))])
    assert again["status"] == "applied" and "not applied again" in again["reason"]
    assert feed_length(server) == before and stored(server, first) == set()


def test_another_account_on_the_device_sending_it_again_does_not_apply_it_either(server: Server) -> None:
    first, _ = confirmed_pair(server)
    upkeep(server, LATER)
    before = feed_length(server)
    [again] = push(server, "ravi", [written(first, datetime.now(UTC) - timedelta(hours=1))])
    assert "not applied again" in (again["reason"] or "") and feed_length(server) == before


def test_a_new_op_reusing_a_sequence_number_after_a_restore_applies_even_days_later(server: Server) -> None:
    first, _ = confirmed_pair(server)
    restored = written(transfer_request(new_id(), unit="WARD") | {"device_seq": first["device_seq"]},
                       datetime.now(UTC) + timedelta(minutes=5))  # written after the restore
    upkeep(server, LATER + timedelta(days=3))  # offline three days, the old answers long forgotten
    [answer] = push(server, "asha", [restored], through=first["device_seq"] - 1)
    assert answer["status"] == "applied" and answer["reason"] is None


def test_after_a_restore_only_what_the_device_now_reports_is_forgotten(server: Server) -> None:
    first, second = confirmed_pair(server)
    push(server, "asha", [transfer_request(new_id(), unit="WARD")], through=first["device_seq"] - 1)  # restored
    upkeep(server, LATER)
    assert stored(server, first, second) == {first["op_id"], second["op_id"]}


def test_a_devices_highest_mark_never_falls_and_its_latest_does(server: Server) -> None:
    push(server, "asha", [transfer_request(new_id(), unit="WARD")], through=50)
    push(server, "asha", [transfer_request(new_id(), unit="WARD")], through=20)  # a restored backup
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        row = session.scalars(select(DeviceAnswers)).one()
        assert (row.answered_through, row.reported_through) == (50, 20)


def test_another_account_cannot_make_the_server_forget_an_accounts_answers(server: Server) -> None:
    mine = transfer_request(new_id(), unit="WARD")
    push(server, "asha", [mine])
    push(server, "ravi", [transfer_request(new_id(), unit="WARD")], through=10**6)  # naming asha's device
    upkeep(server, LATER)
    assert stored(server, mine) == {mine["op_id"]}
