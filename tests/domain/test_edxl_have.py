"""EDXL-HAVE report builder and reader (pure stdlib; XSD validation is tested in tests/services)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from emsync_desktop.domain.edxl_have import (
    CapacityReport,
    EdStatus,
    EdxlHaveError,
    HospitalStatus,
    Location,
    UnitBeds,
    build,
    ed_status_from_beds,
    parse,
)

AT = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)
LOURDES = HospitalStatus("h-1", "Lourdes Hospital", Location(9.98, 76.28),
                         (UnitBeds("ICU", 2, 8), UnitBeds("HDU", 0, 4), UnitBeds("ER", 0, 10), UnitBeds("WARD", 5, 30)),
                         EdStatus.ADVISORY, AT)
REPORT = CapacityReport((LOURDES, HospitalStatus("h-2", "Clinic", None, (), EdStatus.NOT_APPLICABLE, AT)))


def test_build_then_parse_gives_the_same_report() -> None:
    assert parse(build(REPORT)) == REPORT


def test_hdu_is_not_counted_as_an_icu_bed_type() -> None:
    text = build(REPORT).decode()
    assert text.count("AdultICU") == 1 and "<have:SubCategoryBedType>HDU<" in text


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match=r"2\.0 is not supported"):
        build(REPORT, version="2.0")


def test_a_have_2_0_document_is_refused_by_name() -> None:
    data = build(REPORT).replace(b"urn:oasis:names:tc:emergency:EDXL:HAVE:1.0\"",
                                 b"urn:oasis:names:tc:emergency:edxl:have:2.0\"")
    with pytest.raises(EdxlHaveError, match=r"EDXL-HAVE 2\.0 report"):
        parse(data)


def test_unknown_bed_types_are_refused_naming_them() -> None:
    data = build(REPORT).replace(b">AdultICU<", b">CardiacStepDown<")
    with pytest.raises(EdxlHaveError, match="does not define: CardiacStepDown"):
        parse(data)


def test_foreign_bed_types_fold_into_our_units() -> None:
    data = build(REPORT).replace(b">AdultICU<", b">NeonatalICU<").replace(b">EmergencyDepartment<", b">Burn<")
    units = {b.unit: (b.available, b.baseline) for b in parse(data).hospitals[0].beds}
    assert units["ICU"] == (2, 18) and "ER" not in units


@pytest.mark.parametrize(("er", "status"), [(None, EdStatus.NOT_APPLICABLE), (UnitBeds("ER", 0, 6), EdStatus.ADVISORY),
                                            (UnitBeds("ER", 1, 6), EdStatus.NORMAL)])
def test_ed_status_follows_the_er_beds(er: UnitBeds | None, status: EdStatus) -> None:
    assert ed_status_from_beds([UnitBeds("ICU", 1, 2), *([er] if er else [])]) is status


def test_a_time_without_zone_is_read_as_utc() -> None:
    data = build(CapacityReport((replace(LOURDES, last_update=AT),))).replace(b"04:00:00Z", b"04:00:00")
    assert parse(data).hospitals[0].last_update == AT


def test_an_unknown_ed_status_is_refused_in_words() -> None:
    with pytest.raises(EdxlHaveError, match="'Diverting' is not one of Normal"):
        parse(build(REPORT).replace(b">Advisory<", b">Diverting<"))
