"""Closed cases from real rows export as NEMSIS reports that the official XSD accepts; anything refused
writes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from emsync_desktop.domain.disposition import Disposition
from emsync_desktop.domain.ids import demo_id, new_id
from emsync_desktop.domain.nemsis import (
    Destination,
    MedicationGiven,
    NemsisAgency,
    NemsisCase,
    ProcedureDone,
    VitalsReading,
    ems_dataset_bytes,
)
from emsync_desktop.domain.patient import Sex
from emsync_desktop.domain.procedures import Procedure
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.case_closing import CaseClosing
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.nemsis_agency import AgencyNotSet, save_agency
from emsync_desktop.services.nemsis_export import (
    NemsisExportRefused,
    NemsisMappingError,
    export_case_nemsis,
    export_range_nemsis,
)
from emsync_desktop.services.nemsis_validation import ems_dataset_problems
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.store.models import Encounter, User
from tests.services.conftest import NOW

NS = {"n": "http://www.nemsis.org"}
FIXTURES = Path(__file__).parents[1] / "fixtures" / "nemsis"


@pytest.fixture
def agency_set(app_context: AppContext) -> None:
    save_agency(app_context.store, "KL-EMS-1", "KL001", "06")


def treated_case(app_context: AppContext, cases: CaseService, record: RecordService, paramedic: UserInfo,
                 disposition: Disposition = Disposition.TREATED_ON_SCENE) -> str:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Chest pain")
    cases.set_detail(case.id, "sex", "male")
    cases.set_detail(case.id, "age_years", "54")
    vitals_id = new_id()
    for field, text in (("hr_bpm", "110"), ("sbp_mmhg", "150"), ("spo2_pct", "94"), ("consciousness", "A")):
        assert cases.set_vital(case.id, vitals_id, field, text).error is None
    record.stamp_step(case.id, TimelineStep.CALL_RECEIVED, NOW - timedelta(minutes=30))
    record.record_medication(case.id, drug="Aspirin", dose=300, unit="mg", route="PO",
                             given_at=NOW - timedelta(minutes=10))
    record.record_procedure(case.id, Procedure.ECG_12_LEAD, NOW - timedelta(minutes=12))
    CaseClosing(app_context.store, paramedic, clock=lambda: NOW).close(case.id, disposition)
    return case.id


def reports(path: Path) -> list[ET.Element]:
    return ET.parse(path).getroot().findall("n:Header/n:PatientCareReport", NS)


def test_official_valid_instance_passes_and_official_fail_instance_fails() -> None:
    assert ems_dataset_problems((FIXTURES / "2025-EMS-1-Overdose_v351.xml").read_bytes()) == []
    problems = ems_dataset_problems((FIXTURES / "2025-EMS-FailXsd_v351.xml").read_bytes())
    assert problems and all(p.startswith("Line ") for p in problems)


def test_a_closed_case_exports_as_a_valid_report(app_context: AppContext, cases: CaseService,
                                                 record: RecordService, paramedic: UserInfo, agency_set: None,
                                                 tmp_path: Path) -> None:
    case_id = treated_case(app_context, cases, record, paramedic)
    result = export_case_nemsis(app_context.store, case_id, tmp_path / "out" / "case.xml")
    assert result.cases == 1 and ems_dataset_problems(result.path.read_bytes()) == []
    [report] = reports(result.path)
    assert report.findtext(".//n:eRecord.01", namespaces=NS) == case_id
    assert report.findtext(".//n:eMedications.03", namespaces=NS) == "1191"
    assert report.findtext(".//n:eVitals.10", namespaces=NS) == "110"


def test_a_handed_over_case_names_its_hospital(app_context: AppContext, cases: CaseService, paramedic: UserInfo,
                                               agency_set: None, tmp_path: Path) -> None:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Fall")
    TransferService(app_context.store, paramedic).send_to_hospital(case.id, demo_id("hospital", "Lourdes"), "ICU")
    CaseClosing(app_context.store, paramedic).close(case.id, Disposition.HANDED_OVER)
    path = export_case_nemsis(app_context.store, case.id, tmp_path / "out" / "case.xml").path
    assert "Lourdes" in (reports(path)[0].findtext(".//n:eDisposition.01", namespaces=NS) or "")


def test_an_empty_case_validates_with_not_values(app_context: AppContext, cases: CaseService,
                                                 paramedic: UserInfo, agency_set: None, tmp_path: Path) -> None:
    case = cases.open_case()
    CaseClosing(app_context.store, paramedic).close(case.id, Disposition.CANCELLED)
    [report] = reports(export_case_nemsis(app_context.store, case.id, tmp_path / "out" / "case.xml").path)
    for tag in ("eVitals.06", "ePatient.25", "eDisposition.05"):
        element = report.find(f".//n:{tag}", NS)
        assert element is not None and element.get("NV") in {"7701001", "7701003"}


def test_an_open_case_is_refused_and_nothing_written(app_context: AppContext, cases: CaseService,
                                                     agency_set: None, tmp_path: Path) -> None:
    case = cases.open_case()
    with pytest.raises(NemsisExportRefused, match="Only a closed case"):
        export_case_nemsis(app_context.store, case.id, tmp_path / "out" / "case.xml")
    assert not (tmp_path / "out").exists()


def test_without_the_agency_set_the_export_says_who_sets_it(app_context: AppContext, cases: CaseService,
                                                             paramedic: UserInfo, tmp_path: Path) -> None:
    case = cases.open_case()
    CaseClosing(app_context.store, paramedic).close(case.id, Disposition.CANCELLED)
    with pytest.raises(AgencyNotSet, match="Admin → NEMSIS export"):
        export_case_nemsis(app_context.store, case.id, tmp_path / "out" / "case.xml")


def test_a_wrong_state_code_is_not_saved(app_context: AppContext) -> None:
    with pytest.raises(AgencyNotSet, match="two-digit"):
        save_agency(app_context.store, "KL-EMS-1", "KL001", "Kerala")


def test_bulk_exports_every_case_closed_in_the_range(app_context: AppContext, cases: CaseService,
                                                     record: RecordService, paramedic: UserInfo,
                                                     agency_set: None, tmp_path: Path) -> None:
    closed = {treated_case(app_context, cases, record, paramedic, d)
              for d in (Disposition.TREATED_ON_SCENE, Disposition.REFUSED_CARE, Disposition.DIED)}
    cases.open_case()  # still open: not in the report
    day = NOW.astimezone().date()
    result = export_range_nemsis(app_context.store, day, day, tmp_path / "out" / "bulk.xml")
    assert result.cases == 3 and ems_dataset_problems(result.path.read_bytes()) == []
    assert {r.findtext(".//n:eRecord.01", namespaces=NS) for r in reports(result.path)} == closed


def test_an_empty_range_writes_nothing(app_context: AppContext, agency_set: None, tmp_path: Path) -> None:
    with pytest.raises(NemsisExportRefused, match="No case was closed"):
        export_range_nemsis(app_context.store, date(2020, 1, 1), date(2020, 1, 31), tmp_path / "out" / "bulk.xml")
    assert not (tmp_path / "out").exists()


def test_a_document_the_schema_rejects_is_not_written_and_blamed_on_the_mapping(
        app_context: AppContext, cases: CaseService, paramedic: UserInfo, agency_set: None, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    case = cases.open_case()
    CaseClosing(app_context.store, paramedic).close(case.id, Disposition.CANCELLED)
    monkeypatch.setattr("emsync_desktop.domain.nemsis.call.SOFTWARE_NAME", "")  # eRecord.03 needs 1+ characters
    with pytest.raises(NemsisMappingError, match=r"bug in EMsync's NEMSIS mapping.*eRecord\.03"):
        export_case_nemsis(app_context.store, case.id, tmp_path / "out" / "case.xml")
    assert not (tmp_path / "out").exists()


def test_a_range_ending_before_it_starts_is_refused(app_context: AppContext, agency_set: None,
                                                    tmp_path: Path) -> None:
    with pytest.raises(NemsisExportRefused, match="swap the dates"):
        export_range_nemsis(app_context.store, date(2026, 12, 5), date(2026, 12, 1), tmp_path / "out" / "b.xml")


def test_a_case_without_an_ambulance_unit_is_refused(app_context: AppContext, cases: CaseService,
                                                     paramedic: UserInfo, agency_set: None, tmp_path: Path) -> None:
    case = cases.open_case()
    CaseClosing(app_context.store, paramedic).close(case.id, Disposition.CANCELLED)
    with app_context.store.sessions.begin() as session:
        row = session.get(Encounter, case.id)
        assert row is not None
        row.crew = ""
        opener = session.get(User, row.created_by)
        assert opener is not None
        opener.ambulance_unit = None
    with pytest.raises(NemsisExportRefused, match="names no ambulance unit"):
        export_case_nemsis(app_context.store, case.id, tmp_path / "out" / "case.xml")


def test_every_value_the_builder_can_write_passes_the_xsd() -> None:
    t0 = NOW - timedelta(hours=1)
    reading = VitalsReading(t0, hr_bpm=110.4, rr_per_min=22, spo2_pct=94, sbp_mmhg=150, dbp_mmhg=90, temp_c=37.25,
                            avpu="C", gcs_total=14, pain_0_10=7, glucose_mg_dl=120)
    drugs = tuple(MedicationGiven(name, 0.125, unit, route, t0, "A. Kumar", free_text=name == "Herbal tea")
                  for name, unit, route in (("Adrenaline", "mg", "IM"), ("Oxygen", "L/min", "INH"),
                                            ("Herbal tea", "cups", "mouth")))
    done = tuple(ProcedureDone(p, t0, "B") for p in Procedure)
    case = NemsisCase("0193a1b2-0000-7000-8000-000000000009", "KL-07 AMB 108", t0, NOW, Disposition.HANDED_OVER,
                      times={step: t0 for step in TimelineStep}, crew="KL-07 AMB 108", age_years=54,
                      date_of_birth=date(1972, 3, 1), sex=Sex.FEMALE, chief_complaint="x" * 300, vitals=(reading,),
                      medications=drugs, procedures=done, destination=Destination("Lourdes Hospital", "ER"))
    agency = NemsisAgency("KL-EMS-1", "KL001", "06")
    assert ems_dataset_problems(ems_dataset_bytes(agency, [case])) == []
