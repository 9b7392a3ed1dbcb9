"""A 12-lead ECG's file: read and checked for attaching on the crew's device, kept by content hash in the
device's blob store (as radiographs are), and copied out for the system viewer on the ward's.

Threading: every function here does disk I/O (``viewer_copy`` network too, through ``fetch``): never on the
GUI thread. ``read_ecg_file`` and ``keep_ecg_file`` run on the DB thread inside ``RecordService``, as saving
a radiograph does; ``viewer_copy`` on a background worker. Refusals are ``EcgFileRefused``, whose text is
a sentence for people saying what to do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from emsync_desktop.domain.ecg_file import (
    HEAD_BYTES,
    MAX_ECG_BYTES,
    EcgAttachment,
    check_ecg_file,
    ecg_kind,
    viewer_file_name,
)
from emsync_desktop.services.exports import write_atomically
from emsync_desktop.sync.blobs import blob_file

VIEWER_DIR = "viewer"  # under the data dir: the copies a system viewer opened
_CLEAR = "choose it again, or clear the ECG file to record the ECG without it."


class EcgFileRefused(ValueError):
    """The file cannot be attached or shown; ``str()`` says why and what to do."""


@dataclass(frozen=True)
class EcgFile:
    """A file read whole for attaching: the bytes hashed are the bytes kept (no second read to race)."""

    name: str
    data: bytes
    sha256: str

    @property
    def size_bytes(self) -> int:
        return len(self.data)


def read_ecg_file(path: Path) -> EcgFile:
    """Read and check the file the crew chose. Raises ``EcgFileRefused``: missing, unreadable, empty, over
    ``MAX_ECG_BYTES``, or not a PDF, PNG, JPEG, XML or DICOM file."""
    name = path.name or str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_ECG_BYTES + 1)  # a file still growing cannot slip past the cap
    except FileNotFoundError:
        if not path.is_absolute():  # a name typed, not a file chosen
            raise EcgFileRefused(f"ECG file: {name} was not found: choose the file with Choose file…, or clear the "
                                 "ECG file to record the ECG without it.") from None
        raise EcgFileRefused(f"ECG file: {name} is not in {path.parent} any more (moved, or the USB stick "
                             f"removed): {_CLEAR}") from None
    except IsADirectoryError:
        raise EcgFileRefused(f"ECG file: {name} is a folder, not a file: {_CLEAR}") from None
    except OSError as exc:
        raise EcgFileRefused(f"ECG file: {name} could not be read ({exc.strerror or type(exc).__name__}): copy it "
                             f"to this laptop and {_CLEAR}") from None
    problem = check_ecg_file(name, len(data), data[:HEAD_BYTES])
    if problem is not None:
        raise EcgFileRefused(problem)
    return EcgFile(name, data, hashlib.sha256(data).hexdigest())


def keep_ecg_file(blob_dir: Path, file: EcgFile) -> Path:
    """The file in the blob store by its hash (written atomically; kept as is when there already)."""
    target = blob_file(blob_dir, file.sha256)
    if not target.exists():
        write_atomically(target, file.data)
    return target


def viewer_copy(blob_dir: Path, viewer_dir: Path, attachment: EcgAttachment,
                fetch: Callable[[str], bytes] | None) -> Path:
    """A copy of the ECG for the system viewer, named by the kind of its content (``domain.ecg_file``).
    The file comes from this PC's blob store, else from the sync server (checked against its hash, then
    kept here). Raises ``EcgFileRefused``: not here and not fetched (it is still on its way), or damaged."""
    kept = blob_file(blob_dir, attachment.sha256)
    if kept.exists():
        data = kept.read_bytes()
    else:
        data = _fetched(attachment, fetch)
        write_atomically(kept, data)
    kind = ecg_kind(data[:HEAD_BYTES])
    if kind is None:
        raise EcgFileRefused("The ECG file is not a PDF, PNG, JPEG, XML or DICOM file; it was not opened. "
                             "Ask the crew for the ECG.")
    return write_atomically(viewer_dir / viewer_file_name(attachment, kind), data)


def _fetched(attachment: EcgAttachment, fetch: Callable[[str], bytes] | None) -> bytes:
    if fetch is None:
        raise EcgFileRefused("The ECG file is not on this PC yet, and this PC is not connected to the sync server: "
                             "connect, and open it again.")
    try:
        data = fetch(attachment.sha256)
    except ValueError as exc:
        raise EcgFileRefused(f"The ECG file is not on this PC yet, and the sync server did not give it: {exc} The "
                             "crew's device sends it after the record: if the ECG was recorded minutes ago, it is "
                             "still on its way; try again in a minute.") from exc
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise EcgFileRefused("The ECG file from the sync server does not match the crew's record (sha256); it was "
                             "not opened. Try again; if it happens again, tell IT.")
    return data
