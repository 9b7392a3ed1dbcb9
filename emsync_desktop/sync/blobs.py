"""Sending radiograph files by content hash, after the small ops, resumably.

The server says how much of a file it has (``received``); sending goes on from there in chunks, so a
connection lost or an app killed mid-file costs at most one chunk. A file is sent only once the server
has accepted its study (the study says who may see it); a refused study's file stays on the device.

Threading: the sync thread (network and file reads); the small DB reads and writes go through the
DB thread (``db_call``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from emsync_desktop.store.database import Store
from emsync_desktop.store.models import ImagingStudy
from emsync_desktop.sync.http import RequestRefused, SyncHttp
from emsync_desktop.sync.protocol import BLOB_CHUNK_BYTES

TO_SEND, SENT, UNSENDABLE = "to_send", "sent", "unsendable"
BLOBS_DIR = "blobs"  # under the data dir


def blob_file(blob_dir: Path, sha256: str) -> Path:
    return blob_dir / sha256[:2] / sha256


def files_to_send(store: Store) -> list[tuple[str, int]]:
    """(sha256, size) of files whose study the server has accepted and which are not sent yet."""
    with store.sessions.begin() as session:
        rows = session.execute(select(ImagingStudy.source_sha256, ImagingStudy.size_bytes).where(
            ImagingStudy.blob_state == TO_SEND, ImagingStudy.sync_state == "synced").distinct()).all()
        return [(sha, int(size)) for sha, size in rows]


def mark_sent(store: Store, sha256: str) -> None:
    with store.sessions.begin() as session:
        for study in session.scalars(select(ImagingStudy).where(ImagingStudy.source_sha256 == sha256,
                                                                ImagingStudy.blob_state == TO_SEND)):
            study.blob_state = SENT


def mark_unsendable(store: Store, sha256: str, reason: str) -> None:
    """The server refused the file (or it is damaged here): shown on its studies, not retried."""
    with store.sessions.begin() as session:
        for study in session.scalars(select(ImagingStudy).where(ImagingStudy.source_sha256 == sha256,
                                                                ImagingStudy.blob_state == TO_SEND)):
            study.blob_state, study.sync_reason = UNSENDABLE, reason


def send_file(http: SyncHttp, token: str, path: Path, sha256: str, size: int) -> int:
    """Send what the server lacks of one file; returns the bytes sent this time. Raises
    ``RequestRefused`` if the server refuses it or the file here is shorter than recorded."""
    status = http.blob_status(token, sha256)
    sent = 0
    with path.open("rb") as handle:
        while not status.complete:
            handle.seek(status.received)
            chunk = handle.read(min(BLOB_CHUNK_BYTES, size - status.received))
            if not chunk:
                raise RequestRefused(f"the file on this PC is shorter than its study records ({size} bytes)")
            status = http.put_blob_chunk(token, sha256, status.received, size, chunk)
            sent += len(chunk)
    return sent


def send_pending_files(store: Store, http: SyncHttp, token: str, blob_dir: Path,
                       db_call: Callable[..., object]) -> int:
    """Send every file waiting to go; returns how many were sent. Network errors propagate (the next
    cycle resumes); a refused or damaged file is marked and left, so it cannot block the others."""
    pending = db_call(files_to_send, store)
    assert isinstance(pending, list)
    sent = 0
    for sha256, size in pending:
        path = blob_file(blob_dir, sha256)
        try:
            if not path.exists():
                raise RequestRefused("the file is no longer on this PC")
            send_file(http, token, path, sha256, size)
        except RequestRefused as exc:
            db_call(mark_unsendable, store, sha256, f"image not sent: {exc}")
            continue
        db_call(mark_sent, store, sha256)
        sent += 1
    return sent
