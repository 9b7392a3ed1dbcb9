from __future__ import annotations

from typing import Any

from emsync_desktop.domain.ids import new_id
from tests.sync_server.conftest import AMRITA, Server, hold, op, transfer_request


def test_transfer_request_is_applied_and_reaches_destination_nurse(server: Server) -> None:
    transfer_id = new_id()
    [result] = server.push("asha", transfer_request(transfer_id))
    assert (result["status"], result["version"]) == ("applied", 1)
    seen = [c["entity_id"] for c in server.pull("maria")["changes"] if c["entity"] == "transfer"]
    assert seen == [transfer_id]


def test_pull_is_scoped_by_role(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    transfers = lambda user: [c for c in server.pull(user)["changes"] if c["entity"] == "transfer"]  # noqa: E731
    assert transfers("anu") == []  # nurse of another hospital
    assert transfers("ravi") == []  # another crew
    assert len(transfers("rahul")) == 1  # coordinator sees all


def test_same_batch_twice_is_applied_once(server: Server) -> None:
    ops = [transfer_request(new_id()), transfer_request(new_id())]
    first = server.push("asha", *ops)
    again = server.push("asha", *ops)
    assert first == again
    assert len([c for c in server.pull("rahul")["changes"] if c["entity"] == "transfer"]) == 2


def test_last_bed_goes_to_one_ambulance_and_the_other_gets_reason_and_alternatives(server: Server) -> None:
    results = []
    for crew in ("asha", "ravi", "asha"):
        transfer_id = new_id()
        results += server.push(crew, transfer_request(transfer_id), hold(new_id(), transfer_id))
    holds = results[1::2]
    assert [h["status"] for h in holds] == ["applied", "applied", "rejected"]  # 2 ICU beds at Lourdes
    assert holds[2]["reason"] == "No ICU bed left at Lourdes."
    assert holds[2]["alternatives"][0]["name"] == "Amrita Institute"  # nearest with a free ICU bed


def test_nurse_accepts_and_paramedic_sees_who_and_when(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    [result] = server.push("maria", op("transfer.transition", transfer_id, {"target": "ACCEPTED"}))
    assert result["status"] == "applied"
    latest = [c for c in server.pull("asha")["changes"] if c["entity"] == "transfer"][-1]["data"]
    assert latest["state"] == "ACCEPTED"
    assert latest["history"][-1]["by"] != latest["history"][0]["by"] and latest["history"][-1]["at"]


def test_rejection_needs_a_reason_and_changes_nothing_without_one(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    [refused] = server.push("maria", op("transfer.transition", transfer_id, {"target": "REJECTED"}))
    assert refused["status"] == "rejected" and "reason" in refused["reason"]
    [ok] = server.push("maria", op("transfer.transition", transfer_id, {"target": "REJECTED", "reason": "ICU full"}))
    assert ok["status"] == "applied"


def test_illegal_transition_is_a_conflict_with_current_state(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    [result] = server.push("maria", op("transfer.transition", transfer_id, {"target": "COMPLETED"}))
    assert result["status"] == "conflict" and result["current"]["state"] == "PENDING"


def test_nurse_of_other_hospital_cannot_accept(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    [result] = server.push("anu", op("transfer.transition", transfer_id, {"target": "ACCEPTED"}))
    assert result == {**result, "status": "rejected", "reason": "This transfer goes to another hospital."}


def test_op_outside_role_is_rejected(server: Server) -> None:
    [result] = server.push("maria", transfer_request(new_id(), AMRITA))
    assert result["status"] == "rejected" and result["reason"] == "A nurse may not request a transfer."


def test_handoff_is_append_only(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    sbar = {"transfer_id": transfer_id, "version": 1, "situation": "S", "background": "B", "assessment": "A",
            "recommendation": "R"}
    [first] = server.push("asha", op("handoff.add", new_id(), sbar))
    [clash] = server.push("asha", op("handoff.add", new_id(), sbar))
    assert first["status"] == "applied" and clash["status"] == "conflict"
    handoffs = [c for c in server.pull("maria")["changes"] if c["entity"] == "handoff"]
    assert len(handoffs) == 1 and handoffs[0]["data"]["sections"]["situation"] == "S"


def test_arrival_occupies_the_held_bed(server: Server) -> None:
    transfer_id, booking_id = new_id(), new_id()
    server.push("asha", transfer_request(transfer_id), hold(booking_id, transfer_id))
    server.push("maria", op("transfer.transition", transfer_id, {"target": "ACCEPTED"}))
    server.push("asha", op("transfer.transition", transfer_id, {"target": "ARRIVED"}))
    changes = server.pull("rahul")["changes"]
    booking = [c for c in changes if c["entity"] == "booking"][-1]["data"]
    bed = [c for c in changes if c["entity"] == "bed" and c["entity_id"] == booking["bed_id"]][-1]["data"]
    assert (booking["state"], bed["status"]) == ("OCCUPIED", "occupied")


def test_first_pull_brings_every_bed(server: Server) -> None:
    beds = [c for c in server.pull("asha")["changes"] if c["entity"] == "bed"]
    assert len(beds) == 3 * 5 and {c["data"]["status"] for c in beds} == {"available"}


def test_pull_pages_with_a_cursor(server: Server) -> None:
    start = server.pull("rahul")["cursor"]
    server.push("asha", *[transfer_request(new_id()) for _ in range(5)])
    token = server.token("rahul")
    page = server.client.get("/sync/pull", params={"since": start, "limit": 2},
                             headers={"Authorization": f"Bearer {token}"}).json()
    rest = server.pull("rahul", page["cursor"])
    assert page["more"] and len(page["changes"]) == 2 and len(rest["changes"]) == 3 and not rest["more"]


def test_ward_sets_new_statuses_but_not_a_bed_held_for_a_transfer(server: Server) -> None:
    transfer_id, booking_id = new_id(), new_id()
    server.push("asha", transfer_request(transfer_id), hold(booking_id, transfer_id))
    beds = [c for c in server.pull("maria")["changes"] if c["entity"] == "bed"]
    held = next(c for c in reversed(beds) if c["data"]["status"] == "reserved")
    free = next(c for c in beds if c["data"]["status"] == "available" and c["entity_id"] != held["entity_id"])
    [refused] = server.push("maria", op("bed.set_status", held["entity_id"], {"status": "cleaning"}))
    [isolated] = server.push("maria", op("bed.set_status", free["entity_id"], {"status": "isolation"}))
    assert refused["status"] == "conflict" and "held for an incoming transfer" in refused["reason"]
    assert isolated["status"] == "applied"


def sbar_op(transfer_id: str) -> dict[str, Any]:
    return op("handoff.add", new_id(), {"transfer_id": transfer_id, "version": 1, "situation": "S",
                                        "background": "B", "assessment": "A", "recommendation": "R"})


def test_destination_nurse_acknowledges_a_handoff_once(server: Server) -> None:
    transfer_id = new_id()
    handoff = sbar_op(transfer_id)
    server.push("asha", transfer_request(transfer_id), handoff)
    [other_ward] = server.push("anu", op("handoff.ack", handoff["entity_id"], {}))
    [crew] = server.push("asha", op("handoff.ack", handoff["entity_id"], {}))
    [first] = server.push("maria", op("handoff.ack", handoff["entity_id"], {}))
    [again] = server.push("rahul", op("handoff.ack", handoff["entity_id"], {}))
    assert other_ward["status"] == "rejected" and "another hospital" in other_ward["reason"]
    assert crew["status"] == "rejected" and first["status"] == "applied"
    assert again["status"] == "conflict" and "Already acknowledged" in again["reason"]
    seen = [c for c in server.pull("asha")["changes"] if c["entity"] == "handoff"][-1]["data"]
    assert seen["acknowledged_at"] is not None and seen["acknowledged_by_name"]
