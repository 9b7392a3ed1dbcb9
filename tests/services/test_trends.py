"""The desk's trends come from the server's hourly figures, synced: a line per unit, transfers per hour, and
hours without figures left out."""

from __future__ import annotations

from datetime import datetime, timedelta

from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.trends import network_trends
from emsync_desktop.sync.local import store_changes
from emsync_desktop.sync.protocol import Change
from tests.services.conftest import NOW

HOUR = NOW.replace(minute=0, second=0, microsecond=0)


def figures(seq: int, hours_ago: int, unit: str, in_use: int, requested: int, version: int = 1,
            now: datetime = NOW) -> Change:
    hour = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours_ago)
    entity_id = f"{hour:%Y-%m-%dT%H}/{unit}"
    data = {"id": entity_id, "hour": hour.isoformat(), "unit": unit, "beds_total": 20, "beds_in_use": in_use,
            "transfers_requested": requested, "version": version}
    return Change(seq=seq, entity="capacity_hour", entity_id=entity_id, version=version, data=data)


def test_each_unit_gets_a_line_of_its_hours_up_to_now(app_context: AppContext) -> None:
    store_changes(app_context.store, [figures(1, 3, "ICU", 10, 2), figures(2, 2, "ICU", 15, 1),
                                      figures(3, 2, "WARD", 4, 0)], 3)
    trends = network_trends(app_context.store, NOW)
    icu = next(s for s in trends.occupancy if s.unit == "ICU")
    assert icu.percent_in_use == [50.0, 75.0, 75.0] and icu.times[-1] == NOW
    assert {s.unit for s in trends.occupancy} == {"ICU", "WARD"} and trends.hours_known == 2


def test_transfers_are_summed_over_units_in_their_hour(app_context: AppContext) -> None:
    store_changes(app_context.store, [figures(1, 1, "ICU", 10, 2), figures(2, 1, "ER", 3, 3),
                                      figures(3, 0, "ER", 3, 1)], 3)
    trends = network_trends(app_context.store, NOW)
    assert len(trends.transfer_hours) == 24 and trends.transfer_hours[-1] == HOUR
    assert trends.transfers_per_hour[-2:] == [5, 1] and trends.transfers == 6


def test_a_newer_sample_of_an_hour_replaces_the_older_and_an_older_one_is_ignored(app_context: AppContext) -> None:
    store_changes(app_context.store, [figures(1, 0, "ICU", 10, 2), figures(2, 0, "ICU", 12, 3, version=2)], 2)
    store_changes(app_context.store, [figures(1, 0, "ICU", 10, 2)], 2)
    assert network_trends(app_context.store, NOW).transfers == 3


def test_hours_older_than_the_window_are_left_out(app_context: AppContext) -> None:
    store_changes(app_context.store, [figures(1, 30, "ICU", 10, 7)], 1)
    trends = network_trends(app_context.store, NOW)
    assert trends.hours_known == 0 and trends.transfers == 0 and trends.occupancy == []
