"""What a batch of ops remembers between its ops (new ids, transfers, answers), and the
refuse-before-writing contract that lets most ops run without a savepoint."""

from __future__ import annotations

from typing import Any

import pytest

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol import OpKind
from sync_server import ops as ops_module
from sync_server.op_context import OpContext, Refused
from sync_server.rows import TRANSFERS
from tests.sync_server.conftest import AMRITA, LOURDES, Server, hold, op, transfer_request


def test_a_record_created_twice_in_one_push_is_a_conflict_the_second_time(server: Server) -> None:
    transfer_id = new_id()
    first, second = server.push("asha", transfer_request(transfer_id), transfer_request(transfer_id))
    assert first["status"] == "applied"
    assert second["status"] == "conflict" and second["reason"] == "This transfer already exists."


def test_an_op_repeated_within_one_push_gets_the_first_answer(server: Server) -> None:
    request = transfer_request(new_id())
    first, again = server.push("asha", request, request)
    assert first == again and first["status"] == "applied"
    assert sum(c["entity"] == "transfer" for c in server.pull("rahul")["changes"]) == 1


def test_a_hold_sees_the_transfer_requested_earlier_in_the_same_push(server: Server) -> None:
    transfer_id = new_id()
    answers = server.push("asha", transfer_request(transfer_id), hold(new_id(), transfer_id))
    assert [a["status"] for a in answers] == ["applied", "applied"]


def test_a_refused_redirect_mid_push_leaves_the_transfer_for_the_ops_after_it(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id, unit="WARD"))
    for _ in range(3):  # fill Amrita's ICU
        other = new_id()
        server.push("ravi", transfer_request(other, AMRITA), hold(new_id(), other, AMRITA))
    redirect = op("transfer.redirect", transfer_id, {"destination_hospital_id": AMRITA, "unit": "ICU",
                                                     "booking_id": new_id(), "reason": "CT down"})
    accept = op("transfer.transition", transfer_id, {"target": "ACCEPTED"})
    refused, accepted = server.push("rahul", redirect, accept)
    assert refused["status"] == "rejected" and accepted["status"] == "applied"
    transfer = [c["data"] for c in server.pull("rahul")["changes"] if c["entity_id"] == transfer_id][-1]
    assert (transfer["destination_hospital_id"], transfer["unit"], transfer["state"]) == (LOURDES, "WARD", "ACCEPTED")


def _writes_then_refuses(ctx: OpContext, op_: Any, _payload: Any) -> int:
    ctx.insert(TRANSFERS, {"id": op_.entity_id, "encounter_id": new_id(), "requested_by": ctx.user.id,
                           "destination_hospital_id": AMRITA, "unit": "ICU", "state": "PENDING", "version": 1,
                           "eta_s": None, "severity": None, "summary": "", "history": [], "created_at": ctx.now,
                           "updated_at": ctx.now})
    raise Refused("refused after writing")


def test_a_handler_refusing_after_it_wrote_keeps_nothing_of_that_op(server: Server,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ops_module.HANDLERS, OpKind.TRANSFER_REQUEST, _writes_then_refuses)
    early, broken = hold(new_id(), new_id()), transfer_request(new_id())
    answers = server.push("asha", early, broken)  # the batch fails; op by op, the broken op is set aside
    monkeypatch.undo()
    assert answers[0]["status"] == "deferred"  # its transfer is not on the server: sent again later
    assert answers[1]["status"] == "rejected" and "set it aside" in answers[1]["reason"]
    assert not [c for c in server.pull("rahul")["changes"] if c["entity"] == "transfer"]  # nothing half-applied
    assert server.push("asha", broken)[0] == answers[1]  # stored: the device moves on


def free_icu(server: Server, hospital_id: str) -> int:
    response = server.client.get("/hospitals", headers={"Authorization": f"Bearer {server.token('asha')}"})
    assert response.status_code == 200, response.text
    return int(next(h for h in response.json() if h["id"] == hospital_id)["units"]["ICU"]["free"])


def test_capacity_kept_per_feed_cursor_follows_every_bed_change(server: Server) -> None:
    before = free_icu(server, AMRITA)
    assert free_icu(server, AMRITA) == before  # answered again from what was kept
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id, AMRITA), hold(new_id(), transfer_id, AMRITA))
    assert free_icu(server, AMRITA) == before - 1
