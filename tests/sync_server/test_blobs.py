"""Radiograph files by content hash: resumable upload, verified on completion, fetched only by those who
may see the study (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from emsync_desktop.domain.ids import new_id
from tests.sync_server.conftest import AMRITA, Server, op, transfer_request

FILE = os.urandom(1_300_000)  # three chunks of 512 KiB
SHA = hashlib.sha256(FILE).hexdigest()
CHUNK = 512 * 1024


def headers(server: Server, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {server.token(user)}"}


def put(server: Server, offset: int, data: bytes, sha: str = SHA, total: int = len(FILE)) -> Any:
    return server.client.put(f"/blobs/{sha}", params={"offset": offset, "total": total}, content=data,
                             headers=headers(server, "maria") | {"Content-Type": "application/octet-stream"})


def study(transfer_id: str, sha: str = SHA, size: int = len(FILE)) -> dict[str, Any]:
    return op("imaging.add", new_id(), {
        "transfer_id": transfer_id, "sha256": sha, "size_bytes": size, "source_name": "chest.dcm",
        "kind": "DICOM", "modality": "CR", "model_name": "cxr_demo", "model_version": "v1",
        "probabilities": {"clear": 0.3, "opacity": 0.7}, "heat_map_class": "opacity", "heat_map": [[0.0, 1.0]]})


def test_upload_resumes_from_what_the_server_has_and_completes_when_the_hash_matches(server: Server) -> None:
    assert put(server, 0, FILE[:CHUNK]).json() == {"sha256": SHA, "received": CHUNK, "complete": False}
    # the client died here; on restart it asks, then goes on from there
    status = server.client.get(f"/blobs/{SHA}/status", headers=headers(server, "maria")).json()
    assert status["received"] == CHUNK
    assert put(server, CHUNK, FILE[CHUNK:2 * CHUNK]).status_code == 200
    assert put(server, 2 * CHUNK, FILE[2 * CHUNK:]).json()["complete"] is True


def test_chunk_at_the_wrong_offset_is_refused_with_where_to_resume(server: Server) -> None:
    put(server, 0, FILE[:CHUNK])
    response = put(server, 0, FILE[:CHUNK])
    assert response.status_code == 409 and f"offset {CHUNK}" in response.json()["detail"]


def test_content_not_matching_its_hash_is_dropped(server: Server) -> None:
    wrong = hashlib.sha256(b"something else").hexdigest()
    response = put(server, 0, FILE[:1000], sha=wrong, total=1000)
    assert response.status_code == 422 and "does not match its sha256" in response.json()["detail"]
    status = server.client.get(f"/blobs/{wrong}/status", headers=headers(server, "maria")).json()
    assert status == {"sha256": wrong, "received": 0, "complete": False}


def test_file_is_fetched_by_those_who_see_its_study_only(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    [added] = server.push("maria", study(transfer_id))
    assert added["status"] == "applied"
    for offset in range(0, len(FILE), CHUNK):
        put(server, offset, FILE[offset:offset + CHUNK])
    for user, expected in (("maria", 200), ("asha", 200), ("rahul", 200), ("anu", 404), ("ravi", 404)):
        response = server.client.get(f"/blobs/{SHA}", headers=headers(server, user))
        assert response.status_code == expected, user
    assert server.client.get(f"/blobs/{SHA}", headers=headers(server, "rahul")).content == FILE


def test_study_reaches_the_crew_and_not_another_ward(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id))
    server.push("maria", study(transfer_id))
    seen = lambda user: [c for c in server.pull(user)["changes"] if c["entity"] == "imaging"]  # noqa: E731
    assert len(seen("asha")) == 1 and seen("anu") == []
    assert seen("asha")[0]["data"]["probabilities"] == {"clear": 0.3, "opacity": 0.7}


def test_nurse_cannot_add_a_study_to_another_hospitals_transfer(server: Server) -> None:
    transfer_id = new_id()
    server.push("asha", transfer_request(transfer_id, AMRITA))
    [result] = server.push("maria", study(transfer_id))
    assert result["status"] == "rejected" and result["reason"] == "This transfer goes to another hospital."


def test_upload_needs_a_signed_in_user(server: Server) -> None:
    response = server.client.put(f"/blobs/{SHA}", params={"offset": 0, "total": 10}, content=b"x" * 10)
    assert response.status_code == 401
