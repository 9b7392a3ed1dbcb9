"""The case record on the server (issue 19): append-only entries, written by the case's crew only, read by
that crew, the destination ward of its transfer and the desk. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from emsync_desktop.domain.ids import new_id
from tests.sync_server.conftest import AMRITA, LOURDES, Server, op, transfer_request

AT = "2026-12-04T07:42:00+00:00"
RECORD = ("timeline", "medication", "procedure", "history")


def stamp(encounter_id: str, step: str = "at_scene", at: str = AT, **edit: str) -> dict[str, Any]:
    return op("record.timeline", new_id(), {"encounter_id": encounter_id, "step": step, "at": at, **edit})


def drug(encounter_id: str, name: str = "Aspirin", dose: float = 300) -> dict[str, Any]:
    return op("record.medication", new_id(), {
        "encounter_id": encounter_id, "drug": name, "free_text": False, "dose_value": dose, "dose_unit": "mg",
        "route": "PO", "given_at": AT, "warnings": [{"kind": "above_adult_max", "message": "Above 300 mg"}]})


def shock(encounter_id: str) -> dict[str, Any]:
    return op("record.procedure", new_id(), {"encounter_id": encounter_id, "procedure": "defibrillation",
                                             "done_at": AT, "extras": {"energy_j": 150}})


def record_of(server: Server, user: str) -> list[dict[str, Any]]:
    return [c for c in server.pull(user)["changes"] if c["entity"] in RECORD]


def test_crew_records_each_kind_and_the_entries_reach_the_crew(server: Server) -> None:
    case = new_id()
    results = server.push("asha", stamp(case), drug(case), shock(case))
    assert [r["status"] for r in results] == ["applied"] * 3
    seen = {c["entity"]: c["data"] for c in record_of(server, "asha")}
    assert seen["timeline"]["step"] == "at_scene" and seen["procedure"]["extras"]["energy_j"] == 150
    assert (seen["medication"]["drug"], seen["medication"]["dose_value"]) == ("Aspirin", 300)
    assert seen["medication"]["warnings"][0]["message"] == "Above 300 mg"
    assert seen["medication"]["author_name"] and seen["medication"]["encounter_id"] == case


def test_another_paramedic_may_not_write_to_the_case(server: Server) -> None:
    case = new_id()
    server.push("asha", stamp(case))
    [refused] = server.push("ravi", drug(case))
    assert refused["status"] == "rejected" and "another crew" in refused["reason"]
    assert [c["entity"] for c in record_of(server, "rahul")] == ["timeline"]


def test_the_crew_that_requested_the_transfer_owns_the_case(server: Server) -> None:
    case = new_id()
    server.push("asha", transfer_request(new_id(), encounter_id=case))
    [refused] = server.push("ravi", stamp(case))
    [applied] = server.push("asha", stamp(case))
    assert (refused["status"], applied["status"]) == ("rejected", "applied")


def test_a_nurse_may_not_write_to_the_record(server: Server) -> None:
    [refused] = server.push("maria", drug(new_id()))
    assert refused["status"] == "rejected" and refused["reason"] == "A nurse may not add to a patient's record."


def test_destination_nurse_and_desk_receive_entries_the_other_hospital_and_crew_do_not(server: Server) -> None:
    case = new_id()
    server.push("asha", transfer_request(new_id(), LOURDES, encounter_id=case), drug(case))
    assert [c["entity"] for c in record_of(server, "maria")] == ["medication"]  # Lourdes ward
    assert [c["entity"] for c in record_of(server, "rahul")] == ["medication"]  # the desk
    assert record_of(server, "anu") == []  # the Amrita ward
    assert record_of(server, "ravi") == []  # another crew


def test_entries_before_the_transfer_reach_its_hospital_when_it_is_requested(server: Server) -> None:
    case = new_id()
    server.push("asha", stamp(case, "call_received"), drug(case))
    assert record_of(server, "maria") == []
    server.push("asha", transfer_request(new_id(), LOURDES, encounter_id=case))
    assert sorted(c["entity"] for c in record_of(server, "maria")) == ["medication", "timeline"]
    assert record_of(server, "anu") == []


def test_redirected_case_takes_its_record_to_the_new_hospital(server: Server) -> None:
    case, transfer_id = new_id(), new_id()
    server.push("asha", transfer_request(transfer_id, LOURDES, encounter_id=case), shock(case))
    [moved] = server.push("rahul", op("transfer.redirect", transfer_id, {
        "destination_hospital_id": AMRITA, "unit": "ICU", "booking_id": new_id(), "reason": "CT down"}))
    assert moved["status"] == "applied"
    assert [c["entity"] for c in record_of(server, "anu")] == ["procedure"]


def test_an_edit_keeps_the_stamp_it_corrects(server: Server) -> None:
    case = new_id()
    first = stamp(case)
    edit = stamp(case, at="2026-12-04T07:40:00+00:00", replaces=first["entity_id"], edited_from=AT)
    assert [r["status"] for r in server.push("asha", first, edit)] == ["applied", "applied"]
    stamps = [c["data"] for c in record_of(server, "asha")]
    assert [s["at"] for s in stamps] == ["2026-12-04T07:42:00Z", "2026-12-04T07:40:00Z"]
    assert stamps[1]["replaces"] == first["entity_id"] and stamps[1]["edited_from"] == "2026-12-04T07:42:00Z"


def test_an_edit_of_another_step_is_refused(server: Server) -> None:
    case = new_id()
    first = stamp(case, "at_scene")
    [_, refused] = server.push("asha", first, stamp(case, "left_scene", replaces=first["entity_id"], edited_from=AT))
    assert refused["status"] == "rejected" and "same step" in refused["reason"]


def test_an_entry_sent_twice_is_stored_once(server: Server) -> None:
    case = new_id()
    entry = drug(case)
    assert server.push("asha", entry) == server.push("asha", entry)
    again = {**entry, "op_id": new_id()}  # a new op for the same entry id
    [conflict] = server.push("asha", again)
    assert conflict["status"] == "conflict" and len(record_of(server, "asha")) == 1


def test_a_malformed_dose_is_refused(server: Server) -> None:
    bad = drug(new_id())
    bad["payload"]["dose_value"] = "300"
    [refused] = server.push("asha", bad)
    assert refused["status"] == "rejected" and "dose_value" in refused["reason"]


def history(encounter_id: str, weight_kg: object = 20) -> dict[str, Any]:
    return op("record.history", new_id(), {
        "encounter_id": encounter_id, "allergies": {"status": "listed", "items": ["Penicillin"]},
        "medications": {"status": "none"}, "past_history": {"status": "not_asked"}, "weight_kg": weight_kg,
        "weight_kind": "estimated"})


def test_history_reaches_the_destination_ward(server: Server) -> None:
    case = new_id()
    [applied] = server.push("asha", history(case))
    server.push("asha", transfer_request(new_id(), LOURDES, encounter_id=case))
    [seen] = record_of(server, "maria")
    assert applied["status"] == "applied" and seen["entity"] == "history"
    assert seen["data"]["allergies"] == {"status": "listed", "items": ["Penicillin"]}


def test_a_weight_out_of_range_is_refused(server: Server) -> None:
    [refused] = server.push("asha", history(new_id(), weight_kg=900))
    assert refused["status"] == "rejected" and "weight_kg" in refused["reason"]
