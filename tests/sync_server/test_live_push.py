"""Pushes over the live channel (``WS /sync/live``): the same answers as ``POST /sync/push``, bad input
refused with the status HTTP would give and nothing applied, the connection kept for the next push."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.testclient import WebSocketTestSession

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol import MAX_OPS_PER_PUSH
from sync_server.tokens import issue_token
from tests.sync_server.conftest import AMRITA, Server, hold, op, transfer_request


def live(server: Server, user: str = "asha") -> Any:
    return server.client.websocket_connect("/sync/live", headers={"Authorization": f"Bearer {server.token(user)}"})


def send_push(ws: WebSocketTestSession, token: str, ops: list[dict[str, Any]], request_id: int = 1) -> dict[str, Any]:
    ws.send_text(json.dumps({"type": "push", "request_id": request_id, "token": token, "ops": ops}))
    return answer_to(ws, request_id)


def answer_to(ws: WebSocketTestSession, request_id: int | None) -> dict[str, Any]:
    while True:  # cursor notices may come first
        message = json.loads(ws.receive_text())
        if "cursor" not in message or "request_id" in message:
            assert message["request_id"] == request_id
            return dict(message)


def transfers_seen_by_coordinator(server: Server) -> int:
    return len([c for c in server.pull("rahul")["changes"] if c["entity"] == "transfer"])


def test_live_push_applies_ops_and_answers_with_cursor(server: Server) -> None:
    transfer_id = new_id()
    with live(server) as ws:
        answer = send_push(ws, server.token("asha"), [transfer_request(transfer_id), hold(new_id(), transfer_id)])
    assert answer["type"] == "pushed" and [r["status"] for r in answer["results"]] == ["applied", "applied"]
    assert answer["cursor"] == server.pull("rahul")["cursor"]


def test_live_push_repeated_gets_stored_answers_and_applies_once(server: Server) -> None:
    ops = [transfer_request(new_id())]
    with live(server) as ws:
        first = send_push(ws, server.token("asha"), ops, request_id=1)
        again = send_push(ws, server.token("asha"), ops, request_id=2)
    assert again["results"] == first["results"]
    assert transfers_seen_by_coordinator(server) == 1


def test_live_push_and_http_push_share_at_most_once(server: Server) -> None:
    ops = [transfer_request(new_id())]
    with live(server) as ws:
        over_live = send_push(ws, server.token("asha"), ops)
    assert server.push("asha", *ops) == over_live["results"]
    assert transfers_seen_by_coordinator(server) == 1


def test_hold_refused_over_live_names_reason_and_alternatives(server: Server) -> None:
    with live(server) as ws:
        for _ in range(3):  # Amrita has two ICU beds
            transfer_id = new_id()
            answer = send_push(ws, server.token("asha"), [transfer_request(transfer_id, AMRITA),
                                                          hold(new_id(), transfer_id, AMRITA)])
    refused = answer["results"][1]
    assert refused["status"] == "rejected" and refused["reason"] == "No ICU bed left at Amrita."
    assert [a["name"] for a in refused["alternatives"]] == ["Lourdes Hospital", "Rajagiri Hospital"]


def test_malformed_message_is_refused_422_and_connection_stays(server: Server) -> None:
    with live(server) as ws:
        ws.send_text('{"type": "push", "request_id": 7, "ops": [')
        refused = answer_to(ws, None)
        ok = send_push(ws, server.token("asha"), [transfer_request(new_id())], request_id=8)
    assert refused["type"] == "refused" and refused["status"] == 422
    assert ok["type"] == "pushed"


def test_unknown_op_kind_refuses_the_whole_push(server: Server) -> None:
    bad = {**op("transfer.teleport", new_id(), {}), "device_seq": 99}
    with live(server) as ws:
        refused = send_push(ws, server.token("asha"), [transfer_request(new_id()), bad], request_id=3)
    assert refused["status"] == 422 and "kind" in refused["detail"] and "nothing was applied" in refused["detail"]
    assert transfers_seen_by_coordinator(server) == 0


def test_wrong_types_are_refused_with_request_id(server: Server) -> None:
    bad = {**transfer_request(new_id()), "device_seq": "first"}
    with live(server) as ws:
        refused = send_push(ws, server.token("asha"), [bad], request_id=5)
    assert refused["status"] == 422 and "device_seq" in refused["detail"]


def test_forged_token_in_push_is_401_and_applies_nothing(server: Server) -> None:
    forged = issue_token(b"not the server's secret", subject="x", kind="access", ttl_s=600, now=datetime.now(UTC))
    with live(server) as ws:
        refused = send_push(ws, forged, [transfer_request(new_id())])
    assert refused["status"] == 401
    assert transfers_seen_by_coordinator(server) == 0


def test_expired_token_in_push_is_401(server: Server) -> None:
    expired = issue_token(server.settings.secret, subject=_user_id(server, "asha"), kind="access", ttl_s=60,
                          now=datetime.now(UTC) - timedelta(hours=1))
    with live(server) as ws:
        refused = send_push(ws, expired, [transfer_request(new_id())])
    assert refused["status"] == 401 and "expired" in refused["detail"]


def test_nurse_op_outside_role_is_rejected_over_live(server: Server) -> None:
    transfer_id = new_id()
    with live(server, "maria") as ws:
        answer = send_push(ws, server.token("maria"), [transfer_request(transfer_id)])
    assert answer["results"][0]["status"] == "rejected"


def test_push_over_the_op_limit_is_refused_422(server: Server) -> None:
    too_many = [transfer_request(new_id()) for _ in range(MAX_OPS_PER_PUSH + 1)]
    with live(server) as ws:
        refused = send_push(ws, server.token("asha"), too_many)
    assert refused["status"] == 422
    assert transfers_seen_by_coordinator(server) == 0


def _user_id(server: Server, username: str) -> str:
    response = server.client.post("/auth/login", json={"username": username, "password": server.passwords[username]})
    return str(response.json()["user"]["id"])
