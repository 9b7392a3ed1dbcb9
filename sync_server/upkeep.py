"""The leader's minute: the network's hourly figures are sampled (``capacity_hours``; per hospital for the
forecasts, ``activity_hours``; the day's case mix, ``case_mix_days``), and the server is kept fast
as its tables grow: the feed's superseded rows are compacted away, stored answers the devices have are
forgotten (``answers``), and on PostgreSQL
tables that grew are analysed again, which also makes every connection re-plan its prepared statements (the
writer's long-lived connection otherwise keeps plans made when the tables were empty: sequential scans; one
ANALYZE took a push from 15 ms back to 5 ms at 22k stored answers, measured). Run by the cluster's leader.

Threading: any thread but the event loop's. Each step is its own short transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from sync_server.activity_hours import sample_activity
from sync_server.answers import forget_answers
from sync_server.capacity_hours import sample_capacity
from sync_server.case_mix_days import count_case_mix
from sync_server.db import is_sqlite, make_write_engine
from sync_server.feed import compact_feed

log = logging.getLogger(__name__)
MAX_BATCHES = 20  # a round deletes at most this many batches; the next round goes on


@dataclass(frozen=True)
class Upkeep:
    published: int  # hourly figures that changed (devices should hear of them)
    compacted: int
    forgotten: int  # stored answers deleted (answers.py)
    analysed: tuple[str, ...]


def keep_up(engine: Engine, sessions: sessionmaker[Session], now: datetime) -> Upkeep:
    """``sessions``: the server's write sessions."""
    with sessions.begin() as session:
        published = sample_capacity(session, now)
        sample_activity(session, now)
        published += count_case_mix(session, now)
    compacted = _in_batches(engine, compact_feed, now)
    forgotten = _in_batches(engine, forget_answers, now)
    analysed = () if is_sqlite(engine) else analyse_grown_tables(engine)
    if compacted or forgotten or analysed:
        log.info("upkeep: %d superseded feed rows compacted, %d confirmed answers forgotten; analysed %s",
                 compacted, forgotten, ", ".join(analysed) or "none")
    return Upkeep(published, compacted, forgotten, analysed)


def _in_batches(engine: Engine, step: Callable[[Connection, datetime], int], now: datetime) -> int:
    """Run ``step`` (which deletes a batch and says how many) until it deletes nothing, at most ``MAX_BATCHES``
    times, each batch in its own write transaction (SQLite: ``BEGIN IMMEDIATE``; a deferred one that read first and
    then wrote failed at once with "database is locked" whenever a push was being written, the busy wait skipped)."""
    done = 0
    writes = make_write_engine(engine)
    for _ in range(MAX_BATCHES):
        with writes.begin() as conn:
            deleted = step(conn, now)
        done += deleted
        if deleted == 0:
            break
    return done


def analyse_grown_tables(engine: Engine, min_changed: int = 200, share: float = 0.1) -> tuple[str, ...]:
    """ANALYZE each table of this schema changed by more than ``min_changed`` rows plus ``share`` of its size
    since it was last analysed (autovacuum's own rule, checked more often than autovacuum does)."""
    with engine.connect() as conn:
        names = tuple(conn.execute(text(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
            "AND n_mod_since_analyze > :floor + :share * n_live_tup ORDER BY relname"),
            {"floor": min_changed, "share": share}).scalars())
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for name in names:
            conn.execute(text(f'ANALYZE "{name}"'))
    return names
