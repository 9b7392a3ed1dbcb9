"""A 50 MB blob chunk sent to a real server with chunked transfer encoding (no Content-Length) is refused
with 413 long before its end, and nothing of it is written. The body is made as the socket takes it,
never held. (The database does not matter here: the server's SQLite.)"""

from __future__ import annotations

import hashlib
import select
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from emsync_desktop.domain.ids import demo_id, new_id
from emsync_desktop.sync.http import SyncHttp
from emsync_desktop.sync.protocol import Op, OpKind
from tests.e2e.server_process import ServerProcess, running_server

PIECE = 64 * 1024
FIFTY_MB = 50 * 1024 * 1024
SIZE = 200 * 1024 * 1024  # the radiograph the study says is coming


@pytest.fixture
def server(tmp_path: Path) -> Any:
    (tmp_path / "server").mkdir()
    with running_server(tmp_path / "server") as proc:
        yield proc


def send_chunked(url: str, request_line: str, headers: dict[str, str], size: int) -> tuple[int, int]:
    """(HTTP status, body bytes handed to the socket before the answer came)."""
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        head = {"Host": parts.netloc, "Transfer-Encoding": "chunked", **headers}
        sock.sendall((request_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head.items()) + "\r\n").encode())
        sock.setblocking(False)
        sent, pending, ended = 0, b"", False
        while True:
            readable, writable, _ = select.select([sock], [] if ended and not pending else [sock], [], 60)
            if readable or not writable:
                break
            if not pending and sent < size:
                piece = min(PIECE, size - sent)
                pending, sent = f"{piece:x}\r\n".encode() + bytes(piece) + b"\r\n", sent + piece
            elif not pending:
                pending, ended = b"0\r\n\r\n", True  # the whole body went: its last chunk
            pending = pending[sock.send(pending):]
        sock.setblocking(True)
        status_line = sock.recv(65536).split(b"\r\n", 1)[0]
    return int(status_line.split()[1]), sent


def study_op(transfer_id: str, sha: str) -> Op:
    payload = {"transfer_id": transfer_id, "sha256": sha, "size_bytes": SIZE, "source_name": "big.dcm",
               "kind": "DICOM", "model_name": "cxr_demo", "model_version": "v1", "probabilities": {"opacity": 0.5},
               "heat_map_class": "opacity", "heat_map": [[0.5]]}
    return Op(op_id=new_id(), device_id=new_id(), device_seq=1, kind=OpKind.IMAGING_ADD, entity_id=new_id(),
              payload=payload)


def transfer_op(transfer_id: str) -> Op:
    payload = {"encounter_id": new_id(), "destination_hospital_id": demo_id("hospital", "Lourdes"), "unit": "ICU"}
    return Op(op_id=new_id(), device_id=new_id(), device_seq=1, kind=OpKind.TRANSFER_REQUEST, entity_id=transfer_id,
              payload=payload)


@pytest.mark.slow
def test_fifty_mb_chunked_blob_chunk_is_413_early_and_writes_nothing(server: ServerProcess) -> None:
    http = SyncHttp(server.url)
    creds = server.credentials()
    crew, ward = (http.login(u, creds[u]).access_token for u in ("asha", "maria"))
    transfer_id, sha = new_id(), hashlib.sha256(b"a radiograph of 200 MB").hexdigest()
    assert http.push(crew, [transfer_op(transfer_id)]).results[0].status == "applied"
    assert http.push(ward, [study_op(transfer_id, sha)]).results[0].status == "applied"
    status, sent = send_chunked(server.url, f"PUT /blobs/{sha}?offset=0&total={SIZE} HTTP/1.1",
                                {"Authorization": f"Bearer {ward}", "Content-Type": "application/octet-stream"},
                                FIFTY_MB)
    assert status == 413 and sent < FIFTY_MB
    assert not [p for p in (server.data_dir / "blobs").rglob("*") if p.is_file()]
    assert http.blob_status(ward, sha).received == 0
