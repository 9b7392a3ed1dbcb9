"""Blood units on the server (issue 24): registered by the blood bank with a checked donation number, seen by the
hospital and the desks only, moved only as the rules allow, transfused after the bedside check. SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from emsync_desktop.sync.protocol_blood import BLOOD_REQUEST_ENTITY, BLOOD_UNIT_ENTITY
from sync_server.blood_shelf import BLOOD_UNITS
from tests.sync_server.blood_helpers import (
    allocate,
    applied,
    blood_request,
    issue,
    move,
    new_din,
    seen,
    stocked,
    transfuse,
    unit_add,
)
from tests.sync_server.conftest import AMRITA, LOURDES, Server, op


def test_a_registered_unit_reaches_its_hospital_and_the_desk_only(server: Server) -> None:
    [unit_id] = stocked(server, unit_add())
    for viewer in ("joseph", "maria", "rahul"):
        assert seen(server, viewer, BLOOD_UNIT_ENTITY)[unit_id]["state"] == "available"
    for outsider in ("anu", "lakshmi", "asha"):
        assert unit_id not in seen(server, outsider, BLOOD_UNIT_ENTITY)


def test_a_mistyped_donation_number_is_refused_with_what_to_do(server: Server) -> None:
    din = new_din()
    wrong = din[:-1] + ("A" if din[-1] != "A" else "B")
    [result] = server.push("joseph", unit_add(din=wrong))
    assert result["status"] == "rejected" and "check character does not match" in result["reason"]


def test_the_same_bag_cannot_be_registered_twice(server: Server) -> None:
    din = new_din()
    stocked(server, unit_add(din=din))
    [again] = server.push("joseph", unit_add(din=din))
    assert again["status"] == "rejected" and "registered already" in again["reason"]


def test_the_same_donations_component_with_another_product_code_is_refused_too(server: Server) -> None:
    din = new_din()
    stocked(server, unit_add(din=din))
    [again] = server.push("joseph", unit_add(din=din, product_code="E0336VA0"))
    [plasma] = server.push("joseph", unit_add(din=din, component="plasma", product_code="E2555V00"))
    assert again["status"] == "rejected" and "scanned twice" in again["reason"]
    assert plasma["status"] == "applied"  # the plasma of the same donation is another bag


def test_only_blood_bank_staff_register_units(server: Server) -> None:
    [result] = server.push("maria", unit_add())
    assert result["status"] == "rejected" and result["reason"] == "A nurse may not register blood units."


def test_expiry_follows_the_shelf_life_unless_the_label_says_otherwise(server: Server) -> None:
    plain, labelled = unit_add(component="platelets"), unit_add(component="platelets", expires_in=timedelta(hours=3))
    stocked(server, plain, labelled)
    units = seen(server, "joseph", BLOOD_UNIT_ENTITY)
    collected = datetime.fromisoformat(plain["payload"]["collected_at"])
    assert datetime.fromisoformat(units[plain["entity_id"]]["expires_at"]) == collected + timedelta(days=5)
    assert units[labelled["entity_id"]]["expires_at"] == labelled["payload"]["expires_at"]


def test_an_already_expired_unit_is_not_put_on_the_shelf(server: Server) -> None:
    [result] = server.push("joseph", unit_add(expires_in=timedelta(minutes=-1)))
    assert result["status"] == "rejected" and "expired" in result["reason"]


def issued_unit(server: Server) -> tuple[str, str, str]:
    """A unit issued to Lourdes for a request of Maria's: (unit id, request id, its donation number)."""
    unit = unit_add(abo="O", rhd_positive=True)
    [unit_id] = stocked(server, unit)
    request = blood_request({"red_cells": 1})
    applied(server, "maria", request)
    applied(server, "joseph", allocate(request["entity_id"]), issue(request["entity_id"], unit_id))
    return unit_id, request["entity_id"], unit["payload"]["din"]


def test_a_transfusion_checked_at_the_bedside_is_recorded_and_closes_the_request(server: Server) -> None:
    unit_id, request_id, din = issued_unit(server)
    applied(server, "maria", transfuse(unit_id, request_id, din, name="  anil KUMAR ", second="1970-03-04"))
    assert seen(server, "rahul", BLOOD_UNIT_ENTITY)[unit_id]["state"] == "transfused"
    assert seen(server, "maria", BLOOD_REQUEST_ENTITY)[request_id]["state"] == "done"


def test_a_wristband_that_does_not_match_stops_the_transfusion(server: Server) -> None:
    unit_id, request_id, din = issued_unit(server)
    [wrong_person] = server.push("maria", transfuse(unit_id, request_id, din, second="1971-03-04"))
    [wrong_bag] = server.push("maria", transfuse(unit_id, request_id, new_din()))
    assert wrong_person["status"] == wrong_bag["status"] == "rejected"
    assert "second identifier does not match" in wrong_person["reason"]
    assert "not this unit's" in wrong_bag["reason"]
    assert seen(server, "maria", BLOOD_UNIT_ENTITY)[unit_id]["state"] == "issued"


def test_another_hospitals_nurse_cannot_record_the_transfusion(server: Server) -> None:
    unit_id, request_id, din = issued_unit(server)
    [result] = server.push("anu", transfuse(unit_id, request_id, din))
    assert result["status"] == "rejected" and "another hospital" in result["reason"]


def test_a_unit_returned_unused_stays_on_its_request_and_can_go_back_on_the_shelf(server: Server) -> None:
    unit_id, request_id, _ = issued_unit(server)
    [no_reason] = server.push("maria", move(unit_id, "returned"))
    assert no_reason["status"] == "rejected" and "Say why" in no_reason["reason"]
    applied(server, "maria", move(unit_id, "returned", "patient stopped bleeding, kept in the cool box"))
    applied(server, "joseph", move(unit_id, "available", "cold chain checked"))
    assert seen(server, "joseph", BLOOD_UNIT_ENTITY)[unit_id]["state"] == "available"
    request = seen(server, "maria", BLOOD_REQUEST_ENTITY)[request_id]
    assert (request["state"], request["units"][0]["state"]) == ("done", "returned")


def test_a_unit_moved_into_the_past_cannot_be_issued_only_discarded(server: Server) -> None:
    [unit_id] = stocked(server, unit_add(abo="O", rhd_positive=True))
    request = blood_request({"red_cells": 1})
    applied(server, "maria", request)
    applied(server, "joseph", allocate(request["entity_id"]))
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        session.execute(update(BLOOD_UNITS).where(BLOOD_UNITS.c.id == unit_id)
                        .values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    [refused] = server.push("joseph", issue(request["entity_id"], unit_id))
    assert refused["status"] == "rejected" and "cannot be issued" in refused["reason"]
    applied(server, "joseph", move(unit_id, "discarded", "expired on the shelf"))
    assert seen(server, "joseph", BLOOD_REQUEST_ENTITY)[request["entity_id"]]["state"] == "open"


def test_every_move_is_kept_in_the_units_history_with_who_made_it(server: Server) -> None:
    unit_id, request_id, din = issued_unit(server)
    applied(server, "maria", transfuse(unit_id, request_id, din))
    history = seen(server, "rahul", BLOOD_UNIT_ENTITY)[unit_id]["history"]
    assert [h["state"] for h in history] == ["available", "reserved", "issued", "transfused"]
    assert [h["by_id"] is not None for h in history] == [True] * 4


def test_a_unit_sent_to_another_hospital_leaves_one_shelf_and_is_on_the_other(server: Server) -> None:
    [unit_id] = stocked(server, unit_add("O", False))
    applied(server, "joseph", op("blood.unit_send", unit_id, {"to_hospital_id": AMRITA, "reason": "Amrita ran out"}))
    assert seen(server, "lakshmi", BLOOD_UNIT_ENTITY)[unit_id]["hospital_id"] == AMRITA
    assert seen(server, "joseph", BLOOD_UNIT_ENTITY)[unit_id]["hospital_id"] == AMRITA  # Lourdes sees it leave
    [not_theirs] = server.push("joseph", op("blood.unit_send", unit_id, {"to_hospital_id": LOURDES, "reason": "back"}))
    assert not_theirs["status"] == "rejected" and "another hospital's shelf" in not_theirs["reason"]


def test_a_reserved_unit_cannot_be_sent(server: Server) -> None:
    [unit_id] = stocked(server, unit_add("O", True))
    request = blood_request({"red_cells": 1})
    applied(server, "maria", request)
    applied(server, "joseph", allocate(request["entity_id"]))
    [refused] = server.push("joseph", op("blood.unit_send", unit_id, {"to_hospital_id": AMRITA, "reason": "need"}))
    assert refused["status"] == "rejected" and "Only an available" in refused["reason"]


def test_a_transfusion_started_after_the_expiry_is_refused(server: Server) -> None:
    unit_id, request_id, din = issued_unit(server)
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        session.execute(update(BLOOD_UNITS).where(BLOOD_UNITS.c.id == unit_id)
                        .values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    [refused] = server.push("maria", transfuse(unit_id, request_id, din))
    assert refused["status"] == "rejected" and "return it to the blood bank" in refused["reason"]


def test_a_label_expiry_later_than_the_component_keeps_is_refused(server: Server) -> None:
    [refused] = server.push("joseph", unit_add(component="platelets", expires_in=timedelta(days=400)))
    assert refused["status"] == "rejected" and "check the label's date" in refused["reason"]


def test_a_donations_components_share_the_donors_group(server: Server) -> None:
    din = new_din()
    stocked(server, unit_add("O", True, din=din))
    [refused] = server.push("joseph", unit_add("A", True, "cryo", din=din, product_code="E5165V00"))
    assert refused["status"] == "rejected" and "registered as O pos" in refused["reason"]
