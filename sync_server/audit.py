"""Keyed, hash-chained audit log.

Each event's ``hash`` is an HMAC-SHA256, under the audit key, of its position (``id``), the previous
event's hash and its content; so nobody without the key can edit a row and recompute the hashes after
it. What the key alone cannot catch (the newest events deleted; a rewrite by someone who holds the key)
the anchors catch: signed chain heads kept outside the database (``audit_anchors``).

The key is kept apart from the database (``config.load_audit_key``) and travels with the server's
engine: ``bind_audit_key`` makes it an execution option, so every connection the server opens carries
it to ``append_audit_events`` and no caller passes it along.

Events written before the chain was keyed (a plain SHA-256 of a published formula) stay as they were;
the first keyed event is a key marker that records how many such events there were, their head and the
key's fingerprint, so from then on the key covers them too (``mark_chain_keyed``).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection, Engine

from sync_server.db import lock_feed
from sync_server.models import AuditEvent
from sync_server.rows import fast_statement, insert_rows

GENESIS = "0" * 64
KEY_MARKER = "audit.keyed"  # action of the event that starts the keyed chain
AUDIT: Table = AuditEvent.__table__  # type: ignore[assignment]
_HEAD = select(AUDIT.c.id, AUDIT.c.hash).order_by(AUDIT.c.id.desc()).limit(1)
_KEY_OPTION = "emsync_audit_key"


def bind_audit_key(engine: Engine, key: bytes) -> None:
    """Every connection of ``engine`` (and of engines derived from it afterwards) appends with ``key``."""
    engine.update_execution_options(**{_KEY_OPTION: key})


def audit_key_of(conn: Connection) -> bytes:
    key = conn.get_execution_options().get(_KEY_OPTION)
    if not isinstance(key, bytes) or not key:
        raise RuntimeError("no audit key bound to this engine (sync_server.audit.bind_audit_key)")
    return key


def key_fingerprint(key: bytes) -> str:
    """Names a key without revealing it (recorded in the key marker, shown when the key is wrong)."""
    return hmac.new(key, b"emsync audit key fingerprint", hashlib.sha256).hexdigest()[:16]


def keyed_digest(key: bytes, event_id: int, prev_hash: str, at: datetime, user_id: str, action: str,
                 record_id: str, detail: str) -> str:
    """The keyed hash of one event. The free-text fields are length-prefixed (``detail`` comes last), so
    no field can borrow from the next."""
    return _keyed_digest(key, event_id, prev_hash, _instant(at), user_id, action, record_id, detail)


def _keyed_digest(key: bytes, event_id: int, prev_hash: str, instant: str, user_id: str, action: str,
                  record_id: str, detail: str) -> str:
    # One f-string and a copied HMAC state: a few µs an event, on the writer's thread.
    message = (f"{event_id}|{prev_hash}|{instant}|{len(user_id)}:{user_id}|{len(action)}:{action}|"
               f"{len(record_id)}:{record_id}|{detail}")
    mac = _keyed(key).copy()
    mac.update(message.encode("utf-8", "surrogatepass"))
    return mac.hexdigest()


@functools.lru_cache(maxsize=4)
def _keyed(key: bytes) -> hmac.HMAC:
    """The HMAC state after the key (copied for each event instead of keyed again)."""
    return hmac.new(key, digestmod=hashlib.sha256)


def legacy_digest(prev_hash: str, at: datetime, user_id: str, action: str, record_id: str, detail: str) -> str:
    """The unkeyed formula of events written before the chain was keyed (checked, never written)."""
    text = "|".join((prev_hash, at.isoformat(), user_id, action, record_id, detail))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def append_audit_events(conn: Connection, events: list[dict[str, Any]]) -> None:
    """Append events (``at``, ``user_id``, ``action``, ``record_id``, ``detail``) to the chain, in order.
    Call at the end of the transaction that did what they record: it takes the feed lock, reads the
    chain head once, and nobody else can append until this transaction ends. Ids are assigned here (the
    position is part of each hash), never by the database's sequence."""
    if not events:
        return
    key = audit_key_of(conn)
    lock_feed(conn)
    head = fast_statement(conn, ("audit_head_id",), lambda: _HEAD).run(conn, {})
    event_id, prev = (int(head[0]["id"]), str(head[0]["hash"])) if head else (0, GENESIS)
    rows = []
    instants: dict[datetime, str] = {}  # the events of a batch share their time
    for event in events:
        event_id += 1
        at = event["at"]
        instant = instants.get(at) or instants.setdefault(at, _instant(at))
        digest = _keyed_digest(key, event_id, prev, instant, event["user_id"], event["action"],
                               event["record_id"], event["detail"])
        rows.append({**event, "id": event_id, "prev_hash": prev, "hash": digest})
        prev = digest
    insert_rows(conn, AUDIT, rows)


def is_keyed(conn: Connection) -> bool:
    return conn.execute(select(AUDIT.c.id).where(AUDIT.c.action == KEY_MARKER).limit(1)).first() is not None


def marker_detail(legacy_events: int, legacy_head: str, key: bytes) -> str:
    return json.dumps({"legacy_events": legacy_events, "legacy_head": legacy_head, "key": key_fingerprint(key)},
                      sort_keys=True)


def mark_chain_keyed(conn: Connection, *, legacy_events: int, legacy_head: str, user_id: str,
                     now: datetime) -> None:
    """Start the keyed chain after ``legacy_events`` unkeyed events ending in ``legacy_head`` (verified
    by the caller). Once, in the caller's write transaction."""
    key = audit_key_of(conn)
    append_audit_events(conn, [{"at": now, "user_id": user_id, "action": KEY_MARKER,
                                "record_id": key_fingerprint(key),
                                "detail": marker_detail(legacy_events, legacy_head, key)}])
