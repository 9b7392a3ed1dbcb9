"""The crew records the case; the receiving nurse has the record before the ambulance arrives
(real server process, SQLite and PostgreSQL; issue 19)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.domain.record_summary import ecg_attachments
from emsync_desktop.domain.roles import Role
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.ecg_files import viewer_copy
from emsync_desktop.services.handoff_record import case_record_of
from emsync_desktop.services.record_views import medications_of, procedures_of, timeline_of
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.store.models import ProcedureEntry, TransferRecord
from emsync_desktop.sync.blobs import BLOBS_DIR
from emsync_desktop.sync.http import SyncHttp
from tests.e2e.clients import LOURDES, Client, demo_clients, make_client
from tests.e2e.server_process import ServerProcess
from tests.services.conftest import ECG_PDF, ecg_on_a_stick


@pytest.mark.slow
def test_nurse_sees_the_crews_record_before_arrival(tmp_path: Path, server: ServerProcess) -> None:
    creds = server.credentials()
    crew = make_client(tmp_path / "amb", Role.PARAMEDIC, server.url, "asha", creds["asha"])
    ward = make_client(tmp_path / "ward", Role.NURSE, server.url, "maria", creds["maria"])
    try:
        cases = CaseService(crew.context.store, crew.user, crew.context.install.device_id)
        case_id = cases.open_case().id
        cases.set_detail(case_id, "chief_complaint", "Chest pain")
        cases.set_detail(case_id, "age_years", "61")
        record = RecordService(crew.context.store, crew.user)
        assert record.stamp_step(case_id, TimelineStep.CALL_RECEIVED).ok
        assert record.record_medication(case_id, drug="aspirin", dose=300, unit="mg", route="PO").ok
        assert record.record_procedure(case_id, Procedure.CARDIOVERSION, values={Extra.ENERGY_J: 120}).ok
        TransferService(crew.context.store, crew.user).send_to_hospital(case_id, LOURDES, "ICU")
        assert crew.engine.run_once() and ward.engine.run_once()
        with ward.context.store.sessions.begin() as session:
            [transfer] = session.scalars(select(TransferRecord)).all()
            drugs = medications_of(session, case_id)
            stamps = timeline_of(session, case_id)
            procedures = procedures_of(session, case_id)
        assert transfer.state == "PENDING"  # not arrived: the ward reads the record ahead
        assert [d.dose_text for d in drugs] == ["Aspirin 300 mg PO"]
        assert drugs[0].by_name  # who gave it: the crew's account on the server
        assert [s.step for s in stamps] == [TimelineStep.CALL_RECEIVED]
        assert [(p.procedure, p.extras) for p in procedures] == [(Procedure.CARDIOVERSION, {"energy_j": 120})]
        assert {e.sync_state for e in record.medications(case_id)} == {"synced"}
    finally:
        crew.close()
        ward.close()


@pytest.mark.slow
def test_the_nurses_device_gets_the_crews_ecg_file_bytes_identical(tmp_path: Path, server: ServerProcess) -> None:
    creds = server.credentials()
    with demo_clients(tmp_path, server.url, creds, "asha", "maria") as (crew, ward):
        monitor_export = ECG_PDF + os.urandom(900_000)  # two chunks up
        crew.open_case_and_send("Chest pain, ST elevation")  # to Lourdes: the ward gets the record
        case_id = _case_of(crew)
        record = RecordService(crew.context.store, crew.user, blob_dir=crew.context.data_dir / BLOBS_DIR)
        with ecg_on_a_stick("ecg-0748.pdf", monitor_export) as ecg:
            assert record.record_procedure(case_id, Procedure.ECG_12_LEAD, values={Extra.ECG_FILE: ecg}).ok
        assert crew.engine.run_once()  # the entry, then its file
        with crew.context.store.sessions.begin() as session:
            assert session.scalars(select(ProcedureEntry.blob_state)).one() == "sent"
        assert ward.engine.run_once()
        with ward.context.store.sessions.begin() as session:
            [ecg_done] = case_record_of(session, case_id).procedures
        [attachment] = ecg_attachments([ecg_done])
        http = SyncHttp(server.url)
        token = http.login("maria", creds["maria"]).access_token
        copy = viewer_copy(ward.context.data_dir / BLOBS_DIR, ward.context.data_dir / "viewer", attachment,
                           lambda sha: http.get_blob(token, sha))
        assert copy.read_bytes() == monitor_export and copy.suffix == ".pdf"


def _case_of(client: Client) -> str:
    [transfer] = client.transfers()
    return str(transfer.encounter_id)
