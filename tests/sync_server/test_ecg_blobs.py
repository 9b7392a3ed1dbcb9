"""A 12-lead ECG's file by content hash: sent by the author of the procedure entry citing it (same rules and
quota as radiographs), fetched by whoever the feed gave the entry: the crew, the destination ward, the desk
(SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from emsync_desktop.domain.ids import new_id
from tests.sync_server.conftest import AMRITA, Server, op, transfer_request
from tests.sync_server.test_blobs import fetch, files_on_disk, put, put_whole, with_quota

ECG = b"%PDF-1.4\n" + os.urandom(700_000)  # two chunks
SHA = hashlib.sha256(ECG).hexdigest()


def ecg_entry(encounter_id: str, sha: str = SHA, size: int = len(ECG)) -> dict[str, Any]:
    return op("record.procedure", new_id(), {
        "encounter_id": encounter_id, "procedure": "ecg_12_lead", "done_at": "2026-12-06T07:48:00+00:00",
        "extras": {"ecg_file": "ecg-0748.pdf", "ecg_sha256": sha, "ecg_size_bytes": size}})


def recorded(server: Server, crew: str = "asha", sha: str = SHA, size: int = len(ECG)) -> str:
    """A case of ``crew`` with a 12-lead ECG citing ``sha``: its encounter id."""
    encounter_id = new_id()
    [added] = server.push(crew, ecg_entry(encounter_id, sha, size))
    assert added["status"] == "applied", added
    return encounter_id


def sent_to(server: Server, hospital: str | None = None, crew: str = "asha") -> str:
    """A case recorded with its ECG, the file sent by the crew, then the case sent to ``hospital``: the
    transfer's id."""
    encounter_id, transfer_id = recorded(server, crew), new_id()
    assert put_whole(server, ECG, crew).json()["complete"] is True
    server.push(crew, transfer_request(transfer_id, *([hospital] if hospital else []), encounter_id=encounter_id))
    return transfer_id


def test_the_author_of_the_entry_sends_the_file(server: Server) -> None:
    recorded(server)
    assert put(server, 0, ECG[:524288], SHA, len(ECG), "asha").json()["complete"] is False
    assert put(server, 524288, ECG[524288:], SHA, len(ECG), "asha").json()["complete"] is True
    assert files_on_disk(server) == [SHA]


def test_another_crew_may_not_send_it(server: Server) -> None:
    recorded(server)
    response = put(server, 0, ECG[:524288], SHA, len(ECG), "ravi")
    assert response.status_code == 403 and "No study or record entry of yours" in response.json()["detail"]
    assert files_on_disk(server) == []


def test_a_size_other_than_the_entry_cites_is_refused(server: Server) -> None:
    recorded(server)
    assert put(server, 0, ECG[:1000], SHA, len(ECG) + 1, "asha").status_code == 403


def test_the_crews_upload_quota_counts_ecgs_too(server: Server) -> None:
    recorded(server)
    with_quota(server, len(ECG) - 1)
    response = put(server, 0, ECG[:524288], SHA, len(ECG), "asha")
    assert response.status_code == 413 and "Upload quota used up" in response.json()["detail"]


def test_the_destination_ward_reads_it_and_another_hospital_does_not(server: Server) -> None:
    sent_to(server)  # to Lourdes, after the ECG was recorded: the record is published to its ward then
    assert fetch(server, "maria", SHA).content == ECG
    assert fetch(server, "anu", SHA).status_code == 404


def test_the_crew_and_the_desk_read_it_and_another_crew_does_not(server: Server) -> None:
    sent_to(server)
    assert fetch(server, "asha", SHA).content == ECG
    assert fetch(server, "rahul", SHA).content == ECG
    assert fetch(server, "ravi", SHA).status_code == 404


def test_nothing_is_read_before_the_author_sent_the_whole_file(server: Server) -> None:
    encounter_id = recorded(server)
    server.push("asha", transfer_request(new_id(), encounter_id=encounter_id))
    put(server, 0, ECG[:524288], SHA, len(ECG), "asha")
    assert fetch(server, "maria", SHA).status_code == 404


def test_citing_another_crews_hash_gives_no_file(server: Server) -> None:
    sent_to(server)
    recorded(server, "ravi")  # ravi's own case, an entry citing asha's file: ravi never sent it
    assert fetch(server, "ravi", SHA).status_code == 404


def test_the_ward_a_case_is_redirected_to_reads_it(server: Server) -> None:
    transfer_id = sent_to(server)
    assert fetch(server, "anu", SHA).status_code == 404
    [moved] = server.push("rahul", op("transfer.redirect", transfer_id, {
        "destination_hospital_id": AMRITA, "unit": "ICU", "booking_id": new_id(), "reason": "Cath lab closed"},
        base_version=1))
    assert moved["status"] == "applied", moved
    assert fetch(server, "anu", SHA).content == ECG
