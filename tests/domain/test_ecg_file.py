"""Which files a 12-lead ECG takes (by content, not name), how big, and the attachment its extras name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from emsync_desktop.domain.ecg_file import (
    MAX_ECG_BYTES,
    EcgAttachment,
    EcgKind,
    check_ecg_file,
    ecg_attachment,
    ecg_kind,
    viewer_file_name,
)
from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.domain.record_summary import DoneProcedure, ecg_attachments, procedure_details

SHA = "ab" * 32
AT = datetime(2026, 12, 6, 7, 48, tzinfo=UTC)


@pytest.mark.parametrize(("head", "kind"), [
    (b"%PDF-1.7\n", EcgKind.PDF), (b"\x89PNG\r\n\x1a\n\0\0", EcgKind.PNG), (b"\xff\xd8\xff\xe0JFIF", EcgKind.JPEG),
    (b"\0" * 128 + b"DICM\x02\0", EcgKind.DICOM), (b"\xef\xbb\xbf<?xml version='1.0'?>", EcgKind.XML),
    (b"  <AnnotatedECG xmlns='urn:hl7-org:v3'>", EcgKind.XML), (b"\xff\xfe<\0?\0x\0", EcgKind.XML)])
def test_the_kind_is_read_from_the_content(head: bytes, kind: EcgKind) -> None:
    assert ecg_kind(head) is kind


@pytest.mark.parametrize("head", [b"MZ\x90\0", b"#!/bin/sh\n", b"PK\x03\x04", b"< not xml", b""])
def test_other_files_are_not_ecgs(head: bytes) -> None:
    assert ecg_kind(head) is None


def test_a_file_named_pdf_that_is_not_one_is_refused_with_what_to_do() -> None:
    problem = check_ecg_file("ecg.pdf", 10, b"MZ\x90\0")
    assert problem == ("ECG file: ecg.pdf is not a PDF, PNG, JPEG, XML or DICOM file. Export the ECG from the "
                       "monitor in one of these and choose that file.")


def test_over_20_mb_is_refused_and_an_empty_file_too() -> None:
    assert check_ecg_file("big.pdf", MAX_ECG_BYTES, b"%PDF-") is None
    too_big = check_ecg_file("big.pdf", MAX_ECG_BYTES + 1, b"%PDF-")
    assert too_big is not None and "at most 20 MB" in too_big and "20.0 MB" in too_big
    assert "is empty" in (check_ecg_file("ecg.pdf", 0, b"") or "")


def test_extras_with_hash_and_size_name_the_attachment() -> None:
    extras = {Extra.ECG_FILE: "ecg.pdf", Extra.ECG_SHA256: SHA, Extra.ECG_SIZE_BYTES: 1_258_291}
    assert ecg_attachment(extras, AT) == EcgAttachment("ecg.pdf", SHA, 1_258_291, AT)
    assert ecg_attachment({Extra.ECG_FILE: "ecg.pdf"}) is None  # a name alone: no file attached
    assert ecg_attachment({**extras, Extra.ECG_SHA256: "AB" * 32}) is None


def test_handoffs_say_the_file_is_attached_and_its_size() -> None:
    done = DoneProcedure(Procedure.ECG_12_LEAD, AT, extras={
        Extra.ECG_FILE: "ecg.pdf", Extra.ECG_SHA256: SHA, Extra.ECG_SIZE_BYTES: 1_258_291})
    assert procedure_details(done) == ["ECG file: ecg.pdf (attached, 1.2 MB)"]
    assert procedure_details(done, brief=True) == []


def test_a_cases_attachments_are_its_ecgs_with_files_oldest_first() -> None:
    later = DoneProcedure(Procedure.ECG_12_LEAD, AT, extras={
        Extra.ECG_FILE: "b.pdf", Extra.ECG_SHA256: SHA, Extra.ECG_SIZE_BYTES: 10})
    earlier = DoneProcedure(Procedure.ECG_12_LEAD, AT.replace(minute=30), extras={
        Extra.ECG_FILE: "a.pdf", Extra.ECG_SHA256: "cd" * 32, Extra.ECG_SIZE_BYTES: 10})
    unattached = DoneProcedure(Procedure.ECG_12_LEAD, AT, extras={Extra.ECG_FILE: "c.pdf"})
    assert [a.name for a in ecg_attachments([later, unattached, earlier])] == ["a.pdf", "b.pdf"]


def test_the_viewer_copy_is_named_by_its_content_not_the_crews_name() -> None:
    attachment = EcgAttachment("ecg.desktop", SHA, 10)
    assert viewer_file_name(attachment, EcgKind.PDF) == "ECG abababab.pdf"
