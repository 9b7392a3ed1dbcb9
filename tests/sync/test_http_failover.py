"""SyncHttp with several addresses, against real loopback servers: fails over only when an address gives no
HTTP answer, keeps the one that answered, and re-sends a push whose answer was lost."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.http import AuthRejected, ServerUnreachable, SyncError, SyncHttp
from emsync_desktop.sync.protocol import Op
from tests.e2e.server_process import free_port


class Answering(ThreadingHTTPServer):
    """Answers every request with ``status`` (200: a health check's or a push's JSON); keeps the bodies."""

    def __init__(self, status: int = 200) -> None:
        self.status, self.bodies = status, list[dict[str, Any]]()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: Answering

    def do_GET(self) -> None:
        self._answer({"ok": True})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.bodies.append(body)
        ops = body.get("ops", [])
        self._answer({"results": [{"op_id": op["op_id"], "status": "applied", "version": 1} for op in ops],
                      "cursor": len(ops)})

    def _answer(self, body: dict[str, Any]) -> None:
        data = json.dumps(body if self.server.status == 200 else {"detail": "refused"}).encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: Any) -> None:
        pass


class Dropping:
    """Accepts a connection, reads the whole request, then closes without a word: a server that died
    after the request was sent. Counts the requests it swallowed."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.swallowed: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                head = b""
                while b"\r\n\r\n" not in head:
                    head += conn.recv(65536)
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                body = head.split(b"\r\n\r\n", 1)[1]
                while len(body) < length:
                    body += conn.recv(65536)
                self.swallowed.append(body)

    def close(self) -> None:
        self._sock.close()


@pytest.fixture
def answering() -> Iterator[list[Answering]]:
    started: list[Answering] = []
    yield started
    for server in started:
        server.shutdown()
        server.server_close()


def serve(started: list[Answering], status: int = 200) -> Answering:
    server = Answering(status)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    started.append(server)
    return server


@pytest.fixture
def dropping() -> Iterator[Dropping]:
    server = Dropping()
    yield server
    server.close()


DEVICE = new_id()


def ops(count: int) -> list[Op]:
    return [Op(op_id=new_id(), device_id=DEVICE, device_seq=i + 1, kind="transfer.request", entity_id=new_id(),
               payload={"encounter_id": new_id(), "destination_hospital_id": new_id(), "unit": "ICU"})
            for i in range(count)]


def test_request_to_a_closed_address_is_answered_by_the_next(answering: list[Answering]) -> None:
    second = serve(answering)
    http = SyncHttp([f"http://127.0.0.1:{free_port()}", second.url])
    http.probe()
    assert http.base_url == second.url and http.servers.describe() == "server 2 of 2 (127.0.0.1)"


def test_address_that_answered_stays_preferred(answering: list[Answering], dropping: Dropping) -> None:
    second = serve(answering)
    http = SyncHttp([dropping.url, second.url])
    http.push("t", ops(1))
    http.push("t", ops(1))
    assert len(dropping.swallowed) == 1 and len(second.bodies) == 2  # the second push went straight to it


@pytest.mark.parametrize(("status", "error"), [(500, ServerUnreachable), (503, ServerUnreachable),
                                               (401, AuthRejected)])
def test_http_answer_is_not_a_reason_to_fail_over(answering: list[Answering], status: int,
                                                  error: type[SyncError]) -> None:
    first, second = serve(answering, status), serve(answering)
    http = SyncHttp([first.url, second.url])
    with pytest.raises(error):
        http.push("t", ops(1))
    assert len(first.bodies) == 1 and second.bodies == [] and http.base_url == first.url


def test_push_whose_answer_was_lost_is_sent_again_to_the_next(answering: list[Answering],
                                                                dropping: Dropping) -> None:
    second = serve(answering)
    sent = ops(3)
    response = SyncHttp([dropping.url, second.url]).push("t", sent)
    lost = [op["op_id"] for op in json.loads(dropping.swallowed[0])["ops"]]
    assert lost == [op["op_id"] for op in second.bodies[0]["ops"]] == [op.op_id for op in sent]
    assert [r.op_id for r in response.results] == lost  # same op ids: the server answers a repeat from its store


def test_no_address_answering_is_unreachable_after_trying_each_once(dropping: Dropping) -> None:
    http = SyncHttp([dropping.url, f"http://127.0.0.1:{free_port()}"])
    with pytest.raises(ServerUnreachable):
        http.push("t", ops(1))
    assert len(dropping.swallowed) == 1 and http.base_url == dropping.url  # preference kept: nobody answered
