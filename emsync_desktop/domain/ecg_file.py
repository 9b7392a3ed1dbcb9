"""A 12-lead ECG's file, attached to its procedure entry: which files are taken, how big, and how a
viewer copy is named.

Monitors export a 12-lead as PDF, PNG, JPEG, XML (HL7 aECG, or the maker's own) or DICOM (waveform).
The kind is read from the content, never from the name: a file named ``.pdf`` that is not one is refused
here, and the ward's viewer copy is named by the kind found (``.pdf``), never by the name the crew's file
had (a name ending ``.desktop`` or ``.exe`` must not decide what the ward's desktop does with it).
At most ``MAX_ECG_BYTES``: a 12-lead PDF is 0.1 to 2 MB and a DICOM waveform about 1 MB; 20 MB leaves
room for a high-resolution scan and keeps a slow mobile upload to minutes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from emsync_desktop.domain.procedures import Extra

MAX_ECG_BYTES = 20 * 1024 * 1024
HEAD_BYTES = 1024  # how much of the start of a file ``ecg_kind`` needs
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class EcgKind(StrEnum):
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpg"
    XML = "xml"
    DICOM = "dcm"

    @property
    def suffix(self) -> str:
        return f".{self.value}"


def ecg_kind(head: bytes) -> EcgKind | None:
    """The kind of file that starts with ``head`` (its first ``HEAD_BYTES``), or None if not one we take."""
    if b"%PDF-" in head[:HEAD_BYTES]:  # readers accept junk before the header; so do we
        return EcgKind.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return EcgKind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return EcgKind.JPEG
    if head[128:132] == b"DICM":
        return EcgKind.DICOM
    if _looks_like_xml(head):
        return EcgKind.XML
    return None


def _looks_like_xml(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe<\x00", b"\xfe\xff\x00<")):  # UTF-16 with its byte-order mark
        return True
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return text.startswith(b"<?xml") or (text[:1] == b"<" and text[1:2].isalpha())


def check_ecg_file(name: str, size_bytes: int, head: bytes) -> str | None:
    """Why this file cannot be attached (one sentence saying what to do), or None."""
    if size_bytes <= 0:
        return f"ECG file: {name} is empty. Export the ECG from the monitor again and choose the new file."
    if size_bytes > MAX_ECG_BYTES:
        return (f"ECG file: {name} is {size_bytes / 2**20:.1f} MB, and at most {MAX_ECG_BYTES // 2**20} MB is "
                "attached. Export the ECG as a PDF (a 12-lead PDF is far smaller) and choose that file.")
    if ecg_kind(head) is None:
        return (f"ECG file: {name} is not a PDF, PNG, JPEG, XML or DICOM file. Export the ECG from the monitor "
                "in one of these and choose that file.")
    return None


def is_sha256(text: object) -> bool:
    return isinstance(text, str) and _SHA256.match(text) is not None


@dataclass(frozen=True)
class EcgAttachment:
    """The file attached to a 12-lead ECG entry: its name on the crew's device, content hash and size."""

    name: str
    sha256: str
    size_bytes: int
    done_at: datetime | None = None  # when the ECG was taken, to tell two apart

    @property
    def size_text(self) -> str:
        """'850 kB', '1.2 MB'."""
        if self.size_bytes < 1024 * 1024:
            return f"{max(1, round(self.size_bytes / 1024))} kB"
        return f"{self.size_bytes / 2**20:.1f} MB"


def ecg_attachment(extras: Mapping[Extra, object], done_at: datetime | None = None) -> EcgAttachment | None:
    """The attachment these extras name, or None (no file, or a hash or size that is not one)."""
    sha, size = extras.get(Extra.ECG_SHA256), extras.get(Extra.ECG_SIZE_BYTES)
    if not is_sha256(sha) or isinstance(size, bool) or not isinstance(size, int | float) or size <= 0:
        return None
    name = extras.get(Extra.ECG_FILE)
    return EcgAttachment(name if isinstance(name, str) and name else "ECG", str(sha), int(size), done_at)


def viewer_file_name(attachment: EcgAttachment, kind: EcgKind) -> str:
    """The name of the copy a viewer opens: 'ECG 3f2a9c1b.pdf' (hash, so two ECGs never share one; the
    suffix from the content)."""
    return f"ECG {attachment.sha256[:8]}{kind.suffix}"
