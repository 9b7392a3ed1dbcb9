"""Position reports: when a crew's device sends one, and what the ward is told from it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.positions import LiveEta, live_eta_short, live_eta_text, report_due

NOW = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(("since_last_s", "moved_m", "due"), [
    (None, None, True),  # the first position of a transfer
    (5.0, 20.0, False),  # standing at a junction: nothing new to say
    (15.0, 0.0, True),  # every 15 s even when stuck (the ward must see it is stuck)
    (8.0, 160.0, True),  # fast on a motorway: every 150 m
    (2.0, 400.0, False),  # never more often than every 3 s
    (-3600.0, 0.0, True),  # the device's clock went back an hour: reports must not stop for an hour
])
def test_a_position_is_reported_every_15_s_or_150_m(since_last_s, moved_m, due) -> None:  # type: ignore[no-untyped-def]
    assert report_due(since_last_s, moved_m) is due


def test_a_fresh_position_gives_an_arrival_time_counted_from_the_fix() -> None:
    live = LiveEta(eta_s=7 * 60 + 20, position_at=NOW - timedelta(seconds=20), source_label="offline road graph")
    assert live_eta_text(live, NOW) == "arrives in 7 min (updated 20 s ago, offline road graph)"


def test_a_minute_old_position_says_minutes_and_seconds() -> None:
    live = LiveEta(eta_s=600, position_at=NOW - timedelta(seconds=117), source_label="offline road graph")
    assert live_eta_text(live, NOW) == "arrives in 8 min (updated 1 min 57 s ago, offline road graph)"


def test_a_position_older_than_two_minutes_gives_no_arrival_time() -> None:
    at = NOW - timedelta(seconds=121)
    text = live_eta_text(LiveEta(eta_s=300, position_at=at, source_label="offline road graph"), NOW)
    assert text == f"position unknown since {clock(at)}" and "arrives" not in text


def test_no_position_and_no_route_are_said_as_such() -> None:
    assert live_eta_text(None, NOW) == "no position reported yet"
    live = LiveEta(eta_s=None, position_at=NOW, source_label="offline road graph")
    assert live_eta_text(live, NOW) == "updated just now, no route from there (offline road graph)"


def test_a_map_label_says_the_arrival_in_few_words() -> None:
    fix_at = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
    assert live_eta_short(LiveEta(420.0, fix_at, "GPS"), fix_at + timedelta(seconds=60)) == "6 min"
    assert live_eta_short(LiveEta(30.0, fix_at, "GPS"), fix_at + timedelta(seconds=20)) == "arriving now"
    assert live_eta_short(LiveEta(None, fix_at, "GPS"), fix_at) == "no route"
    assert live_eta_short(None, fix_at) == "no position yet"
    assert live_eta_short(LiveEta(420.0, fix_at, "GPS"), fix_at + timedelta(minutes=3)).startswith("no position since")
