"""A case (encounter) has at most one active transfer: the server refuses a second, whoever sends it."""

from __future__ import annotations

from emsync_desktop.domain.ids import new_id
from tests.sync_server.conftest import AMRITA, Server, hold, op, transfer_request


def _free_icu_beds(server: Server, hospital_short: str) -> int:
    capacity = server.client.get("/hospitals", headers={"Authorization": f"Bearer {server.token('rahul')}"}).json()
    hospital = next(h for h in capacity if h["short_name"] == hospital_short)
    return int(hospital["units"]["ICU"]["free"])


def test_second_request_for_one_encounter_is_refused_and_holds_no_bed(server: Server) -> None:
    encounter = new_id()
    first, second = new_id(), new_id()
    results = server.push("asha", transfer_request(first, encounter_id=encounter), hold(new_id(), first),
                          transfer_request(second, encounter_id=encounter), hold(new_id(), second))
    assert [r["status"] for r in results[:2]] == ["applied", "applied"]
    assert results[2]["status"] == "rejected"
    assert "already has an active transfer to Lourdes ICU (PENDING)" in results[2]["reason"]
    assert results[3]["status"] != "applied"
    assert _free_icu_beds(server, "Lourdes") == 1  # 2 ICU beds: only the first transfer holds one


def test_second_device_cannot_request_the_same_encounter(server: Server) -> None:
    encounter = new_id()
    server.push("asha", transfer_request(new_id(), encounter_id=encounter))
    [refused] = server.push("ravi", transfer_request(new_id(), hospital=AMRITA, encounter_id=encounter))
    assert refused["status"] == "rejected" and "already has an active transfer" in refused["reason"]


def test_after_cancelling_the_case_can_be_sent_elsewhere_in_the_same_push(server: Server) -> None:
    encounter = new_id()
    first, second = new_id(), new_id()
    server.push("asha", transfer_request(first, encounter_id=encounter), hold(new_id(), first))
    results = server.push("asha", op("transfer.transition", first, {"target": "CANCELLED", "reason": "elsewhere"}),
                          transfer_request(second, hospital=AMRITA, encounter_id=encounter),
                          hold(new_id(), second, hospital=AMRITA))
    assert [r["status"] for r in results] == ["applied", "applied", "applied"]
    assert _free_icu_beds(server, "Lourdes") == 2  # the cancelled transfer's hold was released


def test_a_finished_transfer_does_not_block_a_new_one(server: Server) -> None:
    encounter = new_id()
    first = new_id()
    server.push("asha", transfer_request(first, encounter_id=encounter))
    server.push("maria", op("transfer.transition", first, {"target": "REJECTED", "reason": "no neurosurgeon"}))
    [again] = server.push("asha", transfer_request(new_id(), hospital=AMRITA, encounter_id=encounter))
    assert again["status"] == "applied"
