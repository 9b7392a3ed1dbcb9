"""Large files (radiographs) by content hash: chunked, resumable, verified.

A file under upload is ``<root>/ab/abcd….part``; its size is how much has been received, so an upload
interrupted at any moment (client or server killed) resumes from there. The last chunk completes it
only if the whole file's sha256 is the name it was sent under; otherwise the partial file is dropped.

Threading: one lock per hash serialises appends; different files upload in parallel.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from emsync_desktop.sync.protocol import MAX_BLOB_BYTES, BlobStatus


class BlobRefused(Exception):
    """``status`` is the HTTP status to answer; ``str()`` says why."""

    def __init__(self, message: str, status: int, received: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.received = received


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def status(self, sha256: str) -> BlobStatus:
        if self.path(sha256).exists():
            return BlobStatus(sha256=sha256, received=self.path(sha256).stat().st_size, complete=True)
        part = self._part(sha256)
        return BlobStatus(sha256=sha256, received=part.stat().st_size if part.exists() else 0, complete=False)

    def append(self, sha256: str, offset: int, total: int, data: bytes) -> BlobStatus:
        if not 0 < total <= MAX_BLOB_BYTES:
            raise BlobRefused(f"A file must be 1 byte to {MAX_BLOB_BYTES // 2**20} MB.", 422)
        with self._lock(sha256):
            current = self.status(sha256)
            if current.complete:
                return current  # a repeat of the last chunk: nothing to do
            if offset != current.received:
                raise BlobRefused(f"Expected the chunk at offset {current.received}.", 409, current.received)
            if offset + len(data) > total:
                raise BlobRefused("The chunk goes past the file's size.", 422, current.received)
            part = self._part(sha256)
            part.parent.mkdir(parents=True, exist_ok=True)
            with part.open("ab") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if offset + len(data) == total:
                self._complete(sha256, part)
            return self.status(sha256)

    def _complete(self, sha256: str, part: Path) -> None:
        digest = hashlib.sha256()
        with part.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != sha256:
            part.unlink()
            raise BlobRefused("The file's content does not match its sha256; it was dropped: send it again.", 422)
        part.replace(self.path(sha256))

    def _part(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.part"

    def _lock(self, sha256: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(sha256, threading.Lock())
