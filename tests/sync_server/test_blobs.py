"""Radiograph files by content hash: sent by the author of a study citing them, within a quota, resumable,
verified on completion, fetched only through a study that holds the file (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
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


def put(server: Server, offset: int, data: bytes, sha: str = SHA, total: int = len(FILE), user: str = "maria") -> Any:
    return server.client.put(f"/blobs/{sha}", params={"offset": offset, "total": total}, content=data,
                             headers=headers(server, user) | {"Content-Type": "application/octet-stream"})


def put_whole(server: Server, data: bytes = FILE, user: str = "maria", sha: str | None = None) -> Any:
    """Every chunk of ``data``, sent as the file named ``sha`` (default: its own hash)."""
    sha = sha or hashlib.sha256(data).hexdigest()
    for offset in range(0, len(data), CHUNK):
        response = put(server, offset, data[offset:offset + CHUNK], sha, len(data), user)
    return response


def status(server: Server, user: str = "maria", sha: str = SHA) -> dict[str, Any]:
    return dict(server.client.get(f"/blobs/{sha}/status", headers=headers(server, user)).json())


def fetch(server: Server, user: str, sha: str = SHA) -> Any:
    return server.client.get(f"/blobs/{sha}", headers=headers(server, user))


def study(transfer_id: str, sha: str = SHA, size: int = len(FILE)) -> dict[str, Any]:
    return op("imaging.add", new_id(), {
        "transfer_id": transfer_id, "sha256": sha, "size_bytes": size, "source_name": "chest.dcm",
        "kind": "DICOM", "modality": "CR", "model_name": "cxr_demo", "model_version": "v1",
        "probabilities": {"clear": 0.3, "opacity": 0.7}, "heat_map_class": "opacity", "heat_map": [[0.0, 1.0]]})


def study_at(server: Server, nurse: str = "maria", hospital: str | None = None, crew: str = "asha",
             sha: str = SHA, size: int = len(FILE)) -> str:
    """A transfer from ``crew`` to the nurse's hospital, and the nurse's study of it citing ``sha``."""
    transfer_id = new_id()
    server.push(crew, transfer_request(transfer_id, *([hospital] if hospital else [])))
    [added] = server.push(nurse, study(transfer_id, sha, size))
    assert added["status"] == "applied", added
    return transfer_id


def files_on_disk(server: Server) -> list[str]:
    assert server.settings.blob_dir is not None
    return sorted(p.name for p in server.settings.blob_dir.rglob("*") if p.is_file())


def with_quota(server: Server, quota_bytes: int) -> None:
    app = server.client.app
    app.state.settings = dataclasses.replace(app.state.settings, blob_quota_bytes=quota_bytes)  # type: ignore[attr-defined]


def test_upload_resumes_from_what_the_server_has_and_completes_when_the_hash_matches(server: Server) -> None:
    study_at(server)
    assert put(server, 0, FILE[:CHUNK]).json() == {"sha256": SHA, "received": CHUNK, "complete": False}
    assert status(server)["received"] == CHUNK  # the client died here; on restart it asks, then goes on
    assert put(server, CHUNK, FILE[CHUNK:2 * CHUNK]).status_code == 200
    assert put(server, 2 * CHUNK, FILE[2 * CHUNK:]).json()["complete"] is True
    assert files_on_disk(server) == [SHA]


def test_chunk_at_the_wrong_offset_is_refused_with_where_to_resume(server: Server) -> None:
    study_at(server)
    put(server, 0, FILE[:CHUNK])
    response = put(server, 0, FILE[:CHUNK])
    assert response.status_code == 409 and f"offset {CHUNK}" in response.json()["detail"]


def test_content_not_matching_its_hash_is_dropped(server: Server) -> None:
    wrong = hashlib.sha256(b"something else").hexdigest()
    study_at(server, sha=wrong, size=1000)
    response = put(server, 0, FILE[:1000], sha=wrong, total=1000)
    assert response.status_code == 422 and "does not match its sha256" in response.json()["detail"]
    assert status(server, sha=wrong) == {"sha256": wrong, "received": 0, "complete": False}
    assert files_on_disk(server) == []


def test_upload_without_a_study_of_the_sender_is_refused_and_writes_nothing(server: Server) -> None:
    response = put(server, 0, FILE[:CHUNK])
    assert response.status_code == 403 and "study" in response.json()["detail"]
    assert files_on_disk(server) == [] and status(server)["received"] == 0


def test_upload_citing_another_nurses_study_is_refused(server: Server) -> None:
    study_at(server, "maria")
    response = put(server, 0, FILE[:CHUNK], user="anu")
    assert response.status_code == 403 and files_on_disk(server) == []


def test_upload_of_another_size_than_the_study_says_is_refused(server: Server) -> None:
    study_at(server)
    response = put(server, 0, FILE[:CHUNK], total=len(FILE) + 1)
    assert response.status_code == 403 and files_on_disk(server) == []


def test_file_over_what_is_left_of_the_quota_is_413_before_a_byte_is_stored(server: Server) -> None:
    with_quota(server, 2 * len(FILE) - 1)
    study_at(server)
    assert put(server, 0, FILE[:CHUNK]).status_code == 200  # unfinished: it counts whole from now on
    other = os.urandom(len(FILE))
    study_at(server, sha=hashlib.sha256(other).hexdigest())
    response = put_whole(server, other)
    assert response.status_code == 413 and "quota" in response.json()["detail"]
    assert len(files_on_disk(server)) == 1  # the unfinished part of the first file only


def test_quota_is_per_account(server: Server) -> None:
    with_quota(server, len(FILE))
    study_at(server)
    assert put_whole(server).json()["complete"] is True
    other = os.urandom(len(FILE))
    study_at(server, "anu", AMRITA, sha=hashlib.sha256(other).hexdigest())
    assert put_whole(server, other, "anu").json()["complete"] is True


def test_content_dropped_for_its_hash_no_longer_counts_against_the_quota(server: Server) -> None:
    with_quota(server, len(FILE))
    study_at(server)
    assert put_whole(server, os.urandom(len(FILE)), sha=SHA).status_code == 422
    assert put_whole(server).json()["complete"] is True


def test_file_is_fetched_by_those_who_see_its_study_only(server: Server) -> None:
    study_at(server)
    put_whole(server)
    for user, expected in (("maria", 200), ("asha", 200), ("rahul", 200), ("anu", 404), ("ravi", 404)):
        assert fetch(server, user).status_code == expected, user
    assert fetch(server, "rahul").content == FILE


def test_citing_the_hash_in_a_study_of_ones_own_does_not_fetch_the_file(server: Server) -> None:
    study_at(server)
    put_whole(server)
    study_at(server, "anu", AMRITA, crew="ravi")  # another hospital's study citing Lourdes' X-ray
    assert fetch(server, "anu").status_code == 404
    assert fetch(server, "ravi").status_code == 404


def test_status_tells_nothing_of_a_file_others_sent(server: Server) -> None:
    study_at(server)
    put_whole(server)
    assert status(server, "anu") == {"sha256": SHA, "received": 0, "complete": False}


def test_second_ward_with_the_same_file_sends_it_whole_and_then_its_crew_fetches_it(server: Server) -> None:
    study_at(server)
    put_whole(server)
    study_at(server, "anu", AMRITA, crew="ravi")
    assert put_whole(server, user="anu").json()["complete"] is True
    assert fetch(server, "ravi").content == FILE
    assert files_on_disk(server) == [SHA]  # one copy


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
