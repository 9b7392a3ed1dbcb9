"""A 12-lead ECG's file is attached when the procedure is recorded: copied into the device's blob store by
its sha256, named with its hash and size in the entry and its op; a file refused writes nothing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from emsync_desktop.domain.ecg_file import MAX_ECG_BYTES
from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services import case_record
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.store.models import OutboxOp, ProcedureEntry
from emsync_desktop.sync.blobs import blob_file
from tests.services.conftest import ECG_PDF, NOW, ecg_on_a_stick
from tests.services.test_case_record import CALL, _payload

SHA = hashlib.sha256(ECG_PDF).hexdigest()


@pytest.fixture
def case_id(cases: CaseService, record: RecordService) -> str:
    case = cases.open_case()
    assert record.stamp_step(case.id, TimelineStep.CALL_RECEIVED, CALL).ok
    return case.id


def blobs(app_context: AppContext) -> list[str]:
    return sorted(p.name for p in (app_context.data_dir / "blobs").rglob("*") if p.is_file())


def written(app_context: AppContext) -> tuple[int, int]:
    """(procedure entries, procedure ops) on the device."""
    with app_context.store.sessions.begin() as session:
        return (session.scalar(select(func.count()).select_from(ProcedureEntry)) or 0,
                session.scalar(select(func.count()).where(OutboxOp.kind == "record.procedure")) or 0)


def test_the_file_is_copied_by_its_hash_and_named_in_the_entry_and_its_op(
        app_context: AppContext, record: RecordService, case_id: str) -> None:
    with ecg_on_a_stick("ecg-0748.pdf") as ecg:
        result = record.record_procedure(case_id, Procedure.ECG_12_LEAD, values={Extra.ECG_FILE: ecg})
    assert result.ok and result.entry is not None  # and the stick is gone: the copy is the device's
    assert blob_file(app_context.data_dir / "blobs", SHA).read_bytes() == ECG_PDF
    wanted = {"ecg_file": "ecg-0748.pdf", "ecg_sha256": SHA, "ecg_size_bytes": len(ECG_PDF)}
    assert result.entry.extras == wanted
    with app_context.store.sessions.begin() as session:
        op = session.scalars(select(OutboxOp).where(OutboxOp.kind == "record.procedure")).one()
        row = session.scalars(select(ProcedureEntry)).one()
    assert {k: v for k, v in _payload(op)["extras"].items() if v is not None} == wanted  # type: ignore[union-attr]
    assert (row.ecg_sha256, row.ecg_size_bytes, row.blob_state) == (SHA, len(ECG_PDF), "to_send")


def test_an_ecg_without_a_file_is_recorded_with_nothing_to_send(
        app_context: AppContext, record: RecordService, case_id: str) -> None:
    result = record.record_procedure(case_id, Procedure.ECG_12_LEAD, values={Extra.ECG_FILE: ""})
    assert result.ok and result.entry is not None and result.entry.extras == {}
    with app_context.store.sessions.begin() as session:
        assert session.scalars(select(ProcedureEntry.blob_state)).one() is None
    assert blobs(app_context) == []


def test_a_missing_file_is_refused_with_what_to_do_and_nothing_written(
        app_context: AppContext, record: RecordService, case_id: str, tmp_path: Path) -> None:
    result = record.record_procedure(case_id, Procedure.ECG_12_LEAD, values={Extra.ECG_FILE: tmp_path / "ecg.pdf"})
    assert result.error == (f"ECG file: ecg.pdf is not in {tmp_path} any more (moved, or the USB stick removed): "
                            "choose it again, or clear the ECG file to record the ECG without it.")
    assert written(app_context) == (0, 0) and blobs(app_context) == []


def test_a_name_typed_instead_of_a_file_chosen_is_refused(app_context: AppContext, record: RecordService,
                                                          case_id: str) -> None:
    result = record.record_procedure(case_id, Procedure.ECG_12_LEAD, values={Extra.ECG_FILE: "ecg-0748.pdf"})
    assert result.error is not None and result.error.startswith("ECG file: ecg-0748.pdf was not found: choose")
    assert written(app_context) == (0, 0)


@pytest.mark.parametrize(("data", "words"), [(b"MZ\x90\0 not an ECG", "is not a PDF, PNG, JPEG, XML or DICOM"),
                                             (b"", "is empty")])
def test_a_file_that_is_not_an_ecg_is_refused_and_nothing_written(
        app_context: AppContext, record: RecordService, case_id: str, data: bytes, words: str) -> None:
    with ecg_on_a_stick("ecg.pdf", data) as ecg:
        result = record.record_procedure(case_id, Procedure.ECG_12_LEAD, values={Extra.ECG_FILE: ecg})
    assert result.error is not None and words in result.error
    assert written(app_context) == (0, 0) and blobs(app_context) == []


def test_a_file_over_20_mb_is_refused_and_nothing_written(
        app_context: AppContext, record: RecordService, case_id: str, tmp_path: Path) -> None:
    big = tmp_path / "scan.pdf"
    big.write_bytes(ECG_PDF)
    os.truncate(big, MAX_ECG_BYTES + 1)
    result = record.record_procedure(case_id, Procedure.ECG_12_LEAD, values={Extra.ECG_FILE: big})
    assert result.error is not None and "at most 20 MB" in result.error and "Export the ECG as a PDF" in result.error
    assert written(app_context) == (0, 0) and blobs(app_context) == []


def test_a_folder_chosen_is_refused(app_context: AppContext, record: RecordService, case_id: str,
                                    tmp_path: Path) -> None:
    result = record.record_procedure(case_id, Procedure.ECG_12_LEAD, values={Extra.ECG_FILE: tmp_path})
    assert result.error is not None and "is a folder, not a file" in result.error
    assert written(app_context) == (0, 0)


def test_a_good_file_with_a_time_in_the_future_keeps_no_copy(
        app_context: AppContext, record: RecordService, case_id: str) -> None:
    with ecg_on_a_stick() as ecg:
        result = record.record_procedure(case_id, Procedure.ECG_12_LEAD, NOW.replace(hour=11),
                                         {Extra.ECG_FILE: ecg})
    assert result.error is not None and "in the future" in result.error
    assert written(app_context) == (0, 0) and blobs(app_context) == []


def test_a_device_that_keeps_no_files_refuses_the_file_not_the_ecg(
        app_context: AppContext, paramedic: UserInfo, case_id: str) -> None:
    record = RecordService(app_context.store, paramedic, clock=lambda: NOW)  # no blob dir
    with ecg_on_a_stick() as ecg:
        refused = record.record_procedure(case_id, Procedure.ECG_12_LEAD, values={Extra.ECG_FILE: ecg})
    assert refused.error == ("This device keeps no files with the record: clear the ECG file to record the ECG "
                             "without it.")
    assert record.record_procedure(case_id, Procedure.ECG_12_LEAD).ok


def test_a_disk_failure_keeping_the_file_writes_no_entry(
        app_context: AppContext, record: RecordService, case_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(_blob_dir: Path, _file: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(case_record, "keep_ecg_file", disk_full)
    with ecg_on_a_stick() as ecg, pytest.raises(OSError):
        record.record_procedure(case_id, Procedure.ECG_12_LEAD, values={Extra.ECG_FILE: ecg})
    assert written(app_context) == (0, 0)

