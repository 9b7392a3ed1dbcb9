"""Checking the audit chain: every link, the key it was keyed with, and the anchors held outside the
database. Read-only; runs in whatever transaction the caller holds."""

from __future__ import annotations

import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from emsync_desktop.sync.protocol import AuditAnchor
from sync_server.audit import AUDIT, GENESIS, KEY_MARKER, audit_key_of, key_fingerprint, keyed_digest, legacy_digest
from sync_server.audit_anchors import signed_by

KEY_HELP = "restore the key it was written with (DATA_DIR/audit-key or EMSYNC_AUDIT_KEY)"


@dataclass(frozen=True)
class ChainCheck:
    """``events``: events read; ``verified_up_to``: the last event found intact (its hash: ``head``);
    ``first_broken_id``: the first broken link (None: the chain holds), ``reason`` says what is wrong."""

    events: int
    first_broken_id: int | None
    reason: str = ""
    verified_up_to: int = 0
    head: str = GENESIS
    anchors_checked: int = 0
    keyed: bool = False

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def verify_audit_chain(db: Session | Connection, anchors: Sequence[AuditAnchor] = (), *, key: bytes | None = None,
                       after: AuditAnchor | None = None, require_keyed: bool = True) -> ChainCheck:
    """Check the chain from its first event (or from ``after``, an anchor already trusted, to check only
    what came since) against the key and ``anchors``. ``require_keyed=False`` accepts a chain written
    before keying (start-up checks it so before keying it)."""
    conn = db.connection() if isinstance(db, Session) else db
    walk = _Walk(key or audit_key_of(conn), anchors)
    query = select(AUDIT).order_by(AUDIT.c.id)
    rows = conn.execution_options(yield_per=2000).execute(
        query if after is None else query.where(AUDIT.c.id >= after.seq))
    for row in rows:
        problem = walk.resume(row, after) if after is not None and walk.last_id == 0 else walk.step(row)
        if problem is not None:
            rows.close()
            return walk.broken(row.id, problem)
    if after is not None and walk.last_id == 0:
        return walk.broken(after.seq, f"event #{after.seq}, anchored {_when(after)}, is missing: the newest "
                                      "events were deleted")
    return walk.finish(require_keyed)


def _when(anchor: AuditAnchor) -> str:
    return f"at {anchor.at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


class _Walk:
    """The chain read so far: the last intact event, whether the key marker was met, the anchors met."""

    def __init__(self, key: bytes, anchors: Sequence[AuditAnchor]) -> None:
        self.key, self.fingerprint = key, key_fingerprint(key)
        self.prev, self.keyed, self.events, self.last_id = GENESIS, False, 0, 0
        self.first_id: int | None = None
        self.anchors: dict[int, list[AuditAnchor]] = {}
        self.unsigned: list[AuditAnchor] = []
        for anchor in anchors:
            if signed_by(key, anchor):
                self.anchors.setdefault(anchor.seq, []).append(anchor)
            else:
                self.unsigned.append(anchor)
        self.matched: AuditAnchor | None = None  # the last anchor the chain matched
        self.checked = 0
        self.rewritten = False  # an anchor caught a rewrite: only what an earlier anchor vouches for is intact

    def resume(self, row: Any, after: AuditAnchor) -> str | None:
        """The first row of a check from ``after``: it must be the anchored event, unchanged."""
        if row.id != after.seq or not hmac.compare_digest(row.hash, after.mac):
            self.rewritten = True
            return f"event #{after.seq} no longer matches the anchor signed {_when(after)}: the chain was rewritten"
        self.prev, self.keyed, self.last_id, self.matched = row.hash, True, row.id, after
        return None

    def step(self, row: Any) -> str | None:
        self.events += 1
        self.first_id = self.first_id or row.id
        if row.prev_hash != self.prev:
            before = f"event #{self.last_id}" if self.last_id else "the start of the chain"
            return f"event #{row.id} does not follow {before}: events between them were deleted or reordered"
        problem = self._check_hash(row)
        if problem is None:
            problem = self._check_anchors(row)
        if problem is None:
            self.prev, self.last_id = row.hash, row.id
        return problem

    def _check_hash(self, row: Any) -> str | None:
        if not self.keyed and row.action != KEY_MARKER:
            expected = legacy_digest(self.prev, row.at, row.user_id, row.action, row.record_id, row.detail)
            return None if row.hash == expected else f"event #{row.id} was changed: its hash does not match it"
        if not self.keyed:
            problem = self._check_marker(row)
            if problem is not None:
                return problem
            self.keyed = True
        expected = keyed_digest(self.key, row.id, self.prev, row.at, row.user_id, row.action, row.record_id,
                                row.detail)
        if not hmac.compare_digest(row.hash, expected):
            return f"event #{row.id} was changed or forged: its keyed hash does not match it"
        return None

    def _check_marker(self, row: Any) -> str | None:
        try:
            recorded = json.loads(row.detail)
            fingerprint, legacy_events = recorded["key"], recorded["legacy_events"]
            legacy_head = recorded["legacy_head"]
        except (ValueError, KeyError, TypeError):
            return f"event #{row.id}, the key marker, is unreadable"
        if fingerprint != self.fingerprint:
            return (f"the audit key in use (fingerprint {self.fingerprint}) is not the one the chain was keyed with "
                    f"at event #{row.id} (fingerprint {fingerprint}): {KEY_HELP}")
        if legacy_events != self.events - 1 or legacy_head != self.prev:
            return f"the events before the key marker #{row.id} are not the ones it recorded"
        return None

    def _check_anchors(self, row: Any) -> str | None:
        for anchor in self.anchors.pop(row.id, ()):
            self.checked += 1
            if not hmac.compare_digest(anchor.mac, row.hash):
                self.rewritten = True
                since = f" (after #{self.matched.seq}, the last anchor that matches)" if self.matched else ""
                return (f"event #{row.id} differs from the anchor signed {_when(anchor)}: the chain was rewritten "
                        f"at or before #{row.id}{since}")
            self.matched = anchor
        return None

    def broken(self, event_id: int, reason: str) -> ChainCheck:
        intact = (self.matched.seq if self.matched else 0) if self.rewritten else self.last_id
        return ChainCheck(self.events, event_id, reason, intact, self.prev, self.checked, self.keyed)

    def finish(self, require_keyed: bool) -> ChainCheck:
        problems: list[tuple[int, str]] = []
        if require_keyed and self.events and not self.keyed:
            problems.append((self.first_id or 1, "the chain is not keyed (no key marker): its events are covered "
                                                  "only by a published formula; the server keys it at start-up"))
        for seq, held in self.anchors.items():
            if seq > self.last_id:
                problems.append((self.last_id + 1, f"the chain ends at #{self.last_id} but an anchor signed "
                                                   f"{_when(held[0])} holds #{seq}: the newest events were deleted"))
            else:
                problems.append((seq, f"event #{seq}, anchored {_when(held[0])}, is missing"))
        for anchor in self.unsigned:
            problems.append((anchor.seq, f"an anchor for #{anchor.seq} (signed {_when(anchor)}) is not signed with "
                                         "this server's audit key: the key changed, or the anchor is forged"))
        if problems:
            event_id, reason = min(problems)
            return ChainCheck(self.events, event_id, reason, min(self.last_id, event_id - 1), self.prev,
                              self.checked, self.keyed)
        return ChainCheck(self.events, None, "", self.last_id, self.prev, self.checked, self.keyed)
