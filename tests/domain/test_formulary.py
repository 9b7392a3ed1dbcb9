import pytest

from emsync_desktop.domain.formulary import DoseUnit, Route, convert_dose, find_drug, parse_route, parse_unit
from emsync_desktop.domain.formulary_defaults import DEFAULT_FORMULARY

REQUIRED = ("adrenaline", "amiodarone", "aspirin", "GTN", "salbutamol", "ipratropium", "ondansetron", "morphine",
            "fentanyl", "midazolam", "naloxone", "glucose 10 %", "glucagon", "sodium chloride 0.9 %",
            "Ringer's lactate", "Hartmann's", "tranexamic acid", "oxygen")


@pytest.mark.parametrize("name", REQUIRED)
def test_every_drug_the_issue_names_is_shipped(name: str) -> None:
    assert find_drug(DEFAULT_FORMULARY, name) is not None


def test_every_shipped_drug_names_its_source() -> None:
    for drug in DEFAULT_FORMULARY:
        assert len(drug.source) > 10, drug.key
        assert any(ref in drug.source for ref in ("JRCALC", "ERC", "AHA", "BTS", "APLS", "RCUK")), drug.key


def test_every_shipped_route_has_an_adult_and_a_child_limit_or_none_on_purpose() -> None:
    adult_only = {"aspirin", "gtn"}
    for drug in DEFAULT_FORMULARY:
        for limit in drug.limits:
            assert limit.adult_max_single is not None and limit.adult_max_single > 0, drug.key
            assert limit.has_child_dose is (drug.key not in adult_only), drug.key


def test_adrenaline_limits_depend_on_the_route() -> None:
    adrenaline = find_drug(DEFAULT_FORMULARY, "epinephrine")
    assert adrenaline is not None
    im, iv = adrenaline.limit_for(Route.IM), adrenaline.limit_for(Route.IV)
    assert im is not None and im.adult_max_single == 0.5 and im.child_per_kg == 0.01
    assert iv is not None and iv.adult_max_single == 1.0 and iv is adrenaline.limit_for(Route.IO)


def test_no_two_shipped_drugs_share_a_name() -> None:
    for drug in DEFAULT_FORMULARY:
        for name in (drug.key, drug.name, *drug.synonyms):
            assert find_drug(DEFAULT_FORMULARY, name) is drug, name


def test_drug_names_match_whatever_the_spacing_and_case() -> None:
    glucose = find_drug(DEFAULT_FORMULARY, "Glucose 10 %")
    assert glucose is not None and find_drug(DEFAULT_FORMULARY, "GLUCOSE10%") is glucose
    assert find_drug(DEFAULT_FORMULARY, "TXA") is find_drug(DEFAULT_FORMULARY, "tranexamic acid")
    assert find_drug(DEFAULT_FORMULARY, "paracetamol") is None and find_drug(DEFAULT_FORMULARY, "  ") is None


def test_units_are_read_in_their_usual_spellings() -> None:
    assert parse_unit("µg") is parse_unit("micrograms") is parse_unit("ug") is DoseUnit.MCG
    assert parse_unit(" ML ") is DoseUnit.ML and parse_unit("l / min") is DoseUnit.L_PER_MIN
    assert parse_unit("tablets") is None


def test_routes_are_read_by_code_or_name() -> None:
    assert parse_route("iv") is Route.IV and parse_route("Intranasal") is Route.IN
    assert parse_route("Buccal") is Route.BUCCAL and parse_route("rectal") is None


def test_mass_units_convert_between_mcg_mg_and_g() -> None:
    assert convert_dose(500, DoseUnit.MCG, DoseUnit.MG) == pytest.approx(0.5)
    assert convert_dose(1, DoseUnit.G, DoseUnit.MG) == pytest.approx(1000)
    assert convert_dose(0.4, DoseUnit.MG, DoseUnit.MCG) == pytest.approx(400)
    assert convert_dose(1.5, DoseUnit.L, DoseUnit.ML) == pytest.approx(1500)


def test_mass_and_volume_do_not_convert_without_the_drug_strength() -> None:
    assert convert_dose(5, DoseUnit.ML, DoseUnit.MG) is None
    assert convert_dose(5, DoseUnit.MG, DoseUnit.L_PER_MIN) is None
    assert convert_dose(2, DoseUnit.L_PER_MIN, DoseUnit.ML) is None


def test_a_defining_strength_converts_grams_to_millilitres() -> None:
    assert convert_dose(10, DoseUnit.G, DoseUnit.ML, concentration_mg_per_ml=100) == pytest.approx(100)
    assert convert_dose(50, DoseUnit.ML, DoseUnit.G, concentration_mg_per_ml=100) == pytest.approx(5)
