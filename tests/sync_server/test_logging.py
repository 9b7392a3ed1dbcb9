"""The server's log lines: JSON lines a machine can parse (or plain text), never carrying a token."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from sync_server.logging_config import JsonLineFormatter, TextFormatter, redact
from tests.e2e.server_process import ServerProcess, running_server

FAKE_TOKEN = "eyJfake.query.token"


def access_record(path: str) -> logging.LogRecord:
    """What uvicorn's access logger hands the formatter for one request."""
    return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                             ("127.0.0.1:5000", "GET", path, "1.1", 200), None)


@pytest.mark.parametrize("url", [f"/sync/live?token={FAKE_TOKEN}", f"/x?since=3&access_token={FAKE_TOKEN}&y=1",
                                 f"/x?refresh_token={FAKE_TOKEN}", f"/x?TOKEN={FAKE_TOKEN}"])
def test_redact_removes_token_values_from_query_strings(url: str) -> None:
    assert FAKE_TOKEN not in redact(url) and "[redacted]" in redact(url)


def test_redact_keeps_other_parameters() -> None:
    assert redact(f"/x?since=3&token={FAKE_TOKEN}&page=2") == "/x?since=3&token=[redacted]&page=2"


def test_json_access_line_parses_and_names_the_request_without_the_token() -> None:
    line = JsonLineFormatter().format(access_record(f"/sync/live?token={FAKE_TOKEN}"))
    entry = json.loads(line)
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/sync/live?token=[redacted]", 200)
    assert FAKE_TOKEN not in line and "\n" not in line


def test_json_line_with_a_quote_in_the_message_still_parses() -> None:
    record = logging.LogRecord("sync_server", logging.INFO, __file__, 1, "user %r said \"%s\"", ("o'neil", "hi"), None)
    assert json.loads(JsonLineFormatter().format(record))["msg"] == "user \"o'neil\" said \"hi\""


def test_text_line_is_plain_and_redacted() -> None:
    line = TextFormatter().format(access_record(f"/sync/live?token={FAKE_TOKEN}"))
    assert "uvicorn.access" in line and FAKE_TOKEN not in line and not line.lstrip().startswith("{")


def exercise_server(server: ServerProcess) -> list[str]:
    """Requests that put tokens in URLs: a live connection with a real token and one with a bad token,
    and a pull with a token in its query. Returns the token values used."""
    token = server.login(next(iter(server.credentials())))
    ws_url = server.url.replace("http://", "ws://") + "/sync/live"
    with connect(f"{ws_url}?token={token}") as ws:
        ws.recv()  # the cursor the server sends on connect: the connection was accepted
    with pytest.raises(InvalidStatus, match="403"), connect(f"{ws_url}?token={FAKE_TOKEN}") as ws:
        ws.recv()
    requests.get(f"{server.url}/sync/pull?since=0&access_token={token}", timeout=10)
    return [token, FAKE_TOKEN]


def server_log_lines(tmp_path: Path, *extra: str) -> tuple[list[str], list[str]]:
    with running_server(tmp_path / "server", None, *extra) as server:
        tokens = exercise_server(server)
        port = server.port
    text = (tmp_path / f"server-{port}.log").read_text("utf-8")
    return [line for line in text.splitlines() if line.strip()], tokens


def test_every_server_log_line_is_a_json_object_without_tokens(tmp_path: Path) -> None:
    lines, tokens = server_log_lines(tmp_path)
    entries = [json.loads(line) for line in lines]
    assert all(isinstance(e, dict) and {"t", "level", "logger", "msg"} <= e.keys() for e in entries)
    assert any(e.get("path", "").startswith("/sync/pull?since=0&access_token=[redacted]") for e in entries)
    assert any("WebSocket /sync/live?token=[redacted]" in e["msg"] for e in entries)
    assert not [line for line in lines if any(token in line for token in tokens)]


def test_text_server_log_is_plain_without_tokens(tmp_path: Path) -> None:
    lines, tokens = server_log_lines(tmp_path, "--log-format", "text")
    assert lines and not [line for line in lines if "{'" in line or line.startswith("{")]
    assert any("/sync/pull?since=0&access_token=[redacted]" in line for line in lines)
    assert not [line for line in lines if any(token in line for token in tokens)]
