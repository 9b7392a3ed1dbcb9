"""Sending files by content hash, after the small ops, resumably: radiographs (their imaging study) and
12-lead ECGs (their procedure entry).

The server says how much of a file it has (``received``); sending goes on from there in chunks, so a
connection lost or an app killed mid-file costs at most one chunk. A file is sent only once the server
has accepted the record citing it (the record says who may see it); a refused record's file stays on the
device.

Threading: the sync thread (network and file reads); the small DB reads and writes go through the
DB thread (``db_call``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from emsync_desktop.store.database import Store
from emsync_desktop.store.models import ImagingStudy, ProcedureEntry
from emsync_desktop.sync.http import RequestRefused, SyncHttp
from emsync_desktop.sync.protocol import BLOB_CHUNK_BYTES

TO_SEND, SENT, UNSENDABLE = "to_send", "sent", "unsendable"
BLOBS_DIR = "blobs"  # under the data dir


def blob_file(blob_dir: Path, sha256: str) -> Path:
    return blob_dir / sha256[:2] / sha256


# The records citing files this device sends: the record, its hash and size columns, and what the file is.
_HOLDERS: tuple[tuple[Any, Any, Any, str], ...] = (
    (ImagingStudy, ImagingStudy.source_sha256, ImagingStudy.size_bytes, "image"),
    (ProcedureEntry, ProcedureEntry.ecg_sha256, ProcedureEntry.ecg_size_bytes, "ECG file"),
)


def files_to_send(store: Store) -> list[tuple[str, int]]:
    """(sha256, size) of files whose record the server has accepted and which are not sent yet."""
    found: dict[str, int] = {}
    with store.sessions.begin() as session:
        for model, sha_column, size_column, _what in _HOLDERS:
            rows = session.execute(select(sha_column, size_column).where(
                model.blob_state == TO_SEND, model.sync_state == "synced").distinct()).all()
            found.update((sha, int(size)) for sha, size in rows if sha not in found)
    return list(found.items())


def mark_sent(store: Store, sha256: str) -> None:
    with store.sessions.begin() as session:
        for model, sha_column, _size, _what in _HOLDERS:
            for row in session.scalars(select(model).where(sha_column == sha256, model.blob_state == TO_SEND)):
                row.blob_state = SENT


def mark_unsendable(store: Store, sha256: str, reason: str) -> None:
    """The server refused the file (or it is damaged here): shown on its records ('image not sent: …',
    'ECG file not sent: …'), not retried."""
    with store.sessions.begin() as session:
        for model, sha_column, _size, what in _HOLDERS:
            for row in session.scalars(select(model).where(sha_column == sha256, model.blob_state == TO_SEND)):
                row.blob_state, row.sync_reason = UNSENDABLE, f"{what} not sent: {reason}"


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
                raise RequestRefused(f"the file on this PC is shorter than recorded ({size} bytes)")
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
            db_call(mark_unsendable, store, sha256, str(exc))
            continue
        db_call(mark_sent, store, sha256)
        sent += 1
    return sent
