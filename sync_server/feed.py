"""Change feed: append in commit order, pull scoped by role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, func, or_, select, true
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import FORMULARY_ENTITY, Change, PullResponse
from sync_server.db import lock_feed
from sync_server.models import ChangeRow, User
from sync_server.rows import fast_statement, insert_rows

CHANGES: Table = ChangeRow.__table__  # type: ignore[assignment]


def change_values(*, entity: str, entity_id: str, version: int, data: dict[str, Any], hospital_id: str | None,
                  owner_user_id: str | None, now: datetime) -> dict[str, Any]:
    """One feed row, ready for ``append_changes``."""
    return {"entity": entity, "entity_id": entity_id, "version": version, "data": data, "hospital_id": hospital_id,
            "owner_user_id": owner_user_id, "created_at": now}


def append_changes(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Append feed rows in the order given (their ``seq`` follows it). Takes the feed lock until the
    transaction ends, so sequence numbers commit in order and a client's cursor never skips one."""
    if rows:
        lock_feed(conn)
        insert_rows(conn, CHANGES, rows)


def record_change(session: Session, *, entity: str, entity_id: str, version: int, data: dict[str, Any],
                  hospital_id: str | None, owner_user_id: str | None, now: datetime) -> None:
    """Append one change at once (seeding); op handlers go through the batch's journal instead."""
    append_changes(session.connection(), [change_values(
        entity=entity, entity_id=entity_id, version=version, data=data, hospital_id=hospital_id,
        owner_user_id=owner_user_id, now=now)])


def scope(user: User) -> ColumnElement[bool]:
    """The feed rows ``user`` may pull (also: who may fetch a record entry's file, ``blob_access``)."""
    role = Role(user.role)
    if role in (Role.COORDINATOR, Role.ADMIN):
        return true()
    # Every role that records or reads drugs given gets the formulary in force (it has no hospital).
    if role is Role.NURSE:
        return or_(CHANGES.c.hospital_id == user.hospital_id, CHANGES.c.entity == FORMULARY_ENTITY)
    # Paramedics see the registry's capacity (beds) and their own transfers, bookings and handoffs.
    return or_(CHANGES.c.entity.in_(("bed", FORMULARY_ENTITY)), CHANGES.c.owner_user_id == user.id)


def pull_changes(session: Session, user: User, since: int, limit: int) -> PullResponse:
    conn = session.connection()
    rows = conn.execute(select(CHANGES).where(CHANGES.c.seq > since, scope(user))
                        .order_by(CHANGES.c.seq).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = rows[-1].seq if rows else max(since, 0)
    if not more:
        cursor = max(cursor, current_seq(session))  # skip past changes this user may not see
    changes = [Change.model_construct(seq=r.seq, entity=r.entity, entity_id=r.entity_id, version=r.version,
                                      data=r.data, at=r.created_at) for r in rows]
    return PullResponse.model_construct(changes=changes, cursor=cursor, more=more)


def latest_seq(conn: Connection) -> int:
    """The newest change's sequence number, 0 if none (on the DBAPI cursor: the writer asks after every batch)."""
    rows = fast_statement(conn, ("latest_seq",), lambda: select(func.max(CHANGES.c.seq).label("seq"))).run(conn, {})
    return int(rows[0]["seq"] or 0)


def current_seq(session: Session) -> int:
    return int(session.scalar(select(func.max(ChangeRow.seq))) or 0)
