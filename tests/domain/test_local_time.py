"""Times people read are local; stored times are UTC. Run under Kochi's zone (IST, UTC+05:30)."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime

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
