"""Store-side steps of a sync cycle. Each is one transaction; run them on the DbRunner thread."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from emsync_desktop.store.database import Store
from emsync_desktop.store.models import HeldChange, Hospital
from emsync_desktop.store.repositories import get_setting, set_setting
from emsync_desktop.sync.apply import PageResult, apply_page
from emsync_desktop.sync.outbox import count_attempt, first_pending_seq, pending_count, pending_ops, record_results
from emsync_desktop.sync.protocol import FEED_VERSION, Change, Op, OpResult

CURSOR_KEY = "sync.cursor"
FEED_KEY = "sync.feed"  # the feed generation an account last pulled with (``pull_position``)
SNAPSHOT_KEY = "sync.snapshot"  # while a first sync (a snapshot) is under way: when it began (ISO time)


def _keys(account: str) -> tuple[str, str]:
    """The cursor and snapshot settings of one account: the feed a pull skips through is the account's (its
    role's scope), so each account that signs in on a device has its own position in it. (One shared cursor
    let a coordinator signing in after a nurse start past the changes only a coordinator sees.)"""
    return (f"{CURSOR_KEY}.{account}", f"{SNAPSHOT_KEY}.{account}") if account else (CURSOR_KEY, SNAPSHOT_KEY)


def take_pending(store: Store, device_id: str, limit: int, after_seq: int = 0, user_id: str | None = None) -> list[Op]:
    """Up to ``limit`` unanswered ops after ``after_seq`` (those before are on their way), counting the attempt;
    ``user_id``: only that person's."""
    with store.sessions.begin() as session:
        ops = pending_ops(session, device_id, limit, after_seq, user_id)
        count_attempt(session, [op.op_id for op in ops])
        return ops


def store_results(store: Store, results: Sequence[OpResult], now: datetime) -> None:
    with store.sessions.begin() as session:
        record_results(session, results, now)


def read_cursor(store: Store, account: str = "") -> int:
    with store.sessions.begin() as session:
        return int(get_setting(session, _keys(account)[0]) or 0)


def pull_position(store: Store, now: datetime, account: str = "") -> tuple[int, datetime | None]:
    """Where to pull from, and if it is (still) a first sync, the time it began: ``now`` for a device that never
    pulled; a snapshot cut short goes on as one, as of the time it began (so what closed meanwhile comes too),
    never replaying the full feed from there. None: an ordinary pull.

    A device that pulled with an older feed generation (``FEED_VERSION``: an app before an upgrade) was sent no
    kind it could not read, and its cursor went past them: it starts again from a snapshot (applying is
    idempotent), so what it skipped (a message on an open transfer) comes after all."""
    cursor_key, snapshot_key = _keys(account)
    feed_key = f"{FEED_KEY}.{account}" if account else FEED_KEY
    with store.sessions.begin() as session:
        cursor = int(get_setting(session, cursor_key) or 0)
        began = get_setting(session, snapshot_key) or ""
        if began:
            return cursor, datetime.fromisoformat(began)
        generation = int(get_setting(session, feed_key) or 0)
        set_setting(session, feed_key, str(FEED_VERSION))
        if cursor and generation < FEED_VERSION:
            set_setting(session, cursor_key, "0")
            set_setting(session, snapshot_key, now.isoformat())
            return 0, now
        return cursor, now if cursor == 0 else None


def store_changes(store: Store, changes: Sequence[Change], cursor: int, *, account: str = "",
                  snapshot_pending: datetime | None = None, snapshot_done: bool = False) -> PageResult:
    """Apply pulled changes and move the cursor in the same transaction: a crash repeats, never skips.
    ``account``: whose pull it is (each account has its own cursor, ``_keys``). ``snapshot_pending``: this page
    is part of a first sync, begun then, that has more pages to come;
    ``snapshot_done``: it is the first sync's last page (``close_unconfirmed_hospitals`` then runs).

    Changes held back earlier (``HeldChange``) are tried again after the page (which may bring what they
    wait for; newer versions win either way); what still cannot be applied is kept with its reason. The
    result's ``held`` names every change still held."""
    with store.sessions.begin() as session:
        held = {row.seq: row for row in session.scalars(select(HeldChange))}
        retried = [Change.model_validate_json(row.body) for row in held.values()]
        fresh = [change for change in changes if change.seq not in held]
        result = apply_page(session, list(fresh) + sorted(retried, key=lambda c: c.seq))
        _keep_held(session, held, fresh, result)
        cursor_key, snapshot_key = _keys(account)
        set_setting(session, cursor_key, str(cursor))
        set_setting(session, snapshot_key, snapshot_pending.isoformat() if snapshot_pending else "")
        if snapshot_done:  # a snapshot taken whole is of the current feed generation
            set_setting(session, f"{FEED_KEY}.{account}" if account else FEED_KEY, str(FEED_VERSION))
            close_unconfirmed_hospitals(session)
        return result


def store_fetched(store: Store, changes: Sequence[Change]) -> PageResult:
    """Apply a record fetched on demand (``SyncHttp.fetch_record``); the cursor does not move. The next hourly
    prune removes it again if it is still out of scope."""
    with store.sessions.begin() as session:
        return apply_page(session, changes)


def close_unconfirmed_hospitals(session: Session) -> int:
    """After a first sync from a server that sends its network: hospitals seeded on this device that the
    server does not have are closed (kept for the records and accounts that name them, never offered)."""
    if not session.scalar(select(Hospital.id).where(Hospital.version > 0).limit(1)):
        return 0  # an older server, which sends no hospitals: the seeded network is all there is
    unconfirmed = list(session.scalars(select(Hospital.id).where(Hospital.version == 0, ~Hospital.closed)))
    if unconfirmed:
        session.execute(update(Hospital).where(Hospital.id.in_(unconfirmed)).values(closed=True))
    return len(unconfirmed)


def _keep_held(session: Session, held: dict[int, HeldChange], fresh: Sequence[Change], result: PageResult) -> None:
    applied = [seq for seq in held if seq not in result.held]
    if applied:
        session.execute(delete(HeldChange).where(HeldChange.seq.in_(applied)))
    now = datetime.now(UTC)
    for change in fresh:
        if change.seq in result.held:
            session.add(HeldChange(seq=change.seq, entity=change.entity, entity_id=change.entity_id,
                                   body=change.model_dump_json(), reason=result.held[change.seq], held_at=now))
    for seq, row in held.items():
        if seq in result.held:
            row.reason = result.held[seq]


def held_reasons(store: Store) -> list[str]:
    """Why each change from the server that this device could not apply is still held, oldest first."""
    with store.sessions.begin() as session:
        return [row.reason for row in session.scalars(select(HeldChange).order_by(HeldChange.seq))]


def count_pending(store: Store, user_id: str | None = None) -> tuple[int, int]:
    """(this person's unanswered ops, everyone's): ``user_id`` None counts everyone's as theirs."""
    with store.sessions.begin() as session:
        everyone = pending_count(session)
        return (everyone if user_id is None else pending_count(session, user_id)), everyone


def answered_below(store: Store) -> int | None:
    """The ``device_seq`` through which every op's answer is stored here (None: every op is answered)."""
    with store.sessions.begin() as session:
        first = first_pending_seq(session)
        return None if first is None else first - 1
