"""Ops and feed look-ups for the blood bank's server tests (issue 24)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from emsync_desktop.domain.blood import din_check_character
from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol import FEED_VERSION
from tests.sync_server.conftest import Server, op

NOW = datetime.now(UTC).replace(microsecond=0)
_sequence = itertools.count(100_001)


def new_din() -> str:
    """A donation number never used before in this run, with its check character (as typed from the label)."""
    din = f"G1234{NOW:%y}{next(_sequence):06d}"
    return din + din_check_character(din)


def unit_add(abo: str = "O", rhd_positive: bool = False, component: str = "red_cells", *,
             expires_in: timedelta | None = None, din: str | None = None, product_code: str = "E0336V00",
             unit_id: str | None = None) -> dict[str, Any]:
    collected = NOW - timedelta(days=2)
    payload: dict[str, Any] = {"din": din or new_din(), "product_code": product_code, "component": component,
                               "abo": abo, "rhd_positive": rhd_positive, "volume_ml": 280,
                               "collected_at": collected.isoformat(), "location": "Fridge 1"}
    if expires_in is not None:
        payload["expires_at"] = (NOW + expires_in).isoformat()
    return op("blood.unit_add", unit_id or new_id(), payload)  # collected 2 days ago: a label may say up to 5 days


def blood_request(counts: dict[str, int], *, abo: str | None = "O", rhd_positive: bool | None = True,
                  childbearing: bool = False, urgency: str = "urgent", transfer_id: str | None = None,
                  request_id: str | None = None, name: str = "Anil Kumar", second: str = "1970-03-04") -> dict[
        str, Any]:
    return op("blood.request", request_id or new_id(), {
        "transfer_id": transfer_id, "patient_name": name, "patient_second_id": second, "abo": abo,
        "rhd_positive": rhd_positive, "childbearing": childbearing, "urgency": urgency, "counts": counts,
        "reason": "GI bleed"})


def allocate(request_id: str, *unit_ids: str) -> dict[str, Any]:
    return op("blood.allocate", request_id, {"unit_ids": list(unit_ids)})


def issue(request_id: str, *unit_ids: str) -> dict[str, Any]:
    return op("blood.issue", request_id, {"unit_ids": list(unit_ids)})


def transfuse(unit_id: str, request_id: str, din: str, name: str = "Anil Kumar", second: str = "1970-03-04") -> dict[
        str, Any]:
    return op("blood.transfuse", unit_id, {"request_id": request_id, "scanned_din": din, "patient_name": name,
                                           "patient_second_id": second, "started_at": NOW.isoformat()})


def move(unit_id: str, target: str, reason: str = "") -> dict[str, Any]:
    return op("blood.unit_move", unit_id, {"target": target, "reason": reason})


def seen(server: Server, username: str, entity: str) -> dict[str, dict[str, Any]]:
    """Each record's newest data of ``entity`` as ``username`` pulls it."""
    response = server.client.get("/sync/pull", params={"since": 0, "feed": FEED_VERSION, "limit": 1000},
                                 headers={"Authorization": f"Bearer {server.token(username)}"})
    assert response.status_code == 200, response.text
    return {c["entity_id"]: c["data"] for c in response.json()["changes"] if c["entity"] == entity}


def stocked(server: Server, *units: dict[str, Any], user: str = "joseph") -> list[str]:
    """Register ``units`` (from ``unit_add``) on ``user``'s shelf; their ids."""
    results = server.push(user, *units)
    assert [r["status"] for r in results] == ["applied"] * len(units), results
    return [u["entity_id"] for u in units]


def applied(server: Server, user: str, *ops: dict[str, Any]) -> None:
    results = server.push(user, *ops)
    assert [r["status"] for r in results] == ["applied"] * len(ops), results
