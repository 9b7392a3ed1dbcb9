"""The donor registry on the server (issue 24): kept by its blood bank's staff, seen by them only (not the ward,
not the desk); a donation moves the next eligible date; a deferral needs its reason. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol_blood import DONOR_ENTITY
from tests.sync_server.blood_helpers import NOW, applied, seen
from tests.sync_server.conftest import Server, op


def register(name: str = "Anu Mathew", phone: str = "+91 94470 12345", abo: str = "O") -> dict[str, Any]:
    return op("donor.register", new_id(), {"name": name, "phone": phone, "abo": abo, "rhd_positive": False})


def test_a_donor_is_seen_by_the_blood_banks_staff_only(server: Server) -> None:
    donor = register()
    applied(server, "joseph", donor)
    assert seen(server, "joseph", DONOR_ENTITY)[donor["entity_id"]]["name"] == "Anu Mathew"
    for other in ("maria", "rahul", "lakshmi", "asha"):
        assert seen(server, other, DONOR_ENTITY) == {}


def test_a_donation_today_becomes_the_last_donation(server: Server) -> None:
    donor = register()
    applied(server, "joseph", donor)
    applied(server, "joseph", op("donor.donation", donor["entity_id"], {"given_at": NOW.isoformat(),
                                                                      "kind": "whole_blood"}))
    data = seen(server, "joseph", DONOR_ENTITY)[donor["entity_id"]]
    assert (data["last_given_at"], data["last_kind"], len(data["donations"])) == (NOW.isoformat(), "whole_blood", 1)


def test_a_deferral_needs_its_reason_and_can_be_lifted(server: Server) -> None:
    donor = register()
    applied(server, "joseph", donor)
    until = (NOW + timedelta(days=28)).isoformat()
    [refused] = server.push("joseph", op("donor.defer", donor["entity_id"], {"until": until, "reason": ""}))
    assert refused["status"] == "rejected" and "Say why" in refused["reason"]
    applied(server, "joseph", op("donor.defer", donor["entity_id"], {"until": until, "reason": "malaria area"}),
            op("donor.defer", donor["entity_id"], {"until": None}))
    assert seen(server, "joseph", DONOR_ENTITY)[donor["entity_id"]]["deferred_until"] is None


def test_a_nurse_or_another_blood_bank_cannot_keep_the_registry(server: Server) -> None:
    donor = register()
    [by_nurse] = server.push("maria", donor)
    applied(server, "joseph", {**donor, "op_id": new_id()})
    [elsewhere] = server.push("lakshmi", op("donor.donation", donor["entity_id"], {"given_at": NOW.isoformat(),
                                                                                   "kind": "plasma"}))
    assert "may not keep the donor registry" in by_nurse["reason"] and "another blood bank" in elsewhere["reason"]


def test_a_phone_that_is_not_a_number_is_refused(server: Server) -> None:
    [refused] = server.push("joseph", register(phone="ring after six"))
    assert refused["status"] == "rejected" and "digits" in refused["reason"]


def test_a_donor_who_gave_weeks_ago_cannot_give_again_yet(server: Server) -> None:
    donor = register()
    applied(server, "joseph", donor)
    given = {"given_at": NOW.isoformat(), "kind": "whole_blood"}
    applied(server, "joseph", op("donor.donation", donor["entity_id"], given))
    [again] = server.push("joseph", op("donor.donation", donor["entity_id"], given))
    assert again["status"] == "rejected" and "may give again from" in again["reason"]


def test_the_same_person_is_not_registered_twice(server: Server) -> None:
    applied(server, "joseph", register())
    [twice] = server.push("joseph", register(name="anu  mathew", phone="+91-94470-12345"))
    assert twice["status"] == "rejected" and "on the registry already" in twice["reason"]
