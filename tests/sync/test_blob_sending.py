"""Sending files: what the server lacks, in order; a damaged or missing file is marked, not retried forever."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select

from emsync_desktop.domain.ids import new_id
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.store.models import ImagingStudy
from emsync_desktop.sync.blobs import blob_file, send_pending_files
from emsync_desktop.sync.http import RequestRefused
from emsync_desktop.sync.protocol import BlobStatus
from tests.sync.test_outbox_answers import NOW

DATA = bytes(range(256)) * 5000  # 1.28 MB: three chunks


@dataclass
class FakeServer:
    """Keeps what it received, like the real one (the real one is used in tests/e2e)."""

    files: dict[str, bytearray] = field(default_factory=dict)
    puts: list[int] = field(default_factory=list)

    def blob_status(self, _token: str, sha: str) -> BlobStatus:
        have = self.files.get(sha, bytearray())
        return BlobStatus(sha256=sha, received=len(have), complete=hashlib.sha256(have).hexdigest() == sha)

    def put_blob_chunk(self, token: str, sha: str, offset: int, total: int, data: bytes) -> BlobStatus:
        if offset != len(self.files.setdefault(sha, bytearray())):
            raise RequestRefused("HTTP 409")
        self.puts.append(offset)
        self.files[sha] += data
        if len(self.files[sha]) == total and hashlib.sha256(self.files[sha]).hexdigest() != sha:
            del self.files[sha]
            raise RequestRefused("HTTP 422: does not match its sha256")
        return self.blob_status(token, sha)


def study_waiting(app_context: AppContext, data: bytes, size: int | None = None) -> str:
    sha = hashlib.sha256(data).hexdigest()
    with app_context.store.sessions.begin() as session:
        session.add(ImagingStudy(
            id=new_id(), transfer_id=new_id(), source_sha256=sha, source_name="x.dcm", kind="DICOM", modality="CR",
            description="", model_name="m", model_version="v", probabilities="{}", heat_map_class="opacity",
            heat_map="[]", created_by="u", created_at=NOW, size_bytes=size or len(data), demonstration=True,
            sync_state="synced", sync_reason=None, blob_state="to_send"))
    return sha


def states(app_context: AppContext) -> list[tuple[str, str | None]]:
    with app_context.store.sessions.begin() as session:
        return [(s.blob_state, s.sync_reason) for s in session.scalars(select(ImagingStudy))]


def send(app_context: AppContext, server: FakeServer) -> int:
    return send_pending_files(app_context.store, server, "token", app_context.data_dir / "blobs",  # type: ignore[arg-type]
                              db_call=lambda fn, *a: fn(*a))


def test_a_file_half_received_is_finished_from_where_the_server_stopped(app_context: AppContext) -> None:
    sha = study_waiting(app_context, DATA)
    path = blob_file(app_context.data_dir / "blobs", sha)
    path.parent.mkdir(parents=True)
    path.write_bytes(DATA)
    server = FakeServer({sha: bytearray(DATA[:524288])})
    assert send(app_context, server) == 1
    assert server.puts == [524288, 1048576] and bytes(server.files[sha]) == DATA
    assert states(app_context) == [("sent", None)]


def test_a_damaged_or_missing_file_is_marked_and_the_cycle_ends(app_context: AppContext) -> None:
    damaged = study_waiting(app_context, DATA)
    path = blob_file(app_context.data_dir / "blobs", damaged)
    path.parent.mkdir(parents=True)
    path.write_bytes(DATA[:1000])  # shorter than recorded
    study_waiting(app_context, b"gone from disk")
    assert send(app_context, FakeServer()) == 0
    assert sorted(states(app_context)) == [
        ("unsendable", "image not sent: the file is no longer on this PC"),
        ("unsendable", f"image not sent: the file on this PC is shorter than recorded ({len(DATA)} bytes)")]
