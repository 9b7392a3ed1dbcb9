from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol import MAX_BODY_BYTES
from sync_server.tokens import issue_token
from tests.sync_server.conftest import LOURDES, Server, op, transfer_request


def auth(server: Server, user: str = "asha") -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token(user)}"}


def transfer_count(server: Server) -> int:
    return len([c for c in server.pull("rahul")["changes"] if c["entity"] == "transfer"])


def test_malformed_json_is_422_and_applies_nothing(server: Server) -> None:
    response = server.client.post("/sync/push", content=b'{"ops": [', headers={**auth(server),
                                  "Content-Type": "application/json"})
    assert response.status_code == 422 and "nothing was applied" in response.json()["detail"]


def test_unknown_op_kind_refuses_the_whole_batch(server: Server) -> None:
    good = transfer_request(new_id())
    bad = {**op("transfer.teleport", new_id(), {}), "device_seq": 99}
    response = server.client.post("/sync/push", json={"ops": [good, bad]}, headers=auth(server))
    assert response.status_code == 422 and "kind" in response.json()["detail"]
    assert transfer_count(server) == 0


def test_wrong_types_in_envelope_are_422(server: Server) -> None:
    bad = {**transfer_request(new_id()), "device_seq": "first"}
    assert server.client.post("/sync/push", json={"ops": [bad]}, headers=auth(server)).status_code == 422


def test_wrong_payload_type_is_rejected_per_op_with_field_named(server: Server) -> None:
    bad = transfer_request(new_id())
    bad["payload"]["eta_s"] = "soon"
    [result] = server.push("asha", bad)
    assert result["status"] == "rejected" and "eta_s" in result["reason"]


def test_oversized_body_is_413(server: Server) -> None:
    body = json.dumps({"ops": [], "pad": "x" * (MAX_BODY_BYTES + 1)})
    response = server.client.post("/sync/push", content=body, headers={**auth(server),
                                  "Content-Type": "application/json"})
    assert response.status_code == 413


def test_missing_token_is_401(server: Server) -> None:
    assert server.client.get("/sync/pull").status_code == 401


def test_forged_token_is_401(server: Server) -> None:
    forged = issue_token(b"not the server's secret", subject="x", kind="access", ttl_s=600, now=datetime.now(UTC))
    response = server.client.get("/sync/pull", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


def test_non_ascii_refresh_token_is_401_not_500(server: Server) -> None:
    response = server.client.post("/auth/refresh", json={"refresh_token": "é.ñ"})
    assert response.status_code == 401 and "refused" in response.json()["detail"]


def test_expired_token_is_401_with_reason(server: Server) -> None:
    old = issue_token(server.settings.secret, subject="x", kind="access", ttl_s=60,
                      now=datetime.now(UTC) - timedelta(hours=1))
    response = server.client.get("/sync/pull", headers={"Authorization": f"Bearer {old}"})
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_refresh_token_is_not_an_access_token(server: Server) -> None:
    login = server.client.post("/auth/login", json={"username": "asha", "password": server.passwords["asha"]}).json()
    response = server.client.get("/sync/pull", headers={"Authorization": f"Bearer {login['refresh_token']}"})
    assert response.status_code == 401
    refreshed = server.client.post("/auth/refresh", json={"refresh_token": login["refresh_token"]})
    assert refreshed.status_code == 200 and refreshed.json()["access_token"]


def test_wrong_password_is_401(server: Server) -> None:
    response = server.client.post("/auth/login", json={"username": "asha", "password": "guess"})
    assert response.status_code == 401 and response.json()["detail"] == "Unknown user name or wrong password."


def test_too_many_ops_in_one_push_is_422(server: Server) -> None:
    ops = [transfer_request(new_id()) for _ in range(501)]
    assert server.client.post("/sync/push", json={"ops": ops}, headers=auth(server)).status_code == 422


@pytest.mark.parametrize(("kind", "payload"), [
    ("handoff.add", {"transfer_id": []}),
    ("booking.hold", {"transfer_id": {}, "hospital_id": [], "unit": "ICU"}),
    ("transfer.request", {"encounter_id": ["x"], "destination_hospital_id": LOURDES, "unit": "ICU"}),
])
def test_a_list_where_an_id_belongs_is_refused_as_malformed_not_a_crash(server: Server, kind: str,
                                                                         payload: dict[str, object]) -> None:
    [result] = server.push("asha", op(kind, new_id(), payload))
    assert result["status"] == "rejected" and result["reason"].startswith(f"Malformed {kind}")
