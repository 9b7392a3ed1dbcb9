"""Blood end to end (issue 24; the real server process, SQLite and PostgreSQL): a crew pre-alerts the destination's
blood bank from the ambulance for a patient whose group is not known; the blood bank's PC pulls it and allocates
(the server picks O negative for a woman who may bear children, first to expire first) and issues; the ward's PC
gets the issued units and confirms the transfusion at the bedside against the two identifiers and the bag."""

from __future__ import annotations

from pathlib import Path

import pytest

from emsync_desktop.domain.blood import Abo, BloodGroup, Component
from emsync_desktop.domain.blood_flow import PatientIds, RequestState, UnitState, Urgency
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.blood_bank import BloodAsk, BloodBankService, BloodInputProblem
from emsync_desktop.services.blood_views import BloodViews
from tests.e2e.clients import LOURDES, make_client
from tests.e2e.server_process import ServerProcess

PATIENT = PatientIds("Lakshmi Nair", "1991-02-14")


@pytest.mark.slow
def test_a_crews_pre_alert_is_allocated_issued_and_transfused_at_the_ward(tmp_path: Path,
                                                                           server: ServerProcess) -> None:
    creds = server.credentials()
    crew = make_client(tmp_path / "amb", Role.PARAMEDIC, server.url, "asha", creds["asha"])
    bank = make_client(tmp_path / "bank", Role.BLOOD_BANK, server.url, "joseph", creds["joseph"])
    ward = make_client(tmp_path / "ward", Role.NURSE, server.url, "maria", creds["maria"])
    try:
        transfer_id = crew.open_case_and_send("Stab wound, abdomen")
        request_id = BloodBankService(crew.context.store, crew.user).request_blood(BloodAsk(
            PATIENT, None, None, True, Urgency.EMERGENCY, {Component.RED_CELLS: 2}, "haemorrhage, SBP 70",
            mtp=False, transfer_id=transfer_id, hospital_id=LOURDES))  # written offline, before the push
        assert crew.engine.run_once()

        assert bank.engine.run_once()
        queue = BloodViews(bank.context.store, bank.user).queue()
        assert [r.urgency for r in queue] == sorted(r.urgency for r in queue)  # emergencies (the demo's too) first
        assert next(r for r in queue if r.id == request_id).urgency is Urgency.EMERGENCY
        BloodBankService(bank.context.store, bank.user).allocate(request_id)
        assert bank.engine.run_once()
        allocated = BloodViews(bank.context.store, bank.user).request(request_id)
        assert allocated is not None and allocated.state is RequestState.ALLOCATED, allocated
        assert {u.group for u in allocated.units} == {BloodGroup(Abo.O, False)}
        BloodBankService(bank.context.store, bank.user).issue(request_id, tuple(u.id for u in allocated.units))
        assert bank.engine.run_once()

        assert ward.engine.run_once() and crew.engine.run_once()
        issued = BloodViews(ward.context.store, ward.user).request(request_id)
        assert issued is not None and [u.state for u in issued.units] == [UnitState.ISSUED] * 2
        crew_view = BloodViews(crew.context.store, crew.user).requests_of_transfer(transfer_id)
        assert [r.state for r in crew_view] == [RequestState.ISSUED]  # the crew sees its pre-alert answered
        service = BloodBankService(ward.context.store, ward.user)
        first, second = issued.units
        with pytest.raises(BloodInputProblem, match="not this unit's"):
            service.start_transfusion(first.id, second.din, PATIENT)
        service.start_transfusion(first.id, first.din, PATIENT)
        assert ward.engine.run_once()
        done = BloodViews(ward.context.store, ward.user).request(request_id)
        assert done is not None and sorted(u.state for u in done.units) == [UnitState.ISSUED, UnitState.TRANSFUSED]
        assert done.sync_state == "synced"
    finally:
        crew.close()
        bank.close()
        ward.close()
