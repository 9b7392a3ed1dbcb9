"""The body limit counts what arrives: a body sent without ``Content-Length`` (chunked) is refused with 413
as soon as the count passes the limit, and nothing of it is applied or written (SQLite and PostgreSQL).

The app is driven as uvicorn drives it for a chunked request: one ``http.request`` message per piece,
made only when asked for, so 50 MB go through without being held anywhere."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from emsync_desktop.domain.ids import new_id
from emsync_desktop.sync.protocol import MAX_BODY_BYTES
from tests.sync_server.conftest import Server, transfer_request
from tests.sync_server.test_blobs import study

PIECE = 64 * 1024
FIFTY_MB = 50 * 1024 * 1024


class Streamed:
    """What the app asked for and answered to one chunked request."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self.pieces = pieces
        self.bytes_taken = 0
        self.status = 0
        self.body = b""
        self.headers: dict[bytes, bytes] = {}

    async def receive(self) -> dict[str, Any]:
        piece = next(self.pieces, None)
        if piece is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        self.bytes_taken += len(piece)
        return {"type": "http.request", "body": piece, "more_body": True}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status, self.headers = message["status"], dict(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")


def send_chunked(server: Server, method: str, path: str, query: str, user: str, pieces: Iterator[bytes]) -> Streamed:
    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": query.encode(), "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
             "headers": [(b"host", b"testserver"), (b"transfer-encoding", b"chunked"),
                         (b"content-type", b"application/json"),
                         (b"authorization", f"Bearer {server.token(user)}".encode())]}
    streamed = Streamed(pieces)
    asyncio.run(server.client.app(scope, streamed.receive, streamed.send))
    return streamed


def padded(head: bytes, tail: bytes, size: int) -> Iterator[bytes]:
    """``head``, spaces, ``tail``: ``size`` bytes of valid JSON when head and tail are."""
    yield head
    left = size - len(head) - len(tail)
    while left > 0:
        yield b" " * min(PIECE, left)
        left -= PIECE
    yield tail


def zeros(size: int) -> Iterator[bytes]:
    for start in range(0, size, PIECE):
        yield bytes(min(PIECE, size - start))


def test_chunked_push_over_the_limit_is_413_before_the_rest_is_read_and_applies_nothing(server: Server) -> None:
    transfer_id = new_id()
    head = json.dumps({"ops": [transfer_request(transfer_id)]})[:-1].encode()  # the op, then padding, then "}"
    answer = send_chunked(server, "POST", "/sync/push", "", "asha", padded(head, b"}", FIFTY_MB))
    assert answer.status == 413 and "nothing was applied" in json.loads(answer.body)["detail"]
    assert answer.bytes_taken <= MAX_BODY_BYTES + PIECE
    assert [c for c in server.pull("rahul")["changes"] if c["entity"] == "transfer"] == []


def test_chunked_blob_chunk_over_the_limit_is_413_and_writes_nothing(server: Server) -> None:
    size = 200 * 1024 * 1024
    sha = hashlib.sha256(b"a radiograph of 200 MB").hexdigest()
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    [added] = server.push("maria", study(transfer_id, sha, size))
    assert added["status"] == "applied"
    answer = send_chunked(server, "PUT", f"/blobs/{sha}", f"offset=0&total={size}", "maria", zeros(FIFTY_MB))
    assert answer.status == 413 and answer.bytes_taken <= MAX_BODY_BYTES + PIECE
    blob_dir = server.settings.blob_dir
    assert blob_dir is not None and not [path for path in blob_dir.rglob("*") if path.is_file()]
    status = server.client.get(f"/blobs/{sha}/status", headers={"Authorization": f"Bearer {server.token('maria')}"})
    assert status.json()["received"] == 0


def test_chunked_body_within_the_limit_is_taken(server: Server) -> None:
    head = json.dumps({"ops": [transfer_request(new_id())]})[:-1].encode()
    answer = send_chunked(server, "POST", "/sync/push", "", "asha", padded(head, b"}", MAX_BODY_BYTES))
    assert answer.status == 200 and json.loads(answer.body)["results"][0]["status"] == "applied"

