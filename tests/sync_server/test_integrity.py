"""Integrity and authorization of pushed ops (issue 17, items 1-5), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol import OpKind
from tests.sync_server.conftest import AMRITA, LOURDES, Server, hold, op, transfer_request


def _free_icu(server: Server, short_name: str) -> int:
    capacity = server.client.get("/hospitals", headers={"Authorization": f"Bearer {server.token('rahul')}"}).json()
    return int(next(h for h in capacity if h["short_name"] == short_name)["units"]["ICU"]["free"])


def test_nul_in_a_text_is_refused_per_op_and_the_op_behind_it_applies(server: Server) -> None:
    poisoned = transfer_request(new_id())
    poisoned["payload"]["summary"] = "chest\x00pain"
    valid = transfer_request(new_id())
    first = server.push("asha", poisoned, valid)
    assert first[0]["status"] == "rejected" and "NUL character" in first[0]["reason"]
    assert "\x00" not in first[0]["reason"] and first[1]["status"] == "applied"
    assert server.push("asha", poisoned, valid) == first  # a retry gets the stored answers


def test_nul_in_a_payload_key_is_refused_not_a_server_error(server: Server) -> None:
    poisoned = transfer_request(new_id())
    poisoned["payload"]["bad\x00key"] = 1
    [answer] = server.push("asha", poisoned)
    assert answer["status"] == "rejected" and "a field name" in answer["reason"]


def test_nul_in_a_login_name_is_a_bad_request(server: Server) -> None:
    response = server.client.post("/auth/login", json={"username": "asha\x00", "password": "x"})
    assert 400 <= response.status_code < 500


def test_a_nurse_cannot_release_another_hospitals_hold(server: Server) -> None:
    transfer_id, booking_id = new_id(), new_id()
    server.push("asha", transfer_request(transfer_id), hold(booking_id, transfer_id))
    [other] = server.push("anu", op("booking.release", booking_id, {}))
    assert other["status"] == "rejected" and "another hospital" in other["reason"]
    assert _free_icu(server, "Lourdes") == 1
    [own] = server.push("maria", op("booking.release", booking_id, {}))
    assert own["status"] == "applied" and _free_icu(server, "Lourdes") == 2


def test_a_hold_must_be_where_its_transfer_goes(server: Server) -> None:
    transfer_id = new_id()
    results = server.push("asha", transfer_request(transfer_id), hold(new_id(), transfer_id, hospital=AMRITA))
    assert results[1]["status"] == "rejected" and "only where its transfer goes (Lourdes ICU)" in results[1]["reason"]
    assert _free_icu(server, "Amrita") == 2


def test_a_transfer_holds_one_bed_at_most(server: Server) -> None:
    transfer_id = new_id()
    results = server.push("asha", transfer_request(transfer_id), hold(new_id(), transfer_id),
                          hold(new_id(), transfer_id))
    assert [r["status"] for r in results] == ["applied", "applied", "conflict"]
    assert _free_icu(server, "Lourdes") == 1
    [later] = server.push("asha", hold(new_id(), transfer_id))  # in another push too
    assert later["status"] == "conflict"


def test_another_account_resending_an_op_id_learns_nothing(server: Server) -> None:
    transfer_id = new_id()
    mine = transfer_request(transfer_id)
    server.push("asha", mine)
    [theirs] = server.push("ravi", {**mine, "device_id": new_id()})
    assert theirs["status"] == "rejected" and "another account" in theirs["reason"]
    assert theirs.get("version") is None
    [again] = server.push("asha", mine)
    assert again["status"] == "applied"  # the owner still gets its stored answer


def test_a_hold_before_its_transfer_is_deferred_not_refused(server: Server) -> None:
    transfer_id = new_id()
    early = hold(new_id(), transfer_id, hospital=LOURDES)
    [deferred] = server.push("asha", early)
    assert deferred["status"] == "deferred"
    server.push("asha", transfer_request(transfer_id))
    [applied] = server.push("asha", early)  # the same op, sent again
    assert applied["status"] == "applied"


def test_an_op_that_fails_even_alone_is_set_aside_and_the_rest_applies(server: Server,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from sync_server import ops

    def broken(*_args: Any) -> int:
        raise RuntimeError("a handler fault")

    monkeypatch.setitem(ops.HANDLERS, OpKind.HANDOFF_ACK, broken)
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    bad, good = op("handoff.ack", new_id(), {}), op("transfer.transition", transfer_id, {"target": "ACCEPTED"})
    answers = server.push("maria", bad, good)
    assert answers[0]["status"] == "rejected" and "set it aside" in answers[0]["reason"]
    assert answers[1]["status"] == "applied"
    assert server.push("maria", bad)[0] == answers[0]  # stored: the device moves on
