"""The crew records the case; the receiving nurse has the record before the ambulance arrives
(real server process, SQLite and PostgreSQL; issue 19)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from emsync_desktop.domain.procedures import Extra, Procedure
from emsync_desktop.domain.roles import Role
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.record_views import medications_of, procedures_of, timeline_of
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.store.models import TransferRecord
from tests.e2e.clients import LOURDES, make_client
from tests.e2e.server_process import ServerProcess


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
        assert record.record_procedure(case_id, Procedure.ECG_12_LEAD, values={Extra.ECG_FILE: "ecg-0742.pdf"}).ok
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
        assert [(p.procedure, p.extras) for p in procedures] == [(Procedure.ECG_12_LEAD, {"ecg_file": "ecg-0742.pdf"})]
        assert {e.sync_state for e in record.medications(case_id)} == {"synced"}
    finally:
        crew.close()
        ward.close()
