"""Malformed messages on a real server's live channel (uvicorn's WebSocket, not the test client's) are
refused and the connection carries the next push. The database does not matter: the server's SQLite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol import MAX_BODY_BYTES
from tests.e2e.server_process import ServerProcess, running_server
from tests.sync_server.conftest import transfer_request


def next_answer(ws: ClientConnection) -> dict[str, Any]:
    while True:  # cursor notices come between
        message = json.loads(ws.recv(timeout=30))
        if "request_id" in message:
            return dict(message)


@pytest.fixture
def server(tmp_path: Path) -> Any:
    (tmp_path / "server").mkdir()
    with running_server(tmp_path / "server") as proc:
        yield proc


@pytest.mark.slow
def test_malformed_messages_are_refused_and_the_connection_carries_the_next_push(server: ServerProcess) -> None:
    token = server.login("asha")
    deep = '{"type": "push", "request_id": 1, "ops": ' + "[" * 100_000 + "]" * 100_000 + "}"
    big = json.dumps({"type": "push", "request_id": 2, "token": token, "ops": [], "pad": "x" * 2 * MAX_BODY_BYTES})
    good = json.dumps({"type": "push", "request_id": 3, "token": token, "ops": [transfer_request(new_id())]})
    with connect(server.url.replace("http://", "ws://") + "/sync/live", max_size=None,
                 additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        answers = []
        for message in (deep, big, "not json", good):
            ws.send(message)
            answers.append(next_answer(ws))
    assert [(a["type"], a.get("status")) for a in answers] == [
        ("refused", 422), ("refused", 413), ("refused", 422), ("pushed", None)]
    assert answers[3]["results"][0]["status"] == "applied"
