"""The ward's copy of a crew's ECG for the system viewer: from this PC, else fetched and checked against its
hash (then kept), named by the kind of its content."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from emsync_desktop.domain.ecg_file import EcgAttachment
from emsync_desktop.services.ecg_files import EcgFileRefused, viewer_copy
from emsync_desktop.sync.blobs import blob_file
from tests.services.conftest import ECG_PDF

ATTACHMENT = EcgAttachment("ecg.desktop", hashlib.sha256(ECG_PDF).hexdigest(), len(ECG_PDF))


def test_a_fetched_file_is_checked_kept_and_copied_under_its_kind(tmp_path: Path) -> None:
    asked: list[str] = []
    copy = viewer_copy(tmp_path / "blobs", tmp_path / "viewer", ATTACHMENT, lambda sha: asked.append(sha) or ECG_PDF)
    assert copy.name == f"ECG {ATTACHMENT.sha256[:8]}.pdf" and copy.read_bytes() == ECG_PDF
    assert blob_file(tmp_path / "blobs", ATTACHMENT.sha256).read_bytes() == ECG_PDF
    viewer_copy(tmp_path / "blobs", tmp_path / "viewer", ATTACHMENT, None)  # kept: no second fetch
    assert asked == [ATTACHMENT.sha256]


def test_bytes_not_matching_the_hash_are_not_shown_or_kept(tmp_path: Path) -> None:
    with pytest.raises(EcgFileRefused, match="does not match"):
        viewer_copy(tmp_path / "blobs", tmp_path / "viewer", ATTACHMENT, lambda _sha: ECG_PDF + b"tampered")
    assert not (tmp_path / "blobs").exists() and not (tmp_path / "viewer").exists()


def test_not_here_and_not_connected_says_to_connect(tmp_path: Path) -> None:
    with pytest.raises(EcgFileRefused, match="not connected to the sync server: connect"):
        viewer_copy(tmp_path / "blobs", tmp_path / "viewer", ATTACHMENT, None)
