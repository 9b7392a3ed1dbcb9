from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.news2 import News2Band
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService


def test_new_case_is_listed(cases: CaseService) -> None:
    case = cases.open_case()
    assert [c.id for c in cases.search()] == [case.id]


def test_detail_is_saved_and_reloaded(cases: CaseService) -> None:
    case = cases.open_case()
    cases.set_detail(case.id, "chief_complaint", "Fall from height")
    assert cases.load(case.id).details.chief_complaint == "Fall from height"


def test_future_date_of_birth_is_refused_and_previous_value_kept(cases: CaseService) -> None:
    case = cases.open_case()
    cases.set_detail(case.id, "date_of_birth", "1960-05-01")
    result = cases.set_detail(case.id, "date_of_birth", "2030-01-01")
    assert result.error == "Date of birth is in the future. Check the year."
    assert cases.load(case.id).details.date_of_birth.isoformat() == "1960-05-01"  # type: ignore[union-attr]


def test_age_is_derived_from_date_of_birth(cases: CaseService) -> None:
    case = cases.open_case()
    result = cases.set_detail(case.id, "date_of_birth", "21/03/1984")
    assert result.snapshot.details.age_years == 42


def test_missing_chief_complaint_is_reported(cases: CaseService) -> None:
    case = cases.open_case()
    assert any("Chief complaint is missing" in p for p in case.problems)


def test_fields_typed_into_one_set_share_it(cases: CaseService) -> None:
    case = cases.open_case()
    set_id = new_id()
    cases.set_vital(case.id, set_id, "hr_bpm", "131")
    result = cases.set_vital(case.id, set_id, "rr_per_min", "26")
    assert len(result.snapshot.vitals) == 1
    assert result.snapshot.vitals[0].news2.parts == {"hr": 3, "rr": 3}


def test_letters_in_vital_are_refused_and_nothing_saved(cases: CaseService) -> None:
    case = cases.open_case()
    result = cases.set_vital(case.id, new_id(), "spo2_pct", "9x")
    assert result.error is not None and "SpO2 must be a number" in result.error
    assert cases.load(case.id).vitals == ()


def test_spo2_above_100_leaves_previous_value(cases: CaseService) -> None:
    case = cases.open_case()
    set_id = new_id()
    cases.set_vital(case.id, set_id, "spo2_pct", "96")
    result = cases.set_vital(case.id, set_id, "spo2_pct", "104")
    assert result.error is not None
    assert cases.load(case.id).vitals[0].vitals.spo2_pct == 96


def test_diastolic_above_systolic_is_refused(cases: CaseService) -> None:
    case = cases.open_case()
    set_id = new_id()
    cases.set_vital(case.id, set_id, "sbp_mmhg", "90")
    assert cases.set_vital(case.id, set_id, "dbp_mmhg", "95").error is not None
    assert cases.load(case.id).vitals[0].vitals.dbp_mmhg is None


def test_implausible_vital_is_saved_with_warning(cases: CaseService) -> None:
    case = cases.open_case()
    result = cases.set_vital(case.id, new_id(), "hr_bpm", "235")
    assert result.ok and result.warning is not None
    assert result.snapshot.vitals[0].vitals.hr_bpm == 235


def test_search_finds_encrypted_name_case_insensitively(cases: CaseService) -> None:
    case = cases.open_case()
    cases.set_detail(case.id, "name", "Anil Kuriakose")
    cases.open_case()
    assert [c.id for c in cases.search("kuriakose")] == [case.id]


def test_case_list_shows_an_incomplete_set_as_a_lower_bound(cases: CaseService) -> None:
    case = cases.open_case()
    set_id = new_id()
    cases.set_vital(case.id, set_id, "consciousness", "U")
    summary = cases.search()[0]
    assert (summary.news2_text, summary.news2_band) == ("NEWS2 ≥ 3 (incomplete)", News2Band.LOW_MEDIUM.value)


def test_case_list_keeps_the_last_complete_news2_while_a_new_set_is_typed(cases: CaseService) -> None:
    case = cases.open_case()
    first = new_id()
    for name, value in (("hr_bpm", "140"), ("rr_per_min", "30"), ("spo2_pct", "85"), ("on_oxygen", "true"),
                        ("sbp_mmhg", "85"), ("temp_c", "34.5"), ("consciousness", "P")):
        cases.set_vital(case.id, first, name, value)
    complete = cases.search()[0].news2_text
    cases.set_vital(case.id, new_id(), "hr_bpm", "100")
    assert cases.search()[0].news2_text == complete == "NEWS2 20"


def test_demo_network_has_kochi_hospitals(app_context: AppContext) -> None:
    from emsync_desktop.services.network import network_capacity

    hospitals = network_capacity(app_context.store)
    names = {h.short_name for h in hospitals}
    assert {"Aster Medcity", "Lourdes", "Rajagiri", "Amrita", "GH Ernakulam", "Medical Trust", "Lakeshore",
            "Renai Medicity", "GMC Kalamassery"} <= names
    assert all(9.8 < h.lat < 10.2 and 76.1 < h.lon < 76.5 for h in hospitals)
    assert all(h.units["ICU"].total > 0 for h in hospitals)
