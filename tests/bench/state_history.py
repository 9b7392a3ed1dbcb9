"""A state network's history, bulk-loaded into a server's PostgreSQL schema (COPY), for the history benchmark.

The network: the Kochi demo (already seeded by the server) plus generated hospitals up to ``HOSPITALS`` with
``BEDS_PER_HOSPITAL`` beds each, published to the feed like ``sync_server.network`` does. The history:
``transfers`` past transfers spread evenly over ``days`` (a year) up to an hour ago, each with a booking and an
SBAR handoff, as the server keeps them after compaction (the newest feed row of each record; for the last 48
hours also the rows they superseded); a day of bed changes (each generated bed once or twice); ``OPEN``
transfers still under way with a held bed. The feed is recorded in time order around what the server seeded, as
a real feed is. Made-up data, deterministic (seeded). Returns what it loaded.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg

from emsync_desktop.domain.ids import demo_id

HOSPITALS = 200
BEDS_PER_HOSPITAL = 38
UNITS = {"ICU": 6, "HDU": 6, "ER": 8, "WARD": 18}
OPEN = 25
CREWS = 1000  # paramedic accounts; the first is the demo's asha
RECENT = timedelta(hours=48)
FEED_COLUMNS = ["entity", "entity_id", "version", "data", "hospital_id", "owner_user_id", "created_at", "latest",
                "pinned"]
SECTIONS = {"situation": "Chest pain radiating to the left arm, sweating, onset 40 minutes ago. " * 3,
            "background": "Hypertension, type 2 diabetes; aspirin 300 mg PO given on scene. " * 3,
            "assessment": "HR 112, RR 24, SpO2 93 % on air, BP 96/60, GCS 15; NEWS2 7. " * 3,
            "recommendation": "Cath lab activation; ICU bed; cardiology at the door. " * 3}


@dataclass(frozen=True)
class Loaded:
    transfers: int
    feed_rows: int
    beds: int
    hospitals: int


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


TRANSFER_COLUMNS = ["id", "encounter_id", "requested_by", "destination_hospital_id", "unit", "state", "version",
                    "eta_s", "severity", "summary", "history", "created_at", "updated_at"]
BOOKING_COLUMNS = ["id", "transfer_id", "hospital_id", "unit", "bed_id", "state", "version", "hold_expires_at",
                   "requested_by", "updated_at"]
HANDOFF_COLUMNS = ["id", "transfer_id", "version", "sections", "author_id", "created_at"]
CHUNK = 50_000  # transfers generated and copied at a time (a year of a state network does not fit in memory)


def load_history(conninfo: str, transfers: int, now: datetime, seed: int = 2026, days: int = 365) -> Loaded:
    rng = random.Random(seed)
    with psycopg.connect(conninfo) as conn:
        hospitals = [row[0] for row in conn.execute("SELECT id FROM hospitals ORDER BY id")]
        generated = _generated_hospitals(rng, HOSPITALS - len(hospitals))
        beds = _generated_beds(rng, generated)
        crews = [demo_id("user", "asha")] + [_uuid(rng) for _ in range(CREWS - 1)]
        _copy(conn, "hospitals", ["id", "name", "short_name", "lat", "lon", "capabilities", "address", "phone",
                                  "version", "closed"], ([*h, "", "", 1, False] for h in generated))
        _copy(conn, "beds", ["id", "hospital_id", "unit", "label", "status", "version"], beds)
        _copy(conn, "users", ["id", "username", "display_name", "role", "password_hash", "mfa_failures"],
              ([c, f"crew{i}", f"Crew {i}", "paramedic", "!", 0] for i, c in enumerate(crews) if i))
        plan = _TransferPlan(rng, hospitals + [h[0] for h in generated], crews, now)
        conn.execute("CREATE TEMP TABLE seeded AS SELECT * FROM changes")  # the server's seed: goes in time order
        conn.execute("DELETE FROM changes")
        feed_rows = _copy(conn, "changes", FEED_COLUMNS, _network_feed(generated, now - timedelta(days=400)))
        recent: list[tuple[Any, ...]] = []
        start, span = now - timedelta(days=days), timedelta(days=days) - timedelta(hours=1)
        for first in range(0, transfers, CHUNK):
            rows = _Rows([], [], [], [], [])
            for n in range(first, min(first + CHUNK, transfers)):
                _one_transfer(plan, rows, start + span * (n / max(transfers, 1)), closed=True)
            feed_rows += _copy_rows(conn, rows)
            recent += rows.recent_feed
        rows = _Rows([], [], [], [], [])
        for n in range(OPEN):
            _one_transfer(plan, rows, now - timedelta(minutes=5 + 4 * n), closed=False)
        feed_rows += _copy_rows(conn, rows)
        seeded = [(*r[:3], json.dumps(r[3]), *r[4:])
                  for r in conn.execute(f"SELECT {', '.join(FEED_COLUMNS)} FROM seeded ORDER BY seq")]
        feed_rows += _copy(conn, "changes", FEED_COLUMNS, sorted(  # stable: the seed keeps its own order
            [*seeded, *recent, *rows.recent_feed, *_bed_day(rng, beds, now)], key=lambda r: r[-3]))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return Loaded(transfers + OPEN, feed_rows, len(beds), len(plan.hospitals))


def _copy_rows(conn: psycopg.Connection[Any], rows: _Rows) -> int:
    """The tables' rows and the older feed rows of a chunk (its recent feed rows go in later, in time order)."""
    _copy(conn, "transfers", TRANSFER_COLUMNS, rows.transfers)
    _copy(conn, "bookings", BOOKING_COLUMNS, rows.bookings)
    _copy(conn, "handoffs", HANDOFF_COLUMNS, rows.handoffs)
    return _copy(conn, "changes", FEED_COLUMNS, rows.old_feed)


def _copy(conn: psycopg.Connection[Any], table: str, columns: list[str], rows: Any) -> int:
    count = 0
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _generated_hospitals(rng: random.Random, count: int) -> list[tuple[Any, ...]]:
    caps = ["icu", "ventilator", "dialysis", "cath_lab", "stroke", "trauma", "burns", "paediatric"]
    return [(_uuid(rng), f"District Hospital {n}", f"DH{n}", 8.2 + rng.random() * 4.5, 74.9 + rng.random() * 2.4,
             json.dumps(rng.sample(caps, 4))) for n in range(1, count + 1)]


_STATUSES = ["available"] * 3 + ["occupied"] * 5 + ["cleaning", "reserved"]


def _generated_beds(rng: random.Random, hospitals: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Each bed at its version after a day of 1 to 2 changes (``_bed_day`` publishes them)."""
    return [(_uuid(rng), h[0], unit, f"{unit}-{n:02d}", rng.choice(_STATUSES), rng.choice((2, 3)))
            for h in hospitals for unit, count in UNITS.items() for n in range(1, count + 1)]


def _network_feed(hospitals: list[tuple[Any, ...]], at: datetime) -> Iterator[tuple[Any, ...]]:
    """The generated hospitals' rows (their beds' first versions were superseded long ago: compacted)."""
    naive = at.replace(tzinfo=None)
    for h in hospitals:
        data = {"id": h[0], "name": h[1], "short_name": h[2], "lat": h[3], "lon": h[4],
                "capabilities": json.loads(h[5]), "address": "", "phone": "", "closed": False, "version": 1}
        yield ("hospital", h[0], 1, json.dumps(data), h[0], None, naive, True, True)


def _bed_day(rng: random.Random, beds: list[tuple[Any, ...]], now: datetime) -> list[tuple[Any, ...]]:
    """Each generated bed's changes of the last day (versions 2 up to its version); the last is its status now
    and its newest row."""
    rows: list[tuple[Any, ...]] = []
    for bed_id, hospital, unit, label, status, version in beds:
        times = sorted(now - timedelta(seconds=rng.uniform(60, 86_400)) for _ in range(version - 1))
        for n, at in enumerate(times, start=2):
            data = {"id": bed_id, "hospital_id": hospital, "unit": unit, "label": label,
                    "status": status if n == version else rng.choice(_STATUSES), "version": n}
            rows.append(("bed", bed_id, n, json.dumps(data), hospital, None, at.replace(tzinfo=None),
                         n == version, True))
    return rows


class _TransferPlan:
    def __init__(self, rng: random.Random, hospitals: list[str], crews: list[str], now: datetime) -> None:
        self.rng, self.hospitals, self.crews, self.now = rng, hospitals, crews, now


@dataclass
class _Rows:
    transfers: list[tuple[Any, ...]]
    bookings: list[tuple[Any, ...]]
    handoffs: list[tuple[Any, ...]]
    old_feed: list[tuple[Any, ...]]
    recent_feed: list[tuple[Any, ...]]


def _one_transfer(plan: _TransferPlan, rows: _Rows, requested: datetime, *, closed: bool) -> None:
    rng = plan.rng
    transfer_id, booking_id, handoff_id, case = _uuid(rng), _uuid(rng), _uuid(rng), _uuid(rng)
    crew = plan.crews[0] if rng.random() < 1 / len(plan.crews) else rng.choice(plan.crews)
    hospital, unit = rng.choice(plan.hospitals), rng.choice(list(UNITS))
    state = "COMPLETED" if closed else rng.choice(("PENDING", "ACCEPTED", "EN_ROUTE"))
    done = requested + timedelta(minutes=90) if closed else requested
    steps = [{"state": s, "by": crew, "by_name": "Crew", "at": (requested + timedelta(minutes=m)).isoformat(),
              "reason": ""} for s, m in (("PENDING", 0), ("ACCEPTED", 4), ("EN_ROUTE", 5), ("ARRIVED", 30),
                                         ("COMPLETED", 90)) if closed or s == "PENDING"]
    version = len(steps)
    naive = done.replace(tzinfo=None)
    rows.transfers.append((transfer_id, case, crew, hospital, unit, state, version, 900, "Moderate",
                           "61 y male · chest pain", json.dumps(steps), requested.replace(tzinfo=None), naive))
    booking_state, expires = ("OCCUPIED", None) if closed else ("HELD", (plan.now + timedelta(minutes=12)))
    rows.bookings.append((booking_id, transfer_id, hospital, unit, None, booking_state, 2 if closed else 1,
                          expires.replace(tzinfo=None) if expires else None, crew, naive))
    rows.handoffs.append((handoff_id, transfer_id, 1, json.dumps(SECTIONS), crew, requested.replace(tzinfo=None)))
    transfer = {"id": transfer_id, "encounter_id": case, "requested_by": crew, "destination_hospital_id": hospital,
                "unit": unit, "state": state, "version": version, "eta_s": 900, "severity": "Moderate",
                "summary": "61 y male · chest pain", "history": steps, "updated_at": done.isoformat()}
    booking = {"id": booking_id, "transfer_id": transfer_id, "hospital_id": hospital, "unit": unit, "bed_id": None,
               "state": booking_state, "version": 2 if closed else 1,
               "hold_expires_at": expires.isoformat() if expires else None}
    handoff = {"id": handoff_id, "transfer_id": transfer_id, "version": 1, "sections": SECTIONS, "author_id": crew,
               "created_at": requested.isoformat(), "acknowledged_by_name": None, "acknowledged_at": None}
    feed = [("handoff", handoff_id, 1, json.dumps(handoff), hospital, crew, naive, True, False),
            ("transfer", transfer_id, version, json.dumps(transfer), hospital, crew, naive, True, not closed),
            ("booking", booking_id, booking["version"], json.dumps(booking), hospital, crew, naive, True, not closed)]
    recent = plan.now - done < RECENT
    if recent and closed:  # the rows these superseded are not compacted yet
        first = {**transfer, "state": "PENDING", "version": 1, "history": steps[:1]}
        held = {**booking, "state": "HELD", "version": 1}
        at = requested.replace(tzinfo=None)
        feed = [("transfer", transfer_id, 1, json.dumps(first), hospital, crew, at, False, True),
                ("booking", booking_id, 1, json.dumps(held), hospital, crew, at, False, True), *feed]
    (rows.recent_feed if recent else rows.old_feed).extend(feed)
