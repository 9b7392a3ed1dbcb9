"""Times people read are local; stored times are UTC. Run under Kochi's zone (IST, UTC+05:30)."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from emsync_desktop.domain.local_time import clock, day_and_clock, parse_clock, stamped


@pytest.fixture(autouse=True)
def kochi(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_utc_time_is_shown_in_kochi_time() -> None:
    assert clock(datetime(2026, 12, 4, 2, 7, tzinfo=UTC)) == "07:37"


def test_naive_time_is_taken_as_utc_not_local() -> None:
    assert clock(datetime(2026, 12, 4, 2, 7)) == "07:37"


def test_documents_name_the_zone() -> None:
    assert stamped(datetime(2026, 12, 4, 20, 0, tzinfo=UTC)) == "05 Dec 2026 01:30 IST (UTC+05:30)"
    assert day_and_clock(datetime(2026, 12, 4, 20, 0, tzinfo=UTC)) == "05 Dec 01:30"


def test_ward_card_eta_is_local() -> None:
    from emsync_desktop.services.ward import eta_countdown

    due = datetime(2026, 12, 4, 2, 17, tzinfo=UTC)
    assert eta_countdown(due, datetime(2026, 12, 4, 2, 7, tzinfo=UTC)) == "arrives in 10 min (07:47)"



def test_capacity_export_is_named_in_local_time_with_its_zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import emsync_desktop.services.exports as exports

    monkeypatch.setattr(exports, "network_capacity", lambda _store: [])  # the name is what is tested here
    path = exports.export_capacity_csv(None, tmp_path, datetime(2026, 12, 4, 2, 7, tzinfo=UTC))  # type: ignore[arg-type]
    assert path.name == "capacity-20261204-073700+0530.csv"


@pytest.mark.parametrize("typed", ["07:42", "7.42", "0742", " 7:42 "])
def test_a_typed_clock_time_is_today_local(typed: str) -> None:
    now = datetime(2026, 12, 4, 2, 30, tzinfo=UTC)  # 08:00 in Kochi
    assert parse_clock(typed, now) == (datetime(2026, 12, 4, 2, 12, tzinfo=UTC), None)


def test_a_late_time_typed_just_after_midnight_is_last_night() -> None:
    now = datetime(2026, 12, 4, 18, 40, tzinfo=UTC)  # 00:10 on the 5th in Kochi
    at, _error = parse_clock("23:55", now)
    assert at == datetime(2026, 12, 4, 18, 25, tzinfo=UTC)


@pytest.mark.parametrize("typed", ["25:00", "7:60", "seven", "7"])
def test_a_time_that_is_not_one_says_how_to_type_it(typed: str) -> None:
    at, error = parse_clock(typed, datetime(2026, 12, 4, 2, 30, tzinfo=UTC))
    assert at is None and error is not None and "e.g. 07:42" in error


def test_a_blank_time_is_no_time() -> None:
    assert parse_clock("  ", datetime(2026, 12, 4, 2, 30, tzinfo=UTC)) == (None, None)
