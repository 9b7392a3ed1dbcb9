"""A 12-lead ECG's file through the server (issue 19): queued only once the server accepted its entry, sent
by content hash after it, and fetched by the destination ward's device, bytes identical. Runs on SQLite
and PostgreSQL servers."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import ProcedureEntry
from emsync_desktop.sync.blobs import files_to_send, send_pending_files
from emsync_desktop.sync.http import raise_for_status
from emsync_desktop.sync.protocol import BlobStatus
from tests.services.conftest import ECG_PDF, ecg_on_a_stick
from tests.sync.test_record_round_trip import NOW, _pull_into, _push, ward_store
from tests.sync_server.conftest import LOURDES, Server, db_url, server, transfer_request
from tests.sync_server.test_blobs import with_quota

__all__ = ["db_url", "server", "ward_store"]  # the server fixtures, on both databases
SHA = hashlib.sha256(ECG_PDF).hexdigest()


class ServerBlobs:
    """The blob routes of the test server, shaped as ``SyncHttp``'s (what ``send_pending_files`` calls)."""

    def __init__(self, server: Server, user: str) -> None:
        self._server, self._headers = server, {"Authorization": f"Bearer {server.token(user)}"}

    def blob_status(self, _token: str, sha256: str) -> BlobStatus:
        return BlobStatus.model_validate(self._answer(self._server.client.get(f"/blobs/{sha256}/status",
                                                                             headers=self._headers)))

    def put_blob_chunk(self, _token: str, sha256: str, offset: int, total: int, data: bytes) -> BlobStatus:
        response = self._server.client.put(f"/blobs/{sha256}", params={"offset": offset, "total": total},
                                           content=data, headers=self._headers)
        return BlobStatus.model_validate(self._answer(response))

    @staticmethod
    def _answer(response: object) -> object:
        status, body = response.status_code, response.json()  # type: ignore[attr-defined]
        raise_for_status(status, str(body.get("detail", "")) if status >= 400 else "")
        return body


def record_ecg(app_context: AppContext, cases: CaseService, paramedic: UserInfo) -> str:
    record = RecordService(app_context.store, paramedic, clock=lambda: NOW, blob_dir=app_context.data_dir / "blobs")
    case_id = cases.open_case().id
    assert record.stamp_step(case_id, TimelineStep.CALL_RECEIVED, NOW).ok
    with ecg_on_a_stick() as ecg:
        assert record.record_procedure(case_id, Procedure.ECG_12_LEAD, NOW, {Extra.ECG_FILE: ecg}).ok
    return case_id


def send_files(server: Server, app_context: AppContext) -> int:
    return send_pending_files(app_context.store, ServerBlobs(server, "asha"), "token",  # type: ignore[arg-type]
                              app_context.data_dir / "blobs", db_call=lambda fn, *args: fn(*args))


def blob_state(store: Store) -> str | None:
    with store.sessions.begin() as session:
        return session.scalars(select(ProcedureEntry.blob_state)).one()


def test_the_file_waits_for_its_entry_to_be_accepted_then_goes_up(
        server: Server, app_context: AppContext, cases: CaseService, paramedic: UserInfo) -> None:
    record_ecg(app_context, cases, paramedic)
    assert files_to_send(app_context.store) == []  # the entry is not on the server yet: the file would be refused
    _push(server, app_context)
    assert files_to_send(app_context.store) == [(SHA, len(ECG_PDF))]
    assert send_files(server, app_context) == 1
    assert blob_state(app_context.store) == "sent" and files_to_send(app_context.store) == []


def test_the_destination_wards_device_gets_the_entry_and_the_same_bytes(
        server: Server, app_context: AppContext, cases: CaseService, paramedic: UserInfo, ward_store: Store) -> None:
    case_id = record_ecg(app_context, cases, paramedic)
    _push(server, app_context)
    send_files(server, app_context)
    server.push("asha", transfer_request(new_id(), LOURDES, encounter_id=case_id))
    _pull_into(ward_store, server, "maria")
    with ward_store.sessions.begin() as session:
        entry = session.scalars(select(ProcedureEntry)).one()
    assert (entry.ecg_sha256, entry.ecg_size_bytes, entry.blob_state) == (SHA, len(ECG_PDF), "remote")
    fetched = server.client.get(f"/blobs/{SHA}", headers={"Authorization": f"Bearer {server.token('maria')}"})
    assert fetched.content == ECG_PDF


def test_a_file_the_server_refuses_is_marked_on_its_entry_and_not_retried(
        server: Server, app_context: AppContext, cases: CaseService, paramedic: UserInfo) -> None:
    record_ecg(app_context, cases, paramedic)
    _push(server, app_context)
    with_quota(server, 10)  # the crew's upload quota used up
    assert send_files(server, app_context) == 0
    with app_context.store.sessions.begin() as session:
        entry = session.scalars(select(ProcedureEntry)).one()
    assert entry.blob_state == "unsendable" and (entry.sync_reason or "").startswith("ECG file not sent: HTTP 413")
    assert files_to_send(app_context.store) == []
