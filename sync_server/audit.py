"""Hash-chained audit log: each event's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sync_server.db import lock_feed
from sync_server.models import AuditEvent

GENESIS = "0" * 64
_HEAD = "emsync_audit_head"


def _digest(prev_hash: str, at: datetime, user_id: str, action: str, record_id: str, detail: str) -> str:
    text = "|".join((prev_hash, at.isoformat(), user_id, action, record_id, detail))
    return hashlib.sha256(text.encode()).hexdigest()


def append_audit(session: Session, *, at: datetime, user_id: str, action: str, record_id: str,
                 detail: str) -> None:
    """Append one event. Call inside the op's transaction, outside any savepoint that may roll back;
    takes the feed lock. The chain head is read once per transaction and then kept in
    ``session.info``: under the feed lock nobody else can append until this transaction ends."""
    lock_feed(session)
    prev = session.info.get(_HEAD)
    if prev is None:
        prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS
    digest = _digest(prev, at, user_id, action, record_id, detail)
    session.add(AuditEvent(at=at, user_id=user_id, action=action, record_id=record_id, detail=detail,
                           prev_hash=prev, hash=digest))
    session.info[_HEAD] = digest


@dataclass(frozen=True)
class ChainCheck:
    events: int
    first_broken_id: int | None

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def verify_audit_chain(session: Session) -> ChainCheck:
    prev = GENESIS
    count = 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        count += 1
        at = event.at
        expected = _digest(prev, at, event.user_id, event.action, event.record_id, event.detail)
        if event.prev_hash != prev or event.hash != expected:
            return ChainCheck(count, event.id)
        prev = event.hash
    return ChainCheck(count, None)
