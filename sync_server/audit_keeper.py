"""The server's keeper of the audit chain: keys an old chain, checks the chain at start-up, signs its
head now and then (anchors), and checks it for an admin.

Threading: ``start_up`` runs once, in ``create_app``; ``anchor_if_due`` on a worker thread of the app's
anchoring task (never on the writer's thread: appends stay as they were, one statement per batch);
``verify`` and ``latest`` on request threads. Anchoring is serialized by a lock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from emsync_desktop.sync.protocol import AuditAnchor
from sync_server.audit import AUDIT, is_keyed, mark_chain_keyed
from sync_server.audit_anchors import AnchorBook, sign_anchor
from sync_server.audit_verify import ChainCheck, verify_audit_chain
from sync_server.db import lock_feed

log = logging.getLogger("sync_server.audit")
_HEAD = select(AUDIT.c.id, AUDIT.c.hash).order_by(AUDIT.c.id.desc()).limit(1)


class AuditChainBroken(Exception):
    """The chain did not verify at start-up and the server was told to refuse to start then."""


class AuditKeeper:
    def __init__(self, engine: Engine, write_engine: Engine, key: bytes, book: AnchorBook, *,
                 every_s: float = 300.0, every_events: int = 1000) -> None:
        self._engine, self._write_engine, self._key, self.book = engine, write_engine, key, book
        self.every = timedelta(seconds=every_s)
        self.every_events = every_events
        self._anchoring = threading.Lock()
        self.last_check: ChainCheck | None = None

    def start_up(self, system_user_id: str, *, require_valid: bool = False) -> ChainCheck:
        """Key a chain written before keying (once, from a verified state), check the whole chain against
        the anchors on file, say the outcome in the log, and anchor the head. A broken chain is logged as
        an error; with ``require_valid`` it raises ``AuditChainBroken`` instead."""
        now = datetime.now(UTC)
        with self._write_engine.begin() as conn:
            lock_feed(conn)  # two server processes starting together key the chain once
            if not is_keyed(conn):
                self._key_old_chain(conn, system_user_id, now)
        check = self.verify()
        if not check.ok:
            log.error("AUDIT CHAIN BROKEN at event #%s: %s. Verified intact up to #%d. Nothing is repaired; "
                      "keep the database and %s for investigation.", check.first_broken_id, check.reason,
                      check.verified_up_to, self.book.path or "the anchors")
            if require_valid:
                raise AuditChainBroken(f"audit chain broken at event #{check.first_broken_id}: {check.reason}")
            return check
        log.info("audit chain verified up to #%d (%d events, %d anchors matched)", check.verified_up_to,
                 check.events, check.anchors_checked)
        if self.book.path is None:
            log.warning("audit anchors are kept in memory only (no anchor file given): a restart forgets them")
        self.anchor_if_due(now, force=True)
        return check

    def _key_old_chain(self, conn: Connection, system_user_id: str, now: datetime) -> None:
        old = verify_audit_chain(conn, key=self._key, require_keyed=False)
        if not old.ok:
            log.error("the audit chain is not keyed yet and does not verify (event #%s: %s): it is left as it is",
                      old.first_broken_id, old.reason)
            return
        if self.book.last() is not None:
            log.error("the audit chain has no key marker, yet anchors of a keyed chain exist: the marker and "
                      "the events after it were deleted; the chain is left as it is")
            return
        mark_chain_keyed(conn, legacy_events=old.events, legacy_head=old.head, user_id=system_user_id, now=now)
        if old.events:
            log.warning("audit chain keyed: its %d earlier events are covered from now on by the key marker",
                        old.events)

    def verify(self, held: Sequence[AuditAnchor] = ()) -> ChainCheck:
        """The whole chain, checked against the key, the server's anchors and ``held`` (a desk's)."""
        with self._engine.connect() as conn:
            check = verify_audit_chain(conn, [*self.book.all(), *held], key=self._key)
        self.last_check = check
        return check

    def latest(self, n: int = 20) -> list[AuditAnchor]:
        return self.book.latest(n)

    def anchor_if_due(self, now: datetime, *, force: bool = False) -> AuditAnchor | None:
        """Sign the chain head if it moved and ``every_events`` events or ``every`` time passed since the
        last anchor (``force``: if it moved at all). What came since the last anchor is checked first:
        a head that does not follow from it is logged, never signed."""
        with self._anchoring:
            last = self.book.last()
            with self._engine.connect() as conn:
                head = conn.execute(_HEAD).first()
                if head is None or (last is not None and (head.id, head.hash) == (last.seq, last.mac)):
                    return None
                if not force and last is not None and head.id - last.seq < self.every_events \
                        and now - last.at < self.every:
                    return None
                check = verify_audit_chain(conn, key=self._key, after=last)
            if not check.ok:
                log.error("AUDIT CHAIN BROKEN at event #%s: %s. The head is not anchored.",
                          check.first_broken_id, check.reason)
                self.last_check = check
                return None
            anchor = sign_anchor(self._key, check.verified_up_to, check.head, now)
            self.book.add(anchor)
            return anchor
