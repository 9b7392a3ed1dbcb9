"""Change feed: append in commit order, pull scoped by role, compact what is superseded.

Bounded by design (DESIGN.md section 4): each record's newest row is ``latest``, and rows of older versions
are deleted once they are ``COMPACT_AFTER`` old (``compact_feed``): a device behind them gets the newer row,
which is all that applying needs. A new device's first pull is a snapshot (``pull_changes(snapshot=True)``):
the newest row of every record in its scope that changed in the last ``RECENT_HOURS``, plus those that stay in
every scope whatever their age (``pinned``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Table, and_, delete, func, or_, select, true, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from emsync_desktop.domain.lifecycle import TransferState, is_terminal_transfer
from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import (
    AMBULANCE_POSITION_ENTITY,
    CASE_MIX_ENTITY,
    FEED_2_ENTITIES,
    FEED_3_ENTITIES,
    FEED_4_ENTITIES,
    FEED_5_ENTITIES,
    FEED_6_ENTITIES,
    FEED_7_ENTITIES,
    FORECAST_ENTITY,
    FORMULARY_ENTITY,
    HOSPITAL_ENTITY,
    RECENT_HOURS,
    Change,
    PullResponse,
)
from emsync_desktop.sync.protocol_blood import BLOOD_PAR_ENTITY, BLOOD_REQUEST_ENTITY, BLOOD_UNIT_ENTITY, DONOR_ENTITY
from emsync_desktop.sync.protocol_tasks import WARD_TASK_ENTITY
from sync_server.db import lock_feed
from sync_server.models import Booking, ChangeRow, Handoff, Transfer, User
from sync_server.rows import fast_statement, insert_rows

CHANGES: Table = ChangeRow.__table__  # type: ignore[assignment]
RECENT = timedelta(hours=RECENT_HOURS)
COMPACT_AFTER = RECENT  # superseded rows younger than this stay: a desk's bed history is exact for that long
_ALWAYS_IN_SCOPE = frozenset({"bed", HOSPITAL_ENTITY, FORMULARY_ENTITY, BLOOD_PAR_ENTITY, DONOR_ENTITY,
                              FORECAST_ENTITY, CASE_MIX_ENTITY})
_BLOOD_KINDS = (BLOOD_UNIT_ENTITY, BLOOD_REQUEST_ENTITY, DONOR_ENTITY, BLOOD_PAR_ENTITY)
# Kept from the desks: donors (people who are not patients) and blood requests (patients' identifiers): the desk's
# blood view needs the units only.
_NOT_FOR_THE_DESK = (DONOR_ENTITY, BLOOD_REQUEST_ENTITY)
_OPEN_BOOKINGS = frozenset({"TENTATIVE", "HELD"})
_CLOSABLE = frozenset({"transfer", "booking", BLOOD_UNIT_ENTITY, BLOOD_REQUEST_ENTITY,
                       WARD_TASK_ENTITY})  # pinned while open
_OPEN_TASKS = frozenset({"requested", "accepted", "in_progress", "on_hold"})  # domain.ward_tasks.OPEN_STATES
_SPENT_UNITS = frozenset({"transfused", "discarded"})  # a blood unit off every shelf for good
_OPEN_BLOOD_REQUESTS = frozenset({"open", "allocated", "issued"})
_RECORD_KINDS = ("transfer", "booking", "handoff")  # what ``record_rows`` fetches
# Kinds whose older rows nobody needs, not even for a day: deleted as soon as a newer row supersedes them (an
# ambulance reports its position every 15 s; a desk behind gets the newest one).
LATEST_ONLY = frozenset({AMBULANCE_POSITION_ENTITY, FORECAST_ENTITY, CASE_MIX_ENTITY})  # and refits, recounts


def pinned(entity: str, data: dict[str, Any]) -> bool:
    """Whether a record's newest row belongs in a snapshot whatever its age: the network and the formulary,
    and transfers still under way with their bed holds; blood units not yet used up (a red cell unit keeps 42 days)
    and blood requests not yet done."""
    if entity in _ALWAYS_IN_SCOPE:
        return True
    if entity == BLOOD_UNIT_ENTITY:
        return data["state"] not in _SPENT_UNITS
    if entity == BLOOD_REQUEST_ENTITY:
        return data["state"] in _OPEN_BLOOD_REQUESTS
    if entity == WARD_TASK_ENTITY:
        return data["state"] in _OPEN_TASKS
    if entity == "transfer":
        return not is_terminal_transfer(TransferState(data["state"]))
    return entity == "booking" and data.get("state") in _OPEN_BOOKINGS


def change_values(*, entity: str, entity_id: str, version: int, data: dict[str, Any], hospital_id: str | None,
                  owner_user_id: str | None, now: datetime) -> dict[str, Any]:
    """One feed row, ready for ``append_changes``."""
    return {"entity": entity, "entity_id": entity_id, "version": version, "data": data, "hospital_id": hospital_id,
            "owner_user_id": owner_user_id, "created_at": now, "latest": True, "pinned": pinned(entity, data)}


def append_changes(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Append feed rows in the order given (their ``seq`` follows it), each the ``latest`` of its record for its
    audience: an earlier row of the same record with the same ``hospital_id`` and ``owner_user_id`` (so seen by
    exactly the same users, ``scope``) is superseded and marked so, or deleted for ``LATEST_ONLY`` kinds. (A record
    published again to a second hospital keeps its row for the first.) Takes the feed lock until the
    transaction ends, so sequence numbers commit in order and a client's cursor never skips one."""
    if not rows:
        return
    lock_feed(conn)
    newest: dict[tuple[str, str, str | None, str | None], dict[str, Any]] = {}
    for row in rows:
        key = (row["entity"], row["entity_id"], row["hospital_id"], row["owner_user_id"])
        if key in newest:
            newest[key]["latest"] = False
        newest[key] = row
    groups: dict[tuple[str, str | None, str | None], list[str]] = {}
    for entity, entity_id, hospital_id, owner in newest:
        groups.setdefault((entity, hospital_id, owner), []).append(entity_id)
    for (entity, hospital_id, owner), ids in groups.items():
        superseded = and_(CHANGES.c.latest, CHANGES.c.entity == entity, CHANGES.c.entity_id.in_(ids),
                          CHANGES.c.hospital_id.is_not_distinct_from(hospital_id),
                          CHANGES.c.owner_user_id.is_not_distinct_from(owner))
        conn.execute(update(CHANGES).where(superseded).values(latest=False))
    _unpin_closed(conn, list(newest.values()))
    insert_rows(conn, CHANGES, [row for row in rows if row["latest"] or row["entity"] not in LATEST_ONLY])
    # After the insert, never before: on SQLite ``seq`` is the rowid, and deleting the newest row first would hand
    # its number to the new row, which a device already past it would never pull.
    for (entity, hospital_id, owner), ids in groups.items():
        if entity in LATEST_ONLY:
            conn.execute(delete(CHANGES).where(
                ~CHANGES.c.latest, CHANGES.c.entity == entity, CHANGES.c.entity_id.in_(ids),
                CHANGES.c.hospital_id.is_not_distinct_from(hospital_id),
                CHANGES.c.owner_user_id.is_not_distinct_from(owner)))


def _unpin_closed(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """A record that closed is no longer pinned for any audience: a redirected transfer left rows for its first
    ward (still saying PENDING) that no later row of that audience supersedes; they must not outlive the close
    in new devices' snapshots."""
    closed: dict[str, list[str]] = {}
    for row in rows:
        if not row["pinned"] and row["entity"] in _CLOSABLE:
            closed.setdefault(row["entity"], []).append(row["entity_id"])
    for entity, ids in closed.items():
        conn.execute(update(CHANGES).where(CHANGES.c.pinned, CHANGES.c.entity == entity, CHANGES.c.entity_id.in_(ids))
                     .values(pinned=False))


def record_change(session: Session, *, entity: str, entity_id: str, version: int, data: dict[str, Any],
                  hospital_id: str | None, owner_user_id: str | None, now: datetime) -> None:
    """Append one change at once (seeding); op handlers go through the batch's journal instead."""
    append_changes(session.connection(), [change_values(
        entity=entity, entity_id=entity_id, version=version, data=data, hospital_id=hospital_id,
        owner_user_id=owner_user_id, now=now)])


def scope(user: User) -> ColumnElement[bool]:
    """The feed rows ``user`` may pull (also: who may fetch a record entry's file, ``blob_access``)."""
    role = Role(user.role)
    if role is Role.ADMIN:
        return true()
    if role is Role.COORDINATOR:
        return CHANGES.c.entity.not_in(_NOT_FOR_THE_DESK)
    # Every role that records or reads drugs given gets the formulary in force (it has no hospital).
    # Everyone has the network (hospitals' names appear in every role's screens) and the formulary in force.
    shared = CHANGES.c.entity.in_((FORMULARY_ENTITY, HOSPITAL_ENTITY))
    if role is Role.BLOOD_BANK:  # its hospital's blood, not its patients' transfers and records
        return or_(and_(CHANGES.c.hospital_id == user.hospital_id, CHANGES.c.entity.in_(_BLOOD_KINDS)), shared)
    if role is Role.NURSE:  # the hospital's rows but the blood bank's donors
        return or_(and_(CHANGES.c.hospital_id == user.hospital_id, CHANGES.c.entity != DONOR_ENTITY), shared)
    # Paramedics see the registry's capacity (beds) and their own transfers, bookings and handoffs.
    return or_(CHANGES.c.entity == "bed", shared, CHANGES.c.owner_user_id == user.id)


def _newer_than(feed_version: int) -> tuple[str, ...]:
    """The entity kinds a client reading feed generation ``feed_version`` cannot parse."""
    newer: tuple[str, ...] = FEED_7_ENTITIES if feed_version < 7 else ()
    newer += FEED_6_ENTITIES if feed_version < 6 else ()
    newer += FEED_5_ENTITIES if feed_version < 5 else ()
    newer += FEED_4_ENTITIES if feed_version < 4 else ()
    newer += FEED_3_ENTITIES if feed_version < 3 else ()
    return newer + FEED_2_ENTITIES if feed_version < 2 else newer


def pull_changes(session: Session, user: User, since: int, limit: int, *, snapshot: bool = False,
                 now: datetime | None = None, feed_version: int = 1) -> PullResponse:
    """Up to ``limit`` changes after ``since`` that ``user`` may see, oldest first. The feed's head is read
    first and nothing after it is returned, so the cursor never passes a change committed meanwhile.
    ``snapshot``: a first sync, paged like any other (see the module's docstring), its window ending at ``now``
    (the time the device's snapshot began, so a snapshot resumed days later still gets what closed since).
    ``feed_version``: the client's (``FEED_VERSION``); kinds newer than it reads are left out."""
    conn = session.connection()
    head = current_seq(session)
    unreadable = _newer_than(feed_version)
    visible = and_(scope(user), CHANGES.c.entity.not_in(unreadable)) if unreadable else scope(user)
    if snapshot:
        rows = _snapshot_rows(conn, visible, since, head, limit + 1, min(now or datetime.now(UTC), datetime.now(UTC)))
    else:
        rows = list(conn.execute(select(CHANGES).where(CHANGES.c.seq > since, CHANGES.c.seq <= head, visible)
                                 .order_by(CHANGES.c.seq).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = rows[-1].seq if more else max(head, since, 0)  # past changes this user may not see
    changes = [Change.model_construct(seq=r.seq, entity=r.entity, entity_id=r.entity_id, version=r.version,
                                      data=r.data, at=r.created_at) for r in rows]
    return PullResponse.model_construct(changes=changes, cursor=cursor, more=more)


def _snapshot_rows(conn: Connection, visible: ColumnElement[bool], since: int, head: int, limit: int,
                   now: datetime) -> list[Row[Any]]:
    """Newest rows in scope: pinned ones before the recent window (through their partial index), then those of
    the window, in seq order. Rows are recorded in time order, so the window starts at one seq (``floor``);
    the time is checked again there, so a row recorded out of order is never wrongly included."""
    cutoff = now - RECENT
    floor = min(_first_seq_since(conn, cutoff, head), head + 1)
    rows: list[Row[Any]] = []
    if since + 1 < floor:
        rows = list(conn.execute(select(CHANGES).where(
            CHANGES.c.seq > since, CHANGES.c.seq < floor, CHANGES.c.latest, CHANGES.c.pinned, visible)
            .order_by(CHANGES.c.seq).limit(limit)))
    if len(rows) < limit:
        rows += conn.execute(select(CHANGES).where(
            CHANGES.c.seq > max(since, floor - 1), CHANGES.c.seq <= head, CHANGES.c.latest,
            or_(CHANGES.c.created_at >= cutoff, CHANGES.c.pinned), visible)
            .order_by(CHANGES.c.seq).limit(limit - len(rows)))
    return rows


CLOCK_SKEW = timedelta(minutes=10)  # server processes' clocks may differ this much: rows so late are still found


def _first_seq_since(conn: Connection, at: datetime, head: int) -> int:
    """The first row recorded at or after ``at`` (``head + 1`` if none). Rows are recorded in seq order, up to
    the processes' clock skew: the lowest seq among those recorded in the first ``CLOCK_SKEW`` after ``at``,
    read through the index on ``created_at`` (``min(seq)`` alone would walk the seq index from the start)."""
    early = select(CHANGES.c.seq).where(CHANGES.c.created_at >= at, CHANGES.c.created_at < at + CLOCK_SKEW) \
        .order_by(CHANGES.c.created_at).limit(100_000).subquery()
    first = conn.scalar(select(func.min(early.c.seq)))
    if first is None:
        first = conn.scalar(select(CHANGES.c.seq).where(CHANGES.c.created_at >= at)
                            .order_by(CHANGES.c.created_at).limit(1))
    return int(first) if first is not None else head + 1


def compact_feed(conn: Connection, now: datetime, batch: int = 5000) -> int:
    """Delete up to ``batch`` superseded rows older than ``COMPACT_AFTER``; returns how many. Safe for every
    cursor: each deleted row has a newer row of the same record further on in the feed. Reads the superseded
    rows' partial index up to the first row of the window, never the whole feed."""
    floor = _first_seq_since(conn, now - COMPACT_AFTER, latest_seq(conn))
    old = select(CHANGES.c.seq).where(~CHANGES.c.latest, CHANGES.c.seq < floor,
                                      CHANGES.c.created_at < now - COMPACT_AFTER).order_by(CHANGES.c.seq).limit(batch)
    return int(conn.execute(delete(CHANGES).where(CHANGES.c.seq.in_(old.scalar_subquery()))).rowcount or 0)


def latest_seq(conn: Connection) -> int:
    """The newest change's sequence number, 0 if none (on the DBAPI cursor: the writer asks after every batch)."""
    rows = fast_statement(conn, ("latest_seq",), lambda: select(func.max(CHANGES.c.seq).label("seq"))).run(conn, {})
    return int(rows[0]["seq"] or 0)


def current_seq(session: Session) -> int:
    return int(session.scalar(select(func.max(ChangeRow.seq))) or 0)


def transfers_requested(session: Session, user: User, start: datetime, end: datetime, limit: int) -> list[Change]:
    """The newest version of each transfer requested in [``start``, ``end``) that ``user`` may see, newest first,
    at most ``limit``: what a desk lists to open an old case (``record_rows``). Reads the transfers' time index."""
    ids = list(session.scalars(select(Transfer.id).where(Transfer.created_at >= start, Transfer.created_at < end,
                                                         _transfers_of(user))
                               .order_by(Transfer.created_at.desc()).limit(limit)))
    if not ids:
        return []
    rows = session.connection().execute(select(CHANGES).where(
        CHANGES.c.entity == "transfer", CHANGES.c.entity_id.in_(ids), CHANGES.c.latest, scope(user)))
    newest = {r.entity_id: r for r in rows}  # one audience's row of each (the same version for every audience)
    found = [newest[transfer_id] for transfer_id in ids if transfer_id in newest]
    return [Change.model_construct(seq=r.seq, entity=r.entity, entity_id=r.entity_id, version=r.version,
                                   data=r.data, at=r.created_at) for r in found]


def _transfers_of(user: User) -> ColumnElement[bool]:
    """The transfers ``user`` may look up (as ``scope``): a ward's own, a crew's own, or all."""
    role = Role(user.role)
    if role is Role.NURSE:
        return Transfer.destination_hospital_id == user.hospital_id
    if role is Role.PARAMEDIC:
        return Transfer.requested_by == user.id
    return true()


def record_rows(session: Session, user: User, entity: str, entity_id: str) -> list[Change]:
    """The newest rows of one record in ``user``'s scope (a device fetching what left its scope); for a transfer
    also those of its bookings and handoffs. Empty when there is none or the user may not see it."""
    ids = {entity_id}
    if entity == "transfer":
        for table in (Booking, Handoff):
            ids |= set(session.scalars(select(table.id).where(table.transfer_id == entity_id)))
    rows = session.connection().execute(select(CHANGES).where(  # the record's kinds only: a transfer's position
        CHANGES.c.entity_id.in_(sorted(ids)), CHANGES.c.entity.in_(_RECORD_KINDS), CHANGES.c.latest,  # shares its id
        scope(user)).order_by(CHANGES.c.seq))
    return [Change.model_construct(seq=r.seq, entity=r.entity, entity_id=r.entity_id, version=r.version,
                                   data=r.data, at=r.created_at) for r in rows]
