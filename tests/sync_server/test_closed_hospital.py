"""A closed hospital takes no patients: requests, holds and redirects to it are refused with the reason, it is
never offered as an alternative, and its beds leave the network's hourly figures."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from emsync_desktop.domain.ids import new_id
from sync_server.capacity_hours import bed_counts
from sync_server.network import import_network
from tests.sync_server.conftest import AMRITA, LOURDES, NETWORK, UNITS, Server, hold, op, transfer_request


def close_amrita(server: Server) -> None:
    network = copy.deepcopy(NETWORK)
    network["hospitals"] = [h for h in network["hospitals"] if h["short_name"] != "Amrita"]
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        import_network(session, network, datetime.now(UTC))


def test_a_transfer_to_a_closed_hospital_is_refused_with_the_reason(server: Server) -> None:
    close_amrita(server)
    [result] = server.push("asha", transfer_request(new_id(), hospital=AMRITA))
    assert result["status"] == "rejected" and "Amrita has closed" in result["reason"]


def test_a_closed_hospital_is_not_offered_when_a_unit_is_full(server: Server) -> None:
    close_amrita(server)
    results = []
    for _ in range(UNITS["ICU"] + 1):
        transfer_id = new_id()
        results += server.push("asha", transfer_request(transfer_id, hospital=LOURDES), hold(new_id(), transfer_id))
    refused = results[-1]
    assert refused["status"] == "rejected"
    assert AMRITA not in {a["hospital_id"] for a in refused.get("alternatives") or []}


def test_a_closed_hospitals_beds_leave_the_hourly_figures(server: Server) -> None:
    with server.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        before = bed_counts(session)["ICU"][0]
    close_amrita(server)
    with server.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        assert bed_counts(session)["ICU"][0] == before - UNITS["ICU"]


def test_a_redirect_to_a_closed_hospital_is_refused(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id), hold(new_id(), transfer_id))
    close_amrita(server)
    [result] = server.push("rahul", op("transfer.redirect", transfer_id, {
        "destination_hospital_id": AMRITA, "unit": "ICU", "booking_id": new_id(), "reason": "nearer"}))
    assert result["status"] == "rejected" and "has closed" in result["reason"]
