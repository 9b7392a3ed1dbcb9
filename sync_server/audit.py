"""Hash-chained audit log: each event's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from sync_server.db import lock_feed
from sync_server.models import AuditEvent
from sync_server.rows import fast_statement, insert_rows

GENESIS = "0" * 64
_AUDIT: Table = AuditEvent.__table__  # type: ignore[assignment]
_HEAD = select(_AUDIT.c.hash).order_by(_AUDIT.c.id.desc()).limit(1)


def _digest(prev_hash: str, at: datetime, user_id: str, action: str, record_id: str, detail: str) -> str:
    text = "|".join((prev_hash, at.isoformat(), user_id, action, record_id, detail))
    return hashlib.sha256(text.encode()).hexdigest()


def append_audit_events(conn: Connection, events: list[dict[str, Any]]) -> None:
    """Append events (``at``, ``user_id``, ``action``, ``record_id``, ``detail``) to the chain, in order.
    Call at the end of the transaction that did what they record: it takes the feed lock, reads the
    chain head once, and nobody else can append until this transaction ends."""
    if not events:
        return
    lock_feed(conn)
    head = fast_statement(conn, ("audit_head",), lambda: _HEAD).run(conn, {})
    prev = head[0]["hash"] if head else GENESIS
    rows = []
    for event in events:
        digest = _digest(prev, event["at"], event["user_id"], event["action"], event["record_id"], event["detail"])
        rows.append({**event, "prev_hash": prev, "hash": digest})
        prev = digest
    insert_rows(conn, _AUDIT, rows)


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
