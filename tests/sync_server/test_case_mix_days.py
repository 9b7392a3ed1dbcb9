"""Each day's transfers counted by age band, sex, complaint group and severity, from what the requests said, and
published to the desks only; a demo's made-up day left as it was made. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from emsync_desktop.domain.ids import new_id
from sync_server.case_mix_days import count_case_mix
from sync_server.demo_case_mix import seed_demo_case_mix
from sync_server.models_forecast import CaseMixDay
from tests.sync_server.conftest import LOURDES, Server, op


def request_with_case_mix(**case_mix: str) -> dict[str, Any]:
    return op("transfer.request", new_id(), {"encounter_id": new_id(), "destination_hospital_id": LOURDES,
                                             "unit": "ICU", "severity": "Critical", **case_mix})


def days_pulled(server: Server, username: str) -> list[dict[str, Any]]:
    return server.pull_all(username, "case_mix_day")


def count(server: Server, now: datetime) -> int:
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        return count_case_mix(session, now)


def test_a_days_requests_are_counted_by_what_they_said_and_reach_the_desk_only(server: Server) -> None:
    server.push("asha", request_with_case_mix(age_band="40-64", sex="female", complaint_group="cardiac"),
                request_with_case_mix(age_band="40-64", sex="female", complaint_group="cardiac"),
                request_with_case_mix())
    now = datetime.now(UTC)
    assert count(server, now) == 1 and count(server, now) == 0  # unchanged: not published again
    [day] = days_pulled(server, "rahul")
    assert day["day"] == now.date().isoformat()
    assert sorted(day["counts"], key=str) == sorted([["40-64", "female", "cardiac", "Critical", 2],
                                                     [None, None, None, "Critical", 1]], key=str)
    assert days_pulled(server, "maria") == [] and days_pulled(server, "asha") == []


def test_a_demo_day_is_not_recounted_from_real_transfers(server: Server) -> None:
    now = datetime.now(UTC)
    with server.client.app.state.write_sessions.begin() as session:  # type: ignore[attr-defined]
        assert seed_demo_case_mix(session, now, days=3)
        yesterday = session.get(CaseMixDay, (now.date().fromordinal(now.date().toordinal() - 1)).isoformat())
        made = list(yesterday.counts)
    count(server, now)
    with server.client.app.state.sessions() as session:  # type: ignore[attr-defined]
        kept = session.get(CaseMixDay, yesterday.day)
        assert kept.synthetic and kept.counts == made and sum(r[4] for r in made) > 50
    assert len(days_pulled(server, "rahul")) == 3
