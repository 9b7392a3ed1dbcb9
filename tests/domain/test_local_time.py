"""Times people read are local; stored times are UTC. Run under Kochi's zone (IST, UTC+05:30)."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from emsync_desktop.domain.local_time import clock, day_and_clock, stamped


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
