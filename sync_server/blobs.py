"""Large files (radiographs) by content hash: chunked, resumable, verified, on disk.

A complete file is ``<root>/ab/abcd…``. A file under upload is ``<root>/ab/abcd….<sender>.part``, one per
sending account: its size is how much that account has sent, so an upload interrupted at any moment
(client or server killed) resumes from there, and no account's bytes mix with another's. The chunk that
completes a part completes the file only if the whole part's sha256 is the name it was sent under;
otherwise the part is dropped. A part matching a file already complete (the same radiograph sent by two
wards) is dropped too: the content is the same, and the sender has shown it has the file.

Who may send or fetch which file, and how much, is ``blob_access``'s business; this module only stores.

Threading: one lock per file and sender serialises appends; different files upload in parallel.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from emsync_desktop.sync.protocol import MAX_BLOB_BYTES


class BlobRefused(Exception):
    """``status`` is the HTTP status to answer; ``str()`` says why; ``dropped``: the sender's part is gone
    (its content did not match its hash)."""

    def __init__(self, message: str, status: int, *, dropped: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.dropped = dropped


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        """Whether the whole file is here (its hash checked)."""
        return self.path(sha256).exists()

    def received(self, sha256: str, sender: str) -> int:
        """How much of the file ``sender`` has sent and not yet completed."""
        part = self._part(sha256, sender)
        return part.stat().st_size if part.exists() else 0

    def append(self, sha256: str, sender: str, offset: int, total: int, data: bytes) -> int:
        """Append ``data`` to ``sender``'s part at ``offset`` of a file of ``total`` bytes; returns how much
        the sender has sent, ``total`` once the file is complete. Raises ``BlobRefused``. Call it under
        ``lock(sha256, sender)``."""
        if not 0 < total <= MAX_BLOB_BYTES:
            raise BlobRefused(f"A file must be 1 byte to {MAX_BLOB_BYTES // 2**20} MB.", 422)
        received = self.received(sha256, sender)
        if offset != received:
            raise BlobRefused(f"Expected the chunk at offset {received}.", 409)
        if offset + len(data) > total:
            raise BlobRefused("The chunk goes past the file's size.", 422)
        part = self._part(sha256, sender)
        part.parent.mkdir(parents=True, exist_ok=True)
        with part.open("ab") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if offset + len(data) < total:
            return offset + len(data)
        self._complete(sha256, part)
        return total

    def lock(self, sha256: str, sender: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault((sha256, sender), threading.Lock())

    def _complete(self, sha256: str, part: Path) -> None:
        digest = hashlib.sha256()
        with part.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != sha256:
            part.unlink()
            raise BlobRefused("The file's content does not match its sha256; it was dropped: send it again.", 422,
                              dropped=True)
        if self.has(sha256):
            part.unlink()  # the same bytes are here already
        else:
            part.replace(self.path(sha256))

    def _part(self, sha256: str, sender: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.{sender}.part"
