"""The admin publishes the service's formulary; an ambulance pulls it and its dose checks use the new limit
(real server process, SQLite and PostgreSQL; issue 19)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from emsync_desktop.domain.formulary import Formulary
from emsync_desktop.domain.formulary_defaults import DEFAULT_FORMULARY
from emsync_desktop.domain.formulary_parse import formulary_to_data, parse_formulary
from emsync_desktop.domain.roles import Role
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.formulary_admin import FormularyAdmin, PublishAnswer
from tests.e2e.clients import make_client
from tests.e2e.server_process import ServerProcess

LABEL = "Kochi EMS formulary 2026-11, reviewed by Dr X"


def aspirin_capped_at(mg: float) -> Formulary:
    data = copy.deepcopy(formulary_to_data(DEFAULT_FORMULARY))
    next(d for d in data if d["key"] == "aspirin")["limits"][0]["adult_max_single"] = mg
    return parse_formulary(data)


@pytest.mark.slow
def test_the_ambulance_checks_doses_against_the_formulary_the_admin_published(
        tmp_path: Path, server: ServerProcess) -> None:
    creds = server.credentials()
    desk = make_client(tmp_path / "desk", Role.ADMIN, server.url, "deepa", creds["deepa"])
    crew = make_client(tmp_path / "amb", Role.PARAMEDIC, server.url, "asha", creds["asha"])
    try:
        admin = FormularyAdmin(desk.context.store, desk.user)
        op_id = admin.publish(aspirin_capped_at(150.0), LABEL)
        assert desk.engine.run_once()
        assert admin.answer(op_id) == PublishAnswer("applied", None, 1)
        published = admin.in_force()[1]  # the desk pulled its own formulary back
        assert published is not None and (published.version, published.label) == (1, LABEL)
        cases = CaseService(crew.context.store, crew.user, crew.context.install.device_id)
        case_id = cases.open_case().id
        cases.set_detail(case_id, "age_years", "61")
        record = RecordService(crew.context.store, crew.user)
        assert record.stamp_step(case_id, TimelineStep.CALL_RECEIVED).ok
        assert not record.formulary().reviewed  # nothing pulled yet: the shipped defaults
        assert crew.engine.run_once()
        result = record.record_medication(case_id, drug="aspirin", dose=300, unit="mg", route="PO")
        assert result.ok and len(result.warnings) == 1 and "150 mg" in result.warnings[0]
        assert record.formulary().reviewed and record.formulary().source.startswith(f"{LABEL} (version 1, ")
    finally:
        crew.close()
        desk.close()
