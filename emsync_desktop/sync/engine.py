"""The sync loop: push the outbox, pull the feed, back off while the server is away.

Threading: ``SyncEngine`` owns one thread for network I/O. Store work goes through
``db_submit`` (the app's single DB thread, e.g. ``DbRunner.submit``). ``on_status`` is
called from the sync thread; the UI re-emits it as a Qt signal.

When a live channel is given and connected, pushes go over it (the same answers, less work for the
server); otherwise, or when it drops mid-push, over HTTP.

Tokens: a lapsed access token is renewed with the session's refresh token (no password hash on the
server); only when that is refused does the engine sign in again with the password. ``sign_out`` revokes
the session on the server, on a thread of its own, best effort. A disabled account stops the engine's
network work until sign-out (``SyncStatus.account_disabled``).

Pushing and pulling are pipelined: while one batch is on the wire, the DB thread takes
the next batch and stores the previous batch's answers (or applies the previous page).
Ops still go up in ``device_seq`` order and are marked done only on the server's answer.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from emsync_desktop.store.database import Store
from emsync_desktop.sync.audit_anchors import keep_anchors
from emsync_desktop.sync.blobs import send_pending_files
from emsync_desktop.sync.http import (
    AccountDisabled,
    AuthRejected,
    RequestRefused,
    SecondFactorRequired,
    ServerUnreachable,
    SyncHttp,
)
from emsync_desktop.sync.local import (
    answered_below,
    count_pending,
    held_reasons,
    pull_position,
    store_changes,
    store_results,
    take_pending,
)
from emsync_desktop.sync.protocol import (
    ACCOUNT_DISABLED,
    MAX_OPS_PER_PUSH,
    MAX_PULL_LIMIT,
    AnsweredThrough,
    Op,
    PushResponse,
    TokenResponse,
)
from emsync_desktop.sync.prune import prune_out_of_scope
from emsync_desktop.sync.servers import ServerList

T = TypeVar("T")
log = logging.getLogger(__name__)
DbSubmit = Callable[..., Future[Any]]
BATCH = 200
ANCHORS_EVERY_S = 60.0  # the server signs its audit chain's head every few minutes
PRUNE_EVERY_S = 3600.0  # local data that left the device's scope (``sync.prune``)
PULL_PAGE = MAX_PULL_LIMIT
SYNC_FAILED = "Sync stopped on an unexpected error and will try again"  # begins the status's error, then the error


class LiveUnavailable(Exception):
    """The live channel is not connected, or dropped before answering: push over HTTP instead. (The
    server may have applied the push; sent again, its ops get their stored answers.)"""


class LivePusher(Protocol):
    """Pushes over the live channel (``sync.live.LiveChannel``); raises ``LiveUnavailable`` when it cannot."""

    def push(self, token: str, ops: list[Op], answered: AnsweredThrough | None = None) -> PushResponse: ...


@dataclass
class Backoff:
    """Exponential backoff with full jitter: wait uniform(0, min(cap, base * 2**n))."""

    base_s: float = 0.5
    cap_s: float = 30.0
    failures: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_wait_s(self) -> float:
        self.failures += 1
        return self.rng.uniform(0, min(self.cap_s, self.base_s * 2 ** (self.failures - 1)))

    def reset(self) -> None:
        self.failures = 0


@dataclass(frozen=True)
class SyncStatus:
    online: bool
    pending: int
    last_sync: datetime | None
    error: str | None
    touched: frozenset[str] = frozenset()
    engine_id: int = 0  # which engine reported (a stopped engine's late report is ignored)
    sign_in_needed: bool = False  # the session is gone and a password alone gets none (a second factor)
    account_disabled: bool = False  # the server refuses this account: nothing syncs until sign-out
    server: str = ""  # which of several servers the device talks to (``ServerList.describe``): "server 2 of 2 (host)"
    held: tuple[str, ...] = ()  # why each change from the server this device could not apply is held back
    first_sync_records: int | None = None  # during a device's first sync (a snapshot): records received so far
    others_waiting: int = 0  # changes of other people on this device, kept until they sign in here again


class SyncEngine:
    def __init__(self, store: Store, http: SyncHttp, device_id: str, credentials: tuple[str, str],
                 db_submit: DbSubmit, on_status: Callable[[SyncStatus], None] | None = None,
                 poll_s: float = 5.0, blob_dir: Path | None = None, live: LivePusher | None = None,
                 tokens: TokenResponse | None = None, keep_audit_anchors: bool = False,
                 owner_id: str | None = None) -> None:
        """``tokens``: the session of the person's sign-in, if it went through the server (the engine then
        starts in that session instead of opening another). Its refresh token renews access when it lapses;
        the password signs in again only when there is none or it is refused, which an account with a
        second factor cannot do in the background.
        ``keep_audit_anchors``: a coordinator or admin desk, which keeps the server's audit anchors
        (``sync.audit_anchors``), fetched at most every ``ANCHORS_EVERY_S``.
        ``owner_id``: the signed-in person's id on this device: only their changes are pushed (the server takes the
        author from the sign-in; another person's changes on a shared PC wait until they sign in here again).
        None: every pending change (a device with one user, tools)."""
        self._store = store
        self._http = http
        self._device_id = device_id
        self._credentials = credentials
        self._submit = db_submit
        self._on_status = on_status or (lambda _s: None)
        self._poll_s = poll_s  # fallback polling while the live channel is down
        self._blob_dir = blob_dir  # where radiograph files are kept; None: this device sends none
        self._live = live
        self._token: str | None = tokens.access_token if tokens else None
        self._refresh_token: str | None = tokens.refresh_token if tokens else None
        self._code_due: SecondFactorRequired | None = None
        self._disabled = False
        self._keep_audit_anchors = keep_audit_anchors
        self._owner_id = owner_id
        self._anchors_fetched_at: float | None = None  # time.monotonic()
        self._pruned_at: float | None = None  # time.monotonic()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.backoff = Backoff()
        self.last_sync: datetime | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="emsync-sync", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._http.close()

    def sign_out(self) -> threading.Thread | None:
        """Stop, then revoke this session's refresh token on the server from a thread of its own (the
        caller, e.g. the GUI, does not wait; offline, the attempt simply fails). Returns that thread."""
        self.stop()
        refresh_token, self._refresh_token, self._token = self._refresh_token, None, None
        if refresh_token is None:
            return None
        thread = threading.Thread(target=revoke_session,
                                  args=(self._http.servers, refresh_token, self._http.ca_file),
                                  name="emsync-sign-out", daemon=True)
        thread.start()
        return thread

    @property
    def token(self) -> str | None:
        """The current access token (None until signed in to the server)."""
        return self._token

    def nudge(self) -> None:
        """Sync now (a local change was made, or the server said there is news)."""
        self._wake.set()

    def _loop(self) -> None:
        """Never dies: an unexpected error is logged, reported and retried with backoff like an outage."""
        while not self._stop.is_set():
            try:
                ok = self.run_once()
            except Exception as exc:
                if self._stop.is_set():
                    return  # the app is closing and its DB thread is gone
                log.exception("sync cycle failed")
                ok = False
                self._report_failure(exc)
            wait = self._poll_s if ok else self.backoff.next_wait_s()
            self._wake.wait(wait)
            self._wake.clear()

    def run_once(self) -> bool:
        """One cycle: push every pending op, pull until caught up, then send radiograph files.
        Returns False when offline."""
        if self._disabled:
            self._report(False, ACCOUNT_DISABLED)
            return False
        try:
            self._ensure_token()
            self._push_all()
            touched = self._pull_all() | self._prune_if_due()
            self._keep_anchors()
            if self._blob_dir is not None:  # the big files after the small ops
                self._authorized(partial(send_pending_files, self._store, self._http, blob_dir=self._blob_dir,
                                         db_call=self._db))
        except ServerUnreachable as exc:
            self._report(False, str(exc))
            return False
        except AccountDisabled:
            self._disabled, self._token, self._refresh_token = True, None, None
            self._report(False, ACCOUNT_DISABLED)
            return False
        except (AuthRejected, RequestRefused) as exc:
            self._token = None
            self._report(False, str(exc), sign_in_needed=isinstance(exc, SecondFactorRequired))
            return False
        self.backoff.reset()
        self.last_sync = datetime.now(UTC)
        self._report(True, None, touched)
        return True

    def _ensure_token(self) -> None:
        if self._token is None:
            self._keep(self._renewed() or self._sign_in_with_password())

    def _keep(self, tokens: TokenResponse) -> None:
        self._token, self._refresh_token = tokens.access_token, tokens.refresh_token

    def _sign_in_with_password(self) -> TokenResponse:
        """A new session (the refresh token is gone or refused). Not retried once the server asked for a
        code: that would open challenges that replace a person's real one."""
        if self._code_due is not None:
            raise SecondFactorRequired(self._code_due.challenge)
        try:
            return self._http.login(*self._credentials)
        except SecondFactorRequired as due:
            self._code_due = due
            raise

    def _renewed(self) -> TokenResponse | None:
        """Fresh tokens from the refresh token (which the server then replaces: each is used once); None
        when there is none or it is refused (expired, signed out, or used already)."""
        if self._refresh_token is None:
            return None
        try:
            return self._http.refresh(self._refresh_token)
        except AuthRejected:
            self._refresh_token = None
            return None

    def _authorized(self, call: Callable[[str], T]) -> T:
        assert self._token is not None
        try:
            return call(self._token)
        except AuthRejected:
            self._token = None  # expired: renew once (refresh token, else the password)
            self._ensure_token()
            return call(self._token)  # type: ignore[arg-type]

    def _db(self, fn: Callable[..., T], /, *args: Any) -> T:
        """Run ``fn(*args)`` on the DB thread and wait for it."""
        result: T = self._submit(fn, *args).result()
        return result

    def _push_all(self) -> None:
        """Push every pending op, in order. Taking the next batch and storing the last batch's answers
        run on the DB thread while a batch is on the wire; every stored answer is waited for."""
        batch = min(BATCH, MAX_OPS_PER_PUSH)
        ops = self._db(take_pending, self._store, self._device_id, batch, 0, self._owner_id)
        storing: list[Future[None]] = []
        # Every op before the first pending one, whoever's, has its answer stored here: the server may forget those
        # answers. (Not this person's first: another's older op, not sent yet, must not be taken for a repeat.)
        below = self._db(answered_below, self._store) if ops else None
        answered = AnsweredThrough(device_id=self._device_id, device_seq=below) if below is not None else None
        try:
            while ops:
                after = self._submit(take_pending, self._store, self._device_id, batch, ops[-1].device_seq,
                                     self._owner_id)
                response = self._authorized(partial(self._push, ops=ops, answered=answered))
                storing.append(self._submit(store_results, self._store, response.results, datetime.now(UTC)))
                ops = after.result()
        finally:
            for stored in storing:
                stored.result()

    def _push(self, token: str, ops: list[Op], answered: AnsweredThrough | None) -> PushResponse:
        if self._live is not None:
            try:
                return self._live.push(token, ops, answered)
            except LiveUnavailable:
                pass  # not connected, or dropped before answering: HTTP (a repeat gets stored answers)
        return self._http.push(token, ops=ops, answered=answered)

    def _pull_all(self) -> set[str]:
        """Pull until caught up. Each page is applied (with its cursor, in one transaction) on the DB
        thread while the next page is fetched. A device's first sync is a snapshot (``pull_position``)."""
        touched: set[str] = set()
        account = self._credentials[0].strip().lower()  # the server matches user names so
        since, snapshot = self._db(pull_position, self._store, datetime.now(UTC), account)
        page = self._authorized(partial(self._http.pull, since=since, limit=PULL_PAGE, snapshot=snapshot))
        received = 0
        while True:
            applying = self._submit(store_changes, self._store, page.changes, page.cursor, account=account,
                                    snapshot_pending=snapshot if page.more else None,
                                    snapshot_done=snapshot is not None and not page.more)
            try:
                following = self._authorized(partial(self._http.pull, since=page.cursor, limit=PULL_PAGE,
                                                     snapshot=snapshot)) if page.more else None
            finally:
                touched |= applying.result().touched
            if following is None:
                return touched
            received += len(page.changes)
            if snapshot is not None:  # a new device: say how far it has got (a first sync may take a few seconds)
                self._report(True, None, first_sync_records=received)  # screens refresh at the end
            page = following

    def _prune_if_due(self) -> set[str]:
        """Hourly: local data that left this device's scope (``sync.prune``); returns the kinds removed."""
        if self._pruned_at is not None and time.monotonic() - self._pruned_at < PRUNE_EVERY_S:
            return set()
        pruned = self._db(prune_out_of_scope, self._store, datetime.now(UTC))
        self._pruned_at = time.monotonic()
        if pruned.transfers or pruned.bed_events:
            log.info("pruned %d closed transfers and %d bed changes that left this device's scope",
                     pruned.transfers, pruned.bed_events)
        return {"transfer", "booking", "handoff"} if pruned.transfers else set()

    def _keep_anchors(self) -> None:
        due = self._anchors_fetched_at is None or time.monotonic() - self._anchors_fetched_at >= ANCHORS_EVERY_S
        if not self._keep_audit_anchors or not due:
            return
        try:
            anchors = self._authorized(self._http.audit_anchors)
        except RequestRefused:  # a server without audit anchors (older): nothing to keep, sync goes on
            anchors = []
        self._db(keep_anchors, self._store, anchors)
        self._anchors_fetched_at = time.monotonic()

    def _report_failure(self, exc: Exception) -> None:
        text = f"{SYNC_FAILED}: {type(exc).__name__}: {exc}"
        try:
            self._report(False, text)
        except Exception:  # the store itself failed: say so without the counts
            log.exception("could not report the sync failure")
            self._on_status(SyncStatus(False, 0, self.last_sync, text, engine_id=id(self),
                                       server=self._http.servers.describe()))

    def _report(self, online: bool, error: str | None, touched: set[str] | None = None, *,
                sign_in_needed: bool = False, first_sync_records: int | None = None) -> None:
        pending, everyone = self._db(count_pending, self._store, self._owner_id)
        held = tuple(self._db(held_reasons, self._store))
        self._on_status(SyncStatus(online, pending, self.last_sync, error, frozenset(touched or ()), id(self),
                                   sign_in_needed, self._disabled, self._http.servers.describe(), held,
                                   first_sync_records, everyone - pending))


def revoke_session(servers: str | ServerList, refresh_token: str, ca_file: Path | None = None) -> bool:
    """Any thread but the GUI's: sign-out on the server (the session's refresh token is revoked; any of
    ``servers`` will do). Best effort: False when no server can be reached or it refuses (the token then
    lapses on its own)."""
    http = SyncHttp(servers, ca_file=ca_file)
    try:
        http.logout(refresh_token)
        return True
    except (ServerUnreachable, AuthRejected, AccountDisabled, RequestRefused):
        return False
    finally:
        http.close()
