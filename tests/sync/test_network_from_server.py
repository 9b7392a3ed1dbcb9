"""The network is server data: hospitals arrive through the feed (new, renamed, closed); a change this device
cannot apply yet is held with its reason while the rest of the page applies, and applies when it can."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.store.models import Bed, HeldChange, Hospital
from emsync_desktop.sync.local import held_reasons, pull_position, store_changes
from emsync_desktop.sync.protocol import Change

ELSEWHERE = "0193a000-0000-7000-8000-00000000e1se"


def hospital_change(seq: int, version: int = 1, **overrides: Any) -> Change:
    data = {"id": ELSEWHERE, "name": "Trichur General", "short_name": "Trichur", "lat": 10.52, "lon": 76.21,
            "address": "", "phone": "", "capabilities": ["icu"], "closed": False, "version": version, **overrides}
    return Change(seq=seq, entity="hospital", entity_id=ELSEWHERE, version=version, data=data)


def bed_change(seq: int, label: str = "ICU-01") -> Change:
    bed_id = f"0193a000-0000-7000-8000-0000000b{seq:04d}"
    return Change(seq=seq, entity="bed", entity_id=bed_id, version=1,
                  data={"id": bed_id, "hospital_id": ELSEWHERE, "unit": "ICU", "label": label, "status": "available",
                        "version": 1})


def beds_of_elsewhere(context: AppContext) -> list[str]:
    with context.store.sessions.begin() as session:
        return list(session.scalars(select(Bed.label).where(Bed.hospital_id == ELSEWHERE)))


def test_a_hospital_from_the_server_is_added_then_renamed_then_closed(app_context: AppContext) -> None:
    store_changes(app_context.store, [hospital_change(1)], 1)
    store_changes(app_context.store, [hospital_change(2, version=2, name="Thrissur General")], 2)
    store_changes(app_context.store, [hospital_change(3, version=3, name="Thrissur General", closed=True)], 3)
    store_changes(app_context.store, [hospital_change(1)], 3)  # an old version again changes nothing
    with app_context.store.sessions.begin() as session:
        hospital = session.get(Hospital, ELSEWHERE)
        assert hospital is not None and (hospital.name, hospital.closed, hospital.version) == ("Thrissur General",
                                                                                                True, 3)


def test_a_bed_of_an_unknown_hospital_is_held_with_its_reason_and_the_rest_applies(app_context: AppContext) -> None:
    result = store_changes(app_context.store, [bed_change(1), hospital_change(2, short_name="Other")], 2)
    assert list(result.held) == [1] and "does not know" in result.held[1]
    assert held_reasons(app_context.store) == [result.held[1]]
    with app_context.store.sessions.begin() as session:
        assert session.get(Hospital, ELSEWHERE) is not None  # the rest of the page applied


def test_a_held_change_applies_once_its_hospital_arrives(app_context: AppContext) -> None:
    store_changes(app_context.store, [bed_change(1)], 1)
    result = store_changes(app_context.store, [hospital_change(2)], 2)
    assert result.held == {} and beds_of_elsewhere(app_context) == ["ICU-01"]
    with app_context.store.sessions.begin() as session:
        assert session.scalars(select(HeldChange)).all() == []


def test_a_page_with_a_hospital_and_its_beds_applies_whole(app_context: AppContext) -> None:
    result = store_changes(app_context.store, [hospital_change(1), bed_change(2), bed_change(3, "ICU-02")], 3)
    assert result.held == {} and sorted(beds_of_elsewhere(app_context)) == ["ICU-01", "ICU-02"]


def test_a_change_this_version_cannot_read_is_held_not_fatal(app_context: AppContext) -> None:
    broken = Change(seq=1, entity="transfer", entity_id="t1", version=1, data={"id": "t1"})
    result = store_changes(app_context.store, [broken, hospital_change(2)], 2)
    assert "cannot read" in result.held[1] and "hospital" in result.touched


def test_a_first_sync_cut_short_goes_on_as_a_snapshot_of_when_it_began(app_context: AppContext) -> None:
    began, later = datetime(2026, 12, 1, 8, 0, tzinfo=UTC), datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    assert pull_position(app_context.store, began) == (0, began)
    store_changes(app_context.store, [hospital_change(5)], 5, snapshot_pending=began)
    assert pull_position(app_context.store, later) == (5, began)  # resumed days later: still as of then
    store_changes(app_context.store, [], 9, snapshot_done=True)
    assert pull_position(app_context.store, later) == (9, None)


def test_hospitals_seeded_on_this_device_are_version_zero_until_the_server_says(app_context: AppContext) -> None:
    with app_context.store.sessions.begin() as session:
        versions = set(session.scalars(select(Hospital.version)))
        capabilities = json.loads(session.scalars(select(Hospital.capabilities)).first() or "[]")
    assert versions == {0} and capabilities
