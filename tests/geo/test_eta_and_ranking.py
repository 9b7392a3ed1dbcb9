from __future__ import annotations

from emsync_desktop.domain.triage import NeedEstimate, Severity, TriagePrediction
from emsync_desktop.geo.eta import Eta, EtaSource, LatLon, haversine_m, straight_line_eta
from emsync_desktop.geo.ranking import HospitalOption, rank_hospitals, required_capabilities
from emsync_desktop.geo.routing import decode_polyline6

LOURDES = LatLon(9.999, 76.2875)
ASTER = LatLon(10.0465, 76.2755)


def test_haversine_matches_a_known_distance() -> None:
    assert 5_100 < haversine_m(LOURDES, ASTER) < 5_500  # about 5.3 km across Ernakulam


def test_estimate_says_it_is_an_estimate() -> None:
    eta = straight_line_eta(LOURDES, ASTER)
    assert eta.source is EtaSource.ESTIMATE and eta.describe().startswith("≈ ")
    assert "straight-line estimate" in eta.describe()


def test_polyline6_decodes_valhallas_shapes() -> None:
    assert decode_polyline6("_izlhA~rlgdF_{geC~ywl@") == [LatLon(38.5, -120.2), LatLon(40.7, -120.95)]


def option(name: str, minutes: float, caps: set[str], free: int) -> tuple[HospitalOption, Eta]:
    return (HospitalOption(name, name, name, LOURDES, frozenset(caps), {"ICU": free}),
            Eta(minutes * 60, minutes * 600, EtaSource.OFFLINE))


def ranked_names(*options: tuple[HospitalOption, Eta], required: frozenset[str] = frozenset()) -> list[str]:
    ranked = rank_hospitals([o for o, _ in options], [e for _, e in options], "ICU", required)
    return [r.hospital.name for r in ranked]


def test_nearest_with_free_beds_and_capabilities_comes_first() -> None:
    assert ranked_names(option("far", 20, {"icu"}, 4), option("near", 8, {"icu"}, 4)) == ["near", "far"]


def test_missing_capability_outweighs_a_shorter_drive() -> None:
    names = ranked_names(option("near, no cath lab", 5, {"icu"}, 4), option("cath lab", 20, {"icu", "cath_lab"}, 4),
                         required=frozenset({"cath_lab"}))
    assert names == ["cath lab", "near, no cath lab"]


def test_no_free_bed_goes_to_the_bottom_and_says_so() -> None:
    full, free = option("full", 2, {"icu"}, 0), option("free", 25, {"icu"}, 3)
    ranked = rank_hospitals([full[0], free[0]], [full[1], free[1]], "ICU", frozenset())
    assert [r.hospital.name for r in ranked] == ["free", "full"]
    assert "no free ICU bed" in ranked[1].reason and "offline road graph" in ranked[1].reason


def test_needs_come_from_flagged_predictions_complaint_and_age() -> None:
    triage = TriagePrediction(Severity.CRITICAL, {}, (NeedEstimate("ventilator", 0.4, 0.1),
                                                      NeedEstimate("dialysis", 0.01, 0.1)), (), "m", ())
    assert required_capabilities(triage, "cardiac", 9) == {"ventilator", "cath_lab", "paediatric"}
    assert required_capabilities(None, "other", 40) == frozenset()
