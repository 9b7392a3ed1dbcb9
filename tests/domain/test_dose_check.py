from typing import Any

import pytest

from emsync_desktop.domain.dose_check import DoseCheck, DoseWarningKind, check_dose
from emsync_desktop.domain.formulary_defaults import DEFAULT_FORMULARY
from emsync_desktop.domain.history import BodyWeight, WeightKind

ADULT: dict[str, Any] = {"age_years": 54, "weight": None}


def check(drug: str, dose: float, unit: str, route: str, **patient: Any) -> DoseCheck:
    return check_dose(DEFAULT_FORMULARY, drug=drug, dose=dose, unit=unit, route=route, **(patient or ADULT))


def child(kg: float | None, age_years: float = 6, kind: WeightKind = WeightKind.MEASURED) -> dict[str, Any]:
    return {"age_years": age_years, "weight": None if kg is None else BodyWeight(kg, kind)}


def kinds(result: DoseCheck) -> list[DoseWarningKind]:
    return [warning.kind for warning in result.warnings]


def test_usual_adult_dose_has_no_warning() -> None:
    result = check("aspirin", 300, "mg", "PO")
    assert result.warnings == () and result.dose_in_drug_unit == 300 and not result.free_text


def test_adult_im_adrenaline_above_half_a_milligram_warns_with_the_limit() -> None:
    result = check("adrenaline", 1, "mg", "IM")
    assert kinds(result) == [DoseWarningKind.ABOVE_ADULT_MAX]
    assert result.warnings[0].message.startswith("Above the usual maximum single dose of 0.5 mg IM for adults")


def test_the_same_adrenaline_dose_iv_in_arrest_is_within_the_limit() -> None:
    assert check("adrenaline", 1, "mg", "IV").warnings == ()
    message = check("adrenaline", 2, "mg", "IO").warnings[0].message
    assert "1 mg IV/IO for adults (Adrenaline, cardiac arrest)" in message


def test_micrograms_are_converted_before_comparing() -> None:
    assert check("adrenaline", 500, "mcg", "IM").warnings == ()
    result = check("adrenaline", 600, "micrograms", "IM")
    assert result.dose_in_drug_unit == pytest.approx(0.6) and result.has(DoseWarningKind.ABOVE_ADULT_MAX)


def test_grams_are_converted_before_comparing() -> None:
    assert check("tranexamic acid", 1, "g", "IV").warnings == ()
    assert check("TXA", 2, "g", "IV").has(DoseWarningKind.ABOVE_ADULT_MAX)


def test_milligrams_are_converted_for_a_drug_dosed_in_micrograms() -> None:
    result = check("GTN", 1.2, "mg", "SL")
    assert result.dose_in_drug_unit == pytest.approx(1200)
    assert "800 mcg SL for adults" in result.warnings[0].message


def test_glucose_in_grams_is_checked_as_millilitres_of_10_percent() -> None:
    result = check("glucose 10%", 15, "g", "IV")
    assert result.dose_in_drug_unit == pytest.approx(150)
    assert "100 mL IV/IO for adults" in result.warnings[0].message


def test_millilitres_of_a_drug_dosed_in_mg_warn_and_show_the_strengths() -> None:
    result = check("adrenaline", 5, "mL", "IV")
    assert kinds(result) == [DoseWarningKind.UNIT_MISMATCH] and result.dose_in_drug_unit is None
    message = result.warnings[0].message
    assert "dosed in mg, not mL" in message and "1 mg/mL (1:1000)" in message and "0.1 mg/mL (1:10,000)" in message


def test_unknown_unit_warns_and_names_the_drug_unit() -> None:
    result = check("aspirin", 1, "tablet", "PO")
    assert kinds(result) == [DoseWarningKind.UNKNOWN_UNIT]
    assert "'tablet' is not a dose unit here" in result.warnings[0].message and "in mg" in result.warnings[0].message


def test_oxygen_in_litres_per_minute_is_checked() -> None:
    assert check("O2", 15, "L/min", "INH").warnings == ()
    assert check("oxygen", 25, "lpm", "INH").has(DoseWarningKind.ABOVE_ADULT_MAX)
    assert check("oxygen", 15, "mg", "INH").has(DoseWarningKind.UNIT_MISMATCH)


def test_route_not_listed_warns_with_the_listed_routes() -> None:
    result = check("aspirin", 300, "mg", "IV")
    assert kinds(result) == [DoseWarningKind.ROUTE_NOT_LISTED]
    assert result.warnings[0].message.startswith("Aspirin is not listed for IV (listed: PO)")


def test_unknown_drug_is_recorded_as_free_text_with_a_warning() -> None:
    result = check("Paracetamol", 1, "g", "PO")
    assert result.free_text and result.dose_in_drug_unit is None
    assert kinds(result) == [DoseWarningKind.FREE_TEXT_DRUG]
    assert "'Paracetamol' is not in the formulary: it is recorded as free text" in result.warnings[0].message


@pytest.mark.parametrize("dose", [0, -1, float("nan")])
def test_zero_or_negative_dose_warns(dose: float) -> None:
    assert kinds(check("morphine", dose, "mg", "IV")) == [DoseWarningKind.NOT_A_DOSE]


def test_child_dose_above_the_weight_based_limit_warns_with_the_arithmetic() -> None:
    result = check("morphine", 3, "mg", "IV", **child(20, kind=WeightKind.ESTIMATED))
    assert kinds(result) == [DoseWarningKind.ABOVE_CHILD_MAX]
    assert ("Above the usual child dose of 0.1 mg/kg IV/IO (Morphine): 2 mg for 20 kg (estimated)."
            in result.warnings[0].message)


def test_child_dose_within_the_weight_based_limit_is_quiet() -> None:
    assert check("morphine", 2, "mg", "IV", **child(20)).warnings == ()
    assert check("adrenaline", 150, "mcg", "IM", **child(15, age_years=3)).warnings == ()


def test_weight_based_child_limit_is_capped_at_the_child_maximum() -> None:
    result = check("amiodarone", 350, "mg", "IV", **child(70, age_years=11))
    assert result.has(DoseWarningKind.ABOVE_CHILD_MAX)
    assert "350 mg for 70 kg (measured), at most 300 mg" in result.warnings[0].message


def test_child_dose_with_no_weight_asks_for_one() -> None:
    result = check("ondansetron", 2, "mg", "IV", **child(None))
    assert kinds(result) == [DoseWarningKind.NO_WEIGHT_FOR_CHILD]
    assert "0.1 mg/kg IV/IM/PO cannot be checked. Add a measured or estimated weight." in result.warnings[0].message


def test_child_dose_with_no_weight_is_still_held_to_the_child_maximum() -> None:
    result = check("ondansetron", 8, "mg", "IV", **child(None))
    assert kinds(result) == [DoseWarningKind.NO_WEIGHT_FOR_CHILD, DoseWarningKind.ABOVE_CHILD_MAX]
    assert "maximum single child dose of 4 mg IV/IM/PO" in result.warnings[1].message


def test_age_banded_child_limit_needs_no_weight() -> None:
    assert check("ipratropium", 250, "mcg", "NEB", **child(None)).warnings == ()
    assert kinds(check("ipratropium", 500, "mcg", "NEB", **child(None))) == [DoseWarningKind.ABOVE_CHILD_MAX]


def test_drug_without_a_child_dose_warns_for_a_child() -> None:
    result = check("aspirin", 75, "mg", "PO", **child(40, age_years=14))
    assert kinds(result) == [DoseWarningKind.NO_CHILD_DOSE]
    assert "adult dose from 16 years" in result.warnings[0].message


def test_from_twelve_years_the_adult_limit_applies() -> None:
    assert check("morphine", 10, "mg", "IV", **child(30, age_years=12)).warnings == ()


def test_missing_age_checks_the_adult_limit_and_says_so() -> None:
    result = check("morphine", 15, "mg", "IV", age_years=None, weight=None)
    assert kinds(result) == [DoseWarningKind.ABOVE_ADULT_MAX, DoseWarningKind.AGE_UNKNOWN]
    assert "Add the age (an estimate will do)" in result.warnings[1].message


def test_a_dose_exactly_at_the_limit_after_conversion_is_quiet() -> None:
    assert check("naloxone", 2000, "mcg", "IM").warnings == ()
    assert check("adrenaline", 0.3, "mg", "IM", **child(30, age_years=8)).warnings == ()
