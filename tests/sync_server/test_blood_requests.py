"""Blood requests on the server (issue 24): who may ask whom; the server allocates the closest match first, keeps
O negative for those who need it, first to expire first; shortages said; two requests never share a unit, even
from two server processes at once. SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol_blood import BLOOD_REQUEST_ENTITY, BLOOD_UNIT_ENTITY
from sync_server.app import create_app
from tests.sync_server.blood_helpers import allocate, applied, blood_request, issue, seen, stocked, unit_add
from tests.sync_server.conftest import AMRITA, LOURDES, Server, op, transfer_request


def reserved_for(server: Server, request_id: str) -> list[str]:
    units = seen(server, "joseph", BLOOD_UNIT_ENTITY)
    return sorted(i for i, u in units.items() if u["request_id"] == request_id and u["state"] == "reserved")


def test_a_nurse_asks_her_own_blood_bank_and_sees_the_answer(server: Server) -> None:
    request = blood_request({"red_cells": 2})
    applied(server, "maria", request)
    data = seen(server, "joseph", BLOOD_REQUEST_ENTITY)[request["entity_id"]]
    assert (data["hospital_id"], data["state"], data["counts"]) == (LOURDES, "open", {"red_cells": 2})
    assert request["entity_id"] not in seen(server, "lakshmi", BLOOD_REQUEST_ENTITY)


def test_a_crew_pre_alerts_the_blood_bank_of_its_transfers_destination(server: Server) -> None:
    transfer_id = transfer_request_id(server, hospital=AMRITA)
    request = blood_request({"red_cells": 4, "plasma": 4, "platelets": 1}, abo=None, rhd_positive=None,
                            urgency="emergency", transfer_id=transfer_id)
    applied(server, "asha", request)
    assert seen(server, "lakshmi", BLOOD_REQUEST_ENTITY)[request["entity_id"]]["hospital_id"] == AMRITA
    assert seen(server, "asha", BLOOD_REQUEST_ENTITY)[request["entity_id"]]["state"] == "open"
    [other_crew] = server.push("ravi", blood_request({"red_cells": 1}, transfer_id=transfer_id))
    assert other_crew["status"] == "rejected" and "another crew" in other_crew["reason"]


def transfer_request_id(server: Server, hospital: str = LOURDES) -> str:
    transfer_id = new_id()
    applied(server, "asha", transfer_request(transfer_id, hospital=hospital))
    return transfer_id


def test_a_crew_must_name_its_transfer(server: Server) -> None:
    [result] = server.push("asha", blood_request({"red_cells": 1}))
    assert result["status"] == "rejected" and "on a transfer" in result["reason"]


def test_an_empty_request_or_half_a_group_is_refused(server: Server) -> None:
    [empty] = server.push("maria", blood_request({"red_cells": 0}))
    [half] = server.push("maria", blood_request({"red_cells": 1}, abo="A", rhd_positive=None))
    assert "at least one unit" in empty["reason"] and "together" in half["reason"]


def test_the_server_takes_the_identical_group_first_to_expire_first(server: Server) -> None:
    late, soon, o_neg = (unit_add("A", True, expires_in=timedelta(days=d)) for d in (20, 3, 1))
    o_neg = unit_add("O", False, expires_in=timedelta(hours=30))
    stocked(server, late, soon, o_neg)
    request = blood_request({"red_cells": 1}, abo="A", rhd_positive=True)
    applied(server, "maria", request)
    applied(server, "joseph", allocate(request["entity_id"]))
    assert reserved_for(server, request["entity_id"]) == [soon["entity_id"]]


def test_o_negative_is_kept_from_an_rhd_positive_patient_while_o_positive_lasts(server: Server) -> None:
    o_neg, o_pos = unit_add("O", False, expires_in=timedelta(days=1)), unit_add("O", True, expires_in=timedelta(days=9))
    stocked(server, o_neg, o_pos)
    request = blood_request({"red_cells": 1}, abo="O", rhd_positive=True)
    applied(server, "maria", request)
    applied(server, "joseph", allocate(request["entity_id"]))
    assert reserved_for(server, request["entity_id"]) == [o_pos["entity_id"]]


def test_a_woman_of_childbearing_age_of_unknown_group_gets_o_negative_only(server: Server) -> None:
    o_neg, o_pos = unit_add("O", False), unit_add("O", True)
    stocked(server, o_neg, o_pos)
    request = blood_request({"red_cells": 2}, abo=None, rhd_positive=None, childbearing=True, urgency="emergency")
    applied(server, "maria", request)
    applied(server, "joseph", allocate(request["entity_id"]))
    assert reserved_for(server, request["entity_id"]) == [o_neg["entity_id"]]
    data = seen(server, "maria", BLOOD_REQUEST_ENTITY)[request["entity_id"]]
    assert data["state"] == "open" and "still missing: red cells 1" in data["history"][-1]["reason"]


def test_unknown_group_gets_ab_plasma(server: Server) -> None:
    ab, o = unit_add("AB", True, "plasma"), unit_add("O", True, "plasma")
    stocked(server, ab, o)
    request = blood_request({"plasma": 1}, abo=None, rhd_positive=None, urgency="emergency")
    applied(server, "maria", request)
    applied(server, "joseph", allocate(request["entity_id"]))
    assert reserved_for(server, request["entity_id"]) == [ab["entity_id"]]


def test_nothing_compatible_on_the_shelf_is_refused_with_where_to_look(server: Server) -> None:
    stocked(server, unit_add("B", True))
    request = blood_request({"red_cells": 1}, abo="A", rhd_positive=True)
    applied(server, "maria", request)
    [refused] = server.push("joseph", allocate(request["entity_id"]))
    assert refused["status"] == "rejected" and "No compatible unit" in refused["reason"]


def test_a_unit_named_by_hand_must_suit_the_patient(server: Server) -> None:
    [b_unit] = stocked(server, unit_add("B", True))
    request = blood_request({"red_cells": 1}, abo="A", rhd_positive=True)
    applied(server, "maria", request)
    [refused] = server.push("joseph", allocate(request["entity_id"], b_unit))
    assert refused["status"] == "rejected" and "may not go to this patient" in refused["reason"]


def test_another_hospitals_blood_bank_cannot_allocate(server: Server) -> None:
    request = blood_request({"red_cells": 1})
    applied(server, "maria", request)
    [refused] = server.push("lakshmi", allocate(request["entity_id"]))
    assert refused["status"] == "rejected" and "another hospital" in refused["reason"]


def test_cancelling_puts_reserved_units_back_on_the_shelf(server: Server) -> None:
    [unit_id] = stocked(server, unit_add("O", True))
    request = blood_request({"red_cells": 1})
    applied(server, "maria", request)
    applied(server, "joseph", allocate(request["entity_id"]))
    applied(server, "maria", op("blood.cancel", request["entity_id"], {"reason": "bleeding controlled"}))
    assert seen(server, "joseph", BLOOD_UNIT_ENTITY)[unit_id]["state"] == "available"
    assert seen(server, "maria", BLOOD_REQUEST_ENTITY)[request["entity_id"]]["state"] == "cancelled"


def test_a_request_with_issued_units_cannot_be_cancelled(server: Server) -> None:
    [unit_id] = stocked(server, unit_add("O", True))
    request = blood_request({"red_cells": 1})
    applied(server, "maria", request)
    applied(server, "joseph", allocate(request["entity_id"]), issue(request["entity_id"], unit_id))
    [refused] = server.push("maria", op("blood.cancel", request["entity_id"], {"reason": "not needed"}))
    assert refused["status"] == "rejected" and "return them first" in refused["reason"]


def test_two_server_processes_racing_for_the_last_o_negative_units_give_each_unit_once(server: Server) -> None:
    o_neg = stocked(server, *(unit_add("O", False) for _ in range(5)))
    requests = [blood_request({"red_cells": 2}, abo=None, rhd_positive=None, childbearing=True,
                              urgency="emergency") for _ in range(8)]
    applied(server, "maria", *requests)
    other = create_app(server.settings)  # a second server process on the same database
    headers = {"Authorization": f"Bearer {server.token('joseph')}"}

    def allocate_half(job: tuple[TestClient, list[dict[str, Any]]]) -> list[dict[str, Any]]:
        client, mine = job
        return [client.post("/sync/push", json={"ops": [allocate(r["entity_id"])]}, headers=headers)
                .json()["results"][0] for r in mine]

    with TestClient(other) as other_client, ThreadPoolExecutor(2) as pool:
        answers = [a for done in pool.map(allocate_half, [(server.client, requests[::2]),
                                                          (other_client, requests[1::2])]) for a in done]
    other.state.engine.dispose()
    on_requests = [u["id"] for r in seen(server, "maria", BLOOD_REQUEST_ENTITY).values() for u in r["units"]]
    assert sorted(on_requests) == sorted(o_neg)  # exactly the five on the shelf, each given once
    units = seen(server, "joseph", BLOOD_UNIT_ENTITY)
    assert {units[i]["state"] for i in o_neg} == {"reserved"}
    assert [a["status"] for a in answers].count("applied") == len({units[i]["request_id"] for i in o_neg})


def test_a_man_not_grouped_yet_gets_o_positive_in_an_emergency_and_o_negative_stays(server: Server) -> None:
    o_neg, o_pos = unit_add("O", False, expires_in=timedelta(days=2)), unit_add("O", True, expires_in=timedelta(days=9))
    stocked(server, o_neg, o_pos)
    request = blood_request({"red_cells": 1}, abo=None, rhd_positive=None, childbearing=False, urgency="emergency")
    applied(server, "maria", request)
    applied(server, "joseph", allocate(request["entity_id"]))
    assert reserved_for(server, request["entity_id"]) == [o_pos["entity_id"]]


def test_a_shortage_match_is_never_the_servers_own_choice_but_can_be_allowed(server: Server) -> None:
    [o_pos_platelets] = stocked(server, unit_add("O", True, "platelets"))
    request = blood_request({"platelets": 1}, abo="O", rhd_positive=False, childbearing=True)
    applied(server, "maria", request)
    [refused] = server.push("joseph", allocate(request["entity_id"]))
    assert refused["status"] == "rejected" and "Allow shortage match" in refused["reason"]
    applied(server, "joseph", op("blood.allocate", request["entity_id"], {"unit_ids": [], "shortage": True}))
    assert reserved_for(server, request["entity_id"]) == [o_pos_platelets]
    history = seen(server, "joseph", BLOOD_UNIT_ENTITY)[o_pos_platelets]["history"]
    assert "anti-D" in history[-1]["reason"]  # why it was acceptable, kept with the unit


def test_the_rest_of_a_partly_issued_request_can_still_be_allocated(server: Server) -> None:
    first = stocked(server, unit_add("O", True), unit_add("O", True))
    request = blood_request({"red_cells": 4})
    applied(server, "maria", request)
    applied(server, "joseph", allocate(request["entity_id"]), issue(request["entity_id"], *first))
    assert seen(server, "maria", BLOOD_REQUEST_ENTITY)[request["entity_id"]]["state"] == "open"
    later = stocked(server, unit_add("O", True), unit_add("O", True))
    applied(server, "joseph", allocate(request["entity_id"]))
    assert reserved_for(server, request["entity_id"]) == sorted(later)


def test_the_desk_sees_blood_units_but_not_patients_requests(server: Server) -> None:
    stocked(server, unit_add())
    applied(server, "maria", blood_request({"red_cells": 1}))
    assert seen(server, "rahul", BLOOD_UNIT_ENTITY) and seen(server, "rahul", BLOOD_REQUEST_ENTITY) == {}


def test_the_blood_bank_does_not_receive_the_hospitals_transfers(server: Server) -> None:
    transfer_request_id(server)
    pulled = server.client.get("/sync/pull", params={"since": 0, "feed": 5},
                               headers={"Authorization": f"Bearer {server.token('joseph')}"}).json()["changes"]
    assert not {c["entity"] for c in pulled} & {"transfer", "booking", "bed"}


def test_a_redirected_patients_pre_alert_is_cancelled_and_its_units_go_back(server: Server) -> None:
    transfer_id = transfer_request_id(server)
    [unit_id] = stocked(server, unit_add("O", False))
    request = blood_request({"red_cells": 1}, abo=None, rhd_positive=None, childbearing=True, urgency="emergency",
                            transfer_id=transfer_id)
    applied(server, "asha", request)
    applied(server, "joseph", allocate(request["entity_id"]))
    applied(server, "rahul", op("transfer.redirect", transfer_id, {
        "destination_hospital_id": AMRITA, "unit": "ICU", "booking_id": new_id(), "reason": "nearer"}))
    data = seen(server, "asha", BLOOD_REQUEST_ENTITY)[request["entity_id"]]
    assert data["state"] == "cancelled" and "redirected to" in data["history"][-1]["reason"]
    assert seen(server, "joseph", BLOOD_UNIT_ENTITY)[unit_id]["state"] == "available"


def test_a_cancelled_transfers_pre_alert_is_cancelled(server: Server) -> None:
    transfer_id = transfer_request_id(server)
    request = blood_request({"red_cells": 1}, transfer_id=transfer_id)
    applied(server, "asha", request)
    applied(server, "asha", op("transfer.transition", transfer_id, {"target": "CANCELLED", "reason": "refused"}))
    assert seen(server, "asha", BLOOD_REQUEST_ENTITY)[request["entity_id"]]["state"] == "cancelled"
