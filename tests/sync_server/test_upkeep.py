"""The leader's upkeep: superseded feed rows compacted, grown tables analysed again (PostgreSQL), hourly figures
sampled; a second round with nothing new does nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from emsync_desktop.domain.ids import new_id
from sync_server.capacity_hours import hour_start
from sync_server.db import is_sqlite
from sync_server.feed import COMPACT_AFTER
from sync_server.upkeep import analyse_grown_tables, keep_up
from tests.sync_server.conftest import Server, transfer_request
from tests.sync_server.test_feed_bounded import age_feed, cancelled_transfer


def upkeep(server: Server, now: datetime):  # type: ignore[no-untyped-def]
    app = server.client.app  # type: ignore[attr-defined]
    return keep_up(app.state.engine, app.state.write_sessions, now)


def test_a_round_compacts_and_samples_then_a_second_does_nothing_new(server: Server) -> None:
    cancelled_transfer(server)
    age_feed(server, COMPACT_AFTER + timedelta(hours=1))
    now = _within_the_hour(datetime.now(UTC))
    first, second = upkeep(server, now), upkeep(server, now + timedelta(seconds=30))
    assert first.compacted > 0 and first.published > 0
    assert (second.compacted, second.published) == (0, 0)


def test_tables_that_grew_are_analysed_once_on_postgresql(server: Server) -> None:
    engine = server.client.app.state.engine  # type: ignore[attr-defined]
    if is_sqlite(engine):  # SQLite has no per-table statistics to refresh: upkeep analyses nothing there
        assert upkeep(server, datetime.now(UTC)).analysed == ()
        return
    analyse_grown_tables(engine)
    for _ in range(120):
        server.push("asha", transfer_request(new_id(), unit="WARD"))
    assert _analysed_once_reported(engine) >= {"changes", "transfers"}
    assert analyse_grown_tables(engine, min_changed=100) == ()  # nothing changed since


def _within_the_hour(now: datetime) -> datetime:
    """``now``, moved back so that 30 s later is still the same hour (a second round in the next hour would
    rightly sample that hour: CI ran this at 59:40 once)."""
    return min(now, hour_start(now) + timedelta(minutes=59))


def _analysed_once_reported(engine) -> set[str]:  # type: ignore[no-untyped-def]
    """A backend reports its row counts to pg_stat_user_tables when idle (PostgreSQL 15: within 10 s), table by
    table: what the rounds analysed until both grown tables were."""
    analysed: set[str] = set()
    deadline = time.monotonic() + 30
    while not analysed >= {"changes", "transfers"} and time.monotonic() < deadline:
        analysed |= set(analyse_grown_tables(engine, min_changed=100))
        time.sleep(0.5)
    return analysed


def test_compaction_waits_for_a_writer_instead_of_failing(server: Server) -> None:
    """A round that first read in a deferred transaction and then deleted failed with "database is locked" when a
    push had written meanwhile (SQLite does not wait for a reader turning writer). Each batch now takes the write
    lock first (SQLite: BEGIN IMMEDIATE) and waits its turn."""
    app = server.client.app  # type: ignore[attr-defined]
    if not is_sqlite(app.state.engine):
        return  # PostgreSQL has row locks, not a database write lock: nothing to wait for here
    begun: list[str] = []

    def record(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if statement.upper().startswith("BEGIN"):
            begun.append(statement.upper())

    from sqlalchemy import event
    event.listen(app.state.engine, "before_cursor_execute", record)
    try:
        upkeep(server, _within_the_hour(datetime.now(UTC)))
    finally:
        event.remove(app.state.engine, "before_cursor_execute", record)
    assert begun and all(statement == "BEGIN IMMEDIATE" for statement in begun), begun
