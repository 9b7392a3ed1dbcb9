"""Change feed: append in commit order, pull scoped by role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session

from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import Change, PullResponse
from sync_server.db import lock_feed
from sync_server.models import ChangeRow, User


def record_change(session: Session, *, entity: str, entity_id: str, version: int, data: dict[str, Any],
                  hospital_id: str | None, owner_user_id: str | None, now: datetime) -> None:
    lock_feed(session)
    session.add(ChangeRow(entity=entity, entity_id=entity_id, version=version, data=data,
                          hospital_id=hospital_id, owner_user_id=owner_user_id, created_at=now))


def _scope(user: User) -> ColumnElement[bool]:
    role = Role(user.role)
    if role in (Role.COORDINATOR, Role.ADMIN):
        return true()
    if role is Role.NURSE:
        return ChangeRow.hospital_id == user.hospital_id
    # Paramedics see the registry's capacity (beds) and their own transfers, bookings and handoffs.
    return or_(ChangeRow.entity == "bed", ChangeRow.owner_user_id == user.id)


def pull_changes(session: Session, user: User, since: int, limit: int) -> PullResponse:
    rows = session.scalars(
        select(ChangeRow).where(ChangeRow.seq > since, _scope(user)).order_by(ChangeRow.seq).limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = rows[-1].seq if rows else max(since, 0)
    if not more:
        cursor = max(cursor, current_seq(session))  # skip past changes this user may not see
    changes = [Change(seq=r.seq, entity=r.entity, entity_id=r.entity_id, version=r.version,  # type: ignore[arg-type]
                      data=r.data, at=r.created_at) for r in rows]
    return PullResponse(changes=changes, cursor=cursor, more=more)


def current_seq(session: Session) -> int:
    return int(session.scalar(select(func.max(ChangeRow.seq))) or 0)
