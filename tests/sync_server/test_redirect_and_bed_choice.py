"""A coordinator redirects an open transfer; a ward accepting chooses the bed. All or nothing, seen by all."""

from __future__ import annotations

from typing import Any

from emsync_desktop.domain.ids import demo_id, new_id
from tests.sync_server.conftest import AMRITA, LOURDES, Server, hold, op, transfer_request

RAJAGIRI = demo_id("hospital", "Rajagiri")


def redirect(transfer_id: str, hospital: str = AMRITA, unit: str = "ICU", reason: str = "CT down",
             booking_id: str | None = None) -> dict[str, Any]:
    return op("transfer.redirect", transfer_id, {"destination_hospital_id": hospital, "unit": unit,
                                                 "booking_id": booking_id or new_id(), "reason": reason})


def sent_with_held_bed(server: Server) -> str:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id), hold(new_id(), transfer_id))
    return transfer_id


def latest(server: Server, user: str, entity: str, entity_id: str) -> dict[str, Any] | None:
    found = [c["data"] for c in server.pull(user)["changes"] if c["entity"] == entity and c["entity_id"] == entity_id]
    return found[-1] if found else None


def free_icu(server: Server, hospital: str) -> int:
    beds: dict[str, dict[str, Any]] = {}
    for change in server.pull("rahul")["changes"]:
        if change["entity"] == "bed":
            beds[change["entity_id"]] = change["data"]
    return sum(1 for b in beds.values() if b["hospital_id"] == hospital and b["unit"] == "ICU"
               and b["status"] == "available")


def test_redirect_moves_transfer_pending_to_new_hospital_and_moves_the_bed(server: Server) -> None:
    transfer_id = sent_with_held_bed(server)
    booking_id = new_id()
    [result] = server.push("rahul", redirect(transfer_id, booking_id=booking_id))
    assert result["status"] == "applied"
    moved = latest(server, "asha", "transfer", transfer_id)
    assert moved is not None and (moved["destination_hospital_id"], moved["state"]) == (AMRITA, "PENDING")
    assert moved["history"][-1]["reason"] == "redirected to Amrita ICU: CT down"
    assert moved["history"][-1]["redirected_from"] == LOURDES
    assert latest(server, "asha", "booking", booking_id)["state"] == "HELD"  # type: ignore[index]
    assert (free_icu(server, LOURDES), free_icu(server, AMRITA)) == (2, 1)


def test_old_ward_learns_the_transfer_left_and_new_ward_sees_it(server: Server) -> None:
    transfer_id = sent_with_held_bed(server)
    server.push("rahul", redirect(transfer_id))
    at_lourdes = latest(server, "maria", "transfer", transfer_id)
    assert at_lourdes is not None and at_lourdes["destination_hospital_id"] == AMRITA
    assert latest(server, "anu", "transfer", transfer_id) == at_lourdes


def test_redirect_without_free_bed_is_refused_and_changes_nothing(server: Server) -> None:
    transfer_id = sent_with_held_bed(server)
    for _ in range(2):  # take both ICU beds at Amrita
        other = new_id()
        server.push("ravi", transfer_request(other, AMRITA), hold(new_id(), other, AMRITA))
    [result] = server.push("rahul", redirect(transfer_id))
    assert result["status"] == "rejected"
    assert result["reason"] == "No ICU bed left at Amrita: the transfer stays where it was."
    assert result["alternatives"][0]["name"] == "Rajagiri Hospital"
    still = latest(server, "asha", "transfer", transfer_id)
    assert still is not None and (still["destination_hospital_id"], still["version"]) == (LOURDES, 1)
    assert free_icu(server, LOURDES) == 1  # the crew's hold at Lourdes is kept


def test_only_a_coordinator_may_redirect(server: Server) -> None:
    transfer_id = sent_with_held_bed(server)
    for user in ("asha", "maria"):
        [result] = server.push(user, redirect(transfer_id))
        assert result["status"] == "rejected" and "may not redirect a transfer" in result["reason"]


def test_arrived_transfer_cannot_be_redirected(server: Server) -> None:
    transfer_id = sent_with_held_bed(server)
    server.push("maria", op("transfer.transition", transfer_id, {"target": "ACCEPTED"}))
    server.push("maria", op("transfer.transition", transfer_id, {"target": "ARRIVED"}))
    [result] = server.push("rahul", redirect(transfer_id))
    assert result["status"] == "conflict" and "can no longer be redirected" in result["reason"]


def test_redirect_needs_a_reason(server: Server) -> None:
    transfer_id = sent_with_held_bed(server)
    [result] = server.push("rahul", redirect(transfer_id, reason=""))
    assert result["status"] == "rejected" and result["reason"].startswith("Malformed transfer.redirect: reason")


def test_changes_carry_the_time_the_server_recorded_them(server: Server) -> None:
    sent_with_held_bed(server)
    changes = server.pull("rahul")["changes"]
    assert changes and all(c["at"] for c in changes)


def bed_ids(server: Server, hospital: str, status: str) -> list[str]:
    beds: dict[str, dict[str, Any]] = {}
    for change in server.pull("rahul")["changes"]:
        if change["entity"] == "bed":
            beds[change["entity_id"]] = change["data"]
    return sorted(b["id"] for b in beds.values() if b["hospital_id"] == hospital and b["unit"] == "ICU"
                  and b["status"] == status)


def accept(transfer_id: str, bed_id: str) -> dict[str, Any]:
    return op("transfer.transition", transfer_id, {"target": "ACCEPTED", "bed_id": bed_id})


def test_accepting_into_another_free_bed_moves_the_hold(server: Server) -> None:
    transfer_id = sent_with_held_bed(server)
    [held], [free] = bed_ids(server, LOURDES, "reserved"), bed_ids(server, LOURDES, "available")
    [result] = server.push("maria", accept(transfer_id, free))
    assert result["status"] == "applied"
    assert (bed_ids(server, LOURDES, "reserved"), bed_ids(server, LOURDES, "available")) == ([free], [held])


def test_accepting_into_a_bed_taken_meanwhile_is_a_conflict_and_changes_nothing(server: Server) -> None:
    transfer_id = sent_with_held_bed(server)
    [free] = bed_ids(server, LOURDES, "available")
    other = new_id()
    server.push("ravi", transfer_request(other), hold(new_id(), other))  # takes the last free ICU bed
    [result] = server.push("maria", accept(transfer_id, free))
    assert result["status"] == "conflict" and "no longer free" in result["reason"]
    assert latest(server, "maria", "transfer", transfer_id)["state"] == "PENDING"  # type: ignore[index]


def test_accepting_a_transfer_without_a_hold_into_a_bed_holds_it(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    [free, _] = bed_ids(server, LOURDES, "available")
    [result] = server.push("maria", accept(transfer_id, free))
    assert result["status"] == "applied" and bed_ids(server, LOURDES, "reserved") == [free]


def test_redirect_brings_the_handoff_to_the_new_ward_which_acknowledges_it_itself(server: Server) -> None:
    transfer_id = sent_with_held_bed(server)
    handoff_id = new_id()
    server.push("asha", op("handoff.add", handoff_id, {"transfer_id": transfer_id, "version": 1, "situation": "S",
                                                       "background": "B", "assessment": "A", "recommendation": "R"}))
    [read_at_lourdes] = server.push("maria", op("handoff.ack", handoff_id, {}))
    assert read_at_lourdes["status"] == "applied"
    server.push("rahul", redirect(transfer_id))
    assert latest(server, "anu", "handoff", handoff_id) is not None  # Amrita's nurse has the SBAR
    [read_at_amrita] = server.push("anu", op("handoff.ack", handoff_id, {}))
    assert read_at_amrita["status"] == "applied"
    [again] = server.push("anu", op("handoff.ack", handoff_id, {}))
    assert again["status"] == "conflict"  # read once per hospital


def test_crew_gives_a_new_eta_that_the_new_ward_sees(server: Server) -> None:
    transfer_id = sent_with_held_bed(server)
    server.push("rahul", redirect(transfer_id))
    [other_crew] = server.push("ravi", op("transfer.eta", transfer_id, {"eta_s": 900, "source": "estimate"}))
    [applied] = server.push("asha", op("transfer.eta", transfer_id, {"eta_s": 900, "source": "offline road graph"}))
    assert other_crew["status"] == "rejected" and applied["status"] == "applied"
    assert latest(server, "anu", "transfer", transfer_id)["eta_s"] == 900  # type: ignore[index]
    server.push("anu", op("transfer.transition", transfer_id, {"target": "REJECTED", "reason": "full"}))
    [late] = server.push("asha", op("transfer.eta", transfer_id, {"eta_s": 600}))
    assert late["status"] == "conflict" and "no longer matters" in late["reason"]
