"""The audit anchors a coordinator or admin desk keeps: signed heads of the server's audit chain, held
here so that a server whose chain was truncated or rewritten is caught by comparing with them
(``POST /audit/verify`` sends them; the server checks their signatures and compares).

The desk also compares what it is sent with what it holds: an anchor for an event it already holds an
anchor for, with another hash, is a rewritten chain; that is kept as a warning (and logged), and the
held anchors are never replaced.

Store steps run on the DB thread (``DbRunner``), one transaction each.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from emsync_desktop.store.database import Store
from emsync_desktop.store.repositories import get_setting, set_setting
from emsync_desktop.sync.protocol import AuditAnchor

ANCHORS_KEY = "audit.anchors"
WARNING_KEY = "audit.anchor_warning"
KEEP = 20  # the newest anchor covers every event before it; older ones help to say where a rewrite began
log = logging.getLogger("emsync.audit")


def held_anchors(store: Store) -> list[AuditAnchor]:
    with store.sessions.begin() as session:
        return _decode(get_setting(session, ANCHORS_KEY))


def anchor_warning(store: Store) -> str | None:
    """What the desk noticed when it was last sent anchors that contradict those it holds (None: nothing)."""
    with store.sessions.begin() as session:
        return get_setting(session, WARNING_KEY) or None


def keep_anchors(store: Store, fetched: Sequence[AuditAnchor]) -> str | None:
    """Add ``fetched`` to the anchors held (the newest ``KEEP``); returns a warning if they contradict them."""
    with store.sessions.begin() as session:
        held = _decode(get_setting(session, ANCHORS_KEY))
        warning = _contradiction(held, fetched)
        by_seq = {a.seq: a for a in fetched} | {a.seq: a for a in held}  # a held anchor is never replaced
        kept = sorted(by_seq.values(), key=lambda a: a.seq)[-KEEP:]
        set_setting(session, ANCHORS_KEY, json.dumps([a.model_dump(mode="json") for a in kept]))
        if warning is not None:
            set_setting(session, WARNING_KEY, warning)
    if warning is not None:
        log.error("audit anchors: %s", warning)
    return warning


def _contradiction(held: Sequence[AuditAnchor], fetched: Sequence[AuditAnchor]) -> str | None:
    macs = {a.seq: a.mac for a in held}
    for anchor in fetched:
        if anchor.seq in macs and macs[anchor.seq] != anchor.mac:
            return (f"the server now signs event #{anchor.seq} with another hash than the anchor this desk holds: "
                    "its audit chain was rewritten")
    # A newest anchor older than one held is not taken as a sign: several server processes (one PostgreSQL)
    # each sign their own heads. Lost events are found by the verification, which compares with the chain.
    return None


def _decode(text: str | None) -> list[AuditAnchor]:
    return [AuditAnchor.model_validate(item) for item in json.loads(text)] if text else []
