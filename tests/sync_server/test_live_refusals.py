"""The live channel answers every malformed message with a refusal and keeps the connection for the next
push; it signs in with the Authorization header, not a URL. (Reading messages does not touch the
database: SQLite only.)"""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol import MAX_BODY_BYTES
from tests.sync_server.conftest import Server, transfer_request
from tests.sync_server.test_live_push import live, send_push

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def refusal_then_push(server: Server, send: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The answer to what ``send(ws)`` sends, and to a good push sent after it on the same connection."""
    with live(server) as ws:
        send(ws)
        refused = next_answer(ws)
        ok = send_push(ws, server.token("asha"), [transfer_request(new_id())], request_id=99)
    return refused, ok


def next_answer(ws: WebSocketTestSession) -> dict[str, Any]:
    while True:  # cursor notices may come first
        message = json.loads(ws.receive_text())
        if message.get("type") == "refused":
            return dict(message)


def test_message_nested_100000_deep_is_refused_and_the_connection_stays(server: Server) -> None:
    deep = '{"type": "push", "request_id": 4, "ops": ' + "[" * 100_000 + "]" * 100_000 + "}"
    refused, ok = refusal_then_push(server, lambda ws: ws.send_text(deep))
    assert refused["status"] == 422 and "nothing was applied" in refused["detail"]
    assert ok["type"] == "pushed"


def test_message_over_the_push_limit_is_refused_413_with_its_id(server: Server) -> None:
    big = json.dumps({"type": "push", "request_id": 5, "token": "x", "ops": [], "pad": "x" * MAX_BODY_BYTES})
    refused, ok = refusal_then_push(server, lambda ws: ws.send_text(big))
    assert (refused["status"], refused["request_id"]) == (413, 5)
    assert ok["type"] == "pushed"


def test_multibyte_message_over_the_limit_in_bytes_is_refused_413(server: Server) -> None:
    big = json.dumps({"type": "push", "request_id": 6, "ops": [], "pad": "é" * (MAX_BODY_BYTES // 2 + 1)},
                     ensure_ascii=False)
    assert len(big) < MAX_BODY_BYTES < len(big.encode())
    refused, _ok = refusal_then_push(server, lambda ws: ws.send_text(big))
    assert refused["status"] == 413


def test_binary_message_is_refused(server: Server) -> None:
    refused, ok = refusal_then_push(server, lambda ws: ws.send_bytes(b'{"type": "push"}'))
    assert refused["status"] == 422 and "text" in refused["detail"]
    assert ok["type"] == "pushed"


def test_unknown_message_type_is_refused_by_name(server: Server) -> None:
    refused, ok = refusal_then_push(server, lambda ws: ws.send_text('{"type": "subscribe", "request_id": 8}'))
    assert (refused["status"], refused["request_id"]) == (422, 8) and "'subscribe'" in refused["detail"]
    assert ok["type"] == "pushed"


@pytest.mark.parametrize("text", ["", "null", "[]", "3", '"push"', "\u0000", '{"request_id": true, "ops": []}'])
def test_json_of_another_shape_is_refused(server: Server, text: str) -> None:
    refused, ok = refusal_then_push(server, lambda ws: ws.send_text(text))
    assert refused["status"] == 422 and refused["request_id"] is None
    assert ok["type"] == "pushed"


def test_boolean_request_id_is_not_an_integer(server: Server) -> None:
    message = {"type": "push", "request_id": True, "token": server.token("asha"), "ops": []}
    refused, _ok = refusal_then_push(server, lambda ws: ws.send_text(json.dumps(message)))
    assert refused["status"] == 422 and "request_id" in refused["detail"]


def test_signs_in_with_the_authorization_header(server: Server) -> None:
    with live(server) as ws:
        answer = send_push(ws, server.token("asha"), [transfer_request(new_id())])
    assert answer["type"] == "pushed"


def test_no_token_anywhere_is_refused_before_accepting(server: Server) -> None:
    with pytest.raises(WebSocketDisconnect), server.client.websocket_connect("/sync/live") as ws:
        ws.receive_text()


def test_token_in_the_url_still_signs_in_older_desktops(server: Server) -> None:
    with server.client.websocket_connect(f"/sync/live?token={server.token('asha')}") as ws:
        answer = send_push(ws, server.token("asha"), [transfer_request(new_id())])
    assert answer["type"] == "pushed"

