"""The NEMSIS builder maps a case to the right elements and codes, and says 'not recorded' honestly.
(Validation against the official XSD is in tests/services/test_nemsis_export.py.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from xml.etree import ElementTree as ET

import pytest

from emsync_desktop.domain.disposition import Disposition
from emsync_desktop.domain.nemsis import (
    Destination,
    MedicationGiven,
    NemsisAgency,
    NemsisCase,
    NoCasesToReport,
    ProcedureDone,
    VitalsReading,
    ems_dataset_bytes,
)
from emsync_desktop.domain.nemsis.agency import agency_problems
from emsync_desktop.domain.patient import Sex
from emsync_desktop.domain.procedures import Procedure
from emsync_desktop.domain.timeline import TimelineStep

NS = {"n": "http://www.nemsis.org"}
NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
T0 = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
AGENCY = NemsisAgency("KL-EMS-1", "KL001", "06")


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def closed_case(**changes: object) -> NemsisCase:
    values: dict[str, object] = {"case_id": "0193a1b2-0000-7000-8000-000000000001", "unit_call_sign": "AMB-7",
                                 "opened_at": at(0), "closed_at": at(90), "disposition": Disposition.HANDED_OVER}
    return NemsisCase(**{**values, **changes})  # type: ignore[arg-type]


def built(*cases: NemsisCase) -> ET.Element:
    return ET.fromstring(ems_dataset_bytes(AGENCY, cases))


def one(root: ET.Element, tag: str) -> ET.Element:
    found = root.find(f".//n:{tag}", NS)
    assert found is not None, tag
    return found


def nv(root: ET.Element, tag: str) -> str | None:
    element = one(root, tag)
    assert element.get(NIL) == "true" and not element.text, tag
    return element.get("NV")


def test_vitals_map_to_their_elements_with_nemsis_codes() -> None:
    reading = VitalsReading(at(12), hr_bpm=110, rr_per_min=22, spo2_pct=94, sbp_mmhg=150, dbp_mmhg=90,
                            temp_c=37.24, avpu="V", gcs_total=13, pain_0_10=7, glucose_mg_dl=120)
    root = built(closed_case(vitals=(reading,)))
    values = {tag: one(root, tag).text for tag in ("eVitals.01", "eVitals.06", "eVitals.07", "eVitals.10",
                                                   "eVitals.12", "eVitals.14", "eVitals.18", "eVitals.23",
                                                   "eVitals.24", "eVitals.26", "eVitals.27")}
    assert values == {"eVitals.01": "2026-12-04T07:12:00+00:00", "eVitals.06": "150", "eVitals.07": "90",
                      "eVitals.10": "110", "eVitals.12": "94", "eVitals.14": "22", "eVitals.18": "120",
                      "eVitals.23": "13", "eVitals.24": "37.2", "eVitals.26": "3326003", "eVitals.27": "7"}
    assert nv(root, "eVitals.19") == "7701003"  # GCS eyes: EMsync records the total only


def test_a_case_without_vitals_has_one_vitals_group_all_not_recorded() -> None:
    root = built(closed_case())
    groups = root.findall(".//n:eVitals.VitalGroup", NS)
    assert len(groups) == 1
    assert {nv(root, tag) for tag in ("eVitals.01", "eVitals.06", "eVitals.10", "eVitals.26")} == {"7701003"}


def test_unknown_and_other_sex_are_not_recorded_never_guessed() -> None:
    assert nv(built(closed_case(sex=Sex.UNKNOWN)), "ePatient.25") == "7701003"
    assert nv(built(closed_case(sex=Sex.OTHER)), "ePatient.25") == "7701003"
    assert one(built(closed_case(sex=Sex.FEMALE)), "ePatient.25").text == "9919001"


def test_age_comes_from_the_date_of_birth_when_not_typed() -> None:
    root = built(closed_case(date_of_birth=date(1972, 12, 5)))
    assert (one(root, "ePatient.15").text, one(root, "ePatient.16").text) == ("53", "2516009")
    assert one(root, "ePatient.17").text == "1972-12-05"


def test_a_formulary_drug_gets_its_rxnorm_code_route_and_unit() -> None:
    root = built(closed_case(medications=(MedicationGiven("Aspirin", 300, "mg", "PO", at(15), "A. Kumar"),)))
    drug = one(root, "eMedications.03")
    assert (drug.text, drug.get("CodeType")) == ("1191", "9924003")
    assert [one(root, t).text for t in ("eMedications.04", "eMedications.05", "eMedications.06")] == \
        ["9927035", "300", "3706021"]
    assert "Aspirin 300 mg PO by A. Kumar" in one(root, "eNarrative.01").text  # type: ignore[operator]


def test_a_free_text_drug_is_not_coded_but_kept_in_the_narrative() -> None:
    given = MedicationGiven("Bach flower remedy", 4, "drops", "tongue", at(15), "B", free_text=True)
    root = built(closed_case(medications=(given,)))
    assert {nv(root, t) for t in ("eMedications.03", "eMedications.04", "eMedications.06")} == {"7701003"}
    assert "Bach flower remedy 4 drops tongue by B (free text" in one(root, "eNarrative.01").text  # type: ignore[operator]


def test_no_drugs_and_no_procedures_are_not_applicable() -> None:
    root = built(closed_case())
    assert nv(root, "eMedications.03") == "7701001" and nv(root, "eProcedures.03") == "7701001"


def test_a_procedure_gets_its_snomed_code_or_not_recorded() -> None:
    root = built(closed_case(procedures=(ProcedureDone(Procedure.ECG_12_LEAD, at(14)),)))
    assert one(root, "eProcedures.03").text == "268400002"
    assert nv(built(closed_case(procedures=(ProcedureDone(Procedure.TOURNIQUET, at(14)),))),
              "eProcedures.03") == "7701003"


def test_timeline_stamps_become_times_and_back_in_service_is_the_closing() -> None:
    times = {TimelineStep.CALL_RECEIVED: at(0), TimelineStep.DISPATCHED: at(1), TimelineStep.AT_SCENE: at(10)}
    root = built(closed_case(times=times, destination=Destination("Lourdes Hospital", "ICU")))
    assert [one(root, t).text for t in ("eTimes.01", "eTimes.03", "eTimes.06", "eTimes.13")] == \
        ["2026-12-04T07:00:00+00:00", "2026-12-04T07:01:00+00:00", "2026-12-04T07:10:00+00:00",
         "2026-12-04T08:30:00+00:00"]
    assert nv(root, "eTimes.09") == "7701003"  # transported, but 'left scene' was not stamped


def test_unit_notified_falls_back_to_the_case_opening_without_stamps() -> None:
    assert one(built(closed_case()), "eTimes.03").text == "2026-12-04T07:00:00+00:00"


def test_handed_over_case_is_a_transport_to_the_transfers_hospital() -> None:
    root = built(closed_case(destination=Destination("Lourdes Hospital", "ER")))
    assert one(root, "eDisposition.01").text == "Lourdes Hospital"
    assert [one(root, f"eDisposition.{n}").text for n in (27, 28, 29, 30, 16, 21)] == \
        ["4227001", "4228001", "4229001", "4230001", "4216005", "4221003"]


def test_a_case_treated_on_scene_has_no_destination_and_says_not_applicable() -> None:
    root = built(closed_case(disposition=Disposition.TREATED_ON_SCENE))
    assert root.find(".//n:eDisposition.01", NS) is None
    assert {nv(root, t) for t in ("eDisposition.05", "eDisposition.16", "eDisposition.21", "eTimes.09")} == \
        {"7701001"}
    assert one(root, "eDisposition.30").text == "4230013"


def test_a_call_cancelled_before_the_scene_says_so() -> None:
    root = built(closed_case(disposition=Disposition.CANCELLED))
    assert one(root, "eDisposition.27").text == "4227005" and nv(root, "eDisposition.28") == "7701001"


def test_bulk_puts_one_report_per_case_under_one_header() -> None:
    root = built(closed_case(), closed_case(case_id="0193a1b2-0000-7000-8000-000000000002"))
    reports = root.findall("n:Header/n:PatientCareReport", NS)
    assert len(reports) == 2 and reports[0].get("UUID") != reports[1].get("UUID")
    assert one(root, "dAgency.02").text == "KL001"


def test_no_cases_is_refused() -> None:
    with pytest.raises(NoCasesToReport):
        ems_dataset_bytes(AGENCY, [])


def test_agency_identifiers_are_checked() -> None:
    assert agency_problems(AGENCY) == []
    assert len(agency_problems(NemsisAgency("", "KL001", "Kerala"))) == 2
