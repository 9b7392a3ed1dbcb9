"""Several server processes on one PostgreSQL: live notices across them, and one leader for the periodic
jobs. On SQLite there is one process, which is always the leader and needs no broadcast.

- ``FeedBroadcast``: a process that appended to the change feed says so on the PostgreSQL channel
  ``emsync_feed_<schema hash>`` (``pg_notify``, payload the new cursor); every process LISTENs and hands what it hears
  to its own ``LiveHub``, which tells its connected devices to pull. So a device connected to process B
  hears of a change applied by process A within a round trip of the database. Each side has its own
  connection and thread: publishing never blocks the event loop (only the newest cursor waits to be
  sent), and a lost connection is re-made with backoff, after which the current feed head is announced
  (notices sent while it was away are not replayed by PostgreSQL).
- ``Leadership``: the process holding the session advisory lock ``LEADER_LOCK_KEY`` on its own
  connection runs the cluster's periodic jobs (hold expiry, audit anchoring). The others try to take it
  every ``retry_s``. PostgreSQL releases the lock when the leader's session ends (process killed,
  host gone, connection cut), so another process takes over within ``retry_s`` of the database noticing.
  A leader whose connection fails stops leading at once (it can no longer know it holds the lock).

Threading: both run daemon threads; ``publish`` and ``is_leader`` may be called from any thread.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from typing import Any

CHANNEL = "emsync_feed"
LEADER_LOCK_KEY = 0x454D53594E44  # "EMSYND": one leader per database (and schema: ``scoped``)
RECONNECT_MAX_S = 5.0

log = logging.getLogger("sync_server.cluster")


def scoped(conn: Any) -> tuple[str, int]:
    """The channel name and leader lock key of the schema this connection uses. Channels and advisory
    locks are database-wide, so two installations in two schemas of one database (or tests) keep apart."""
    schema = str(conn.execute("SELECT current_schema()").fetchone()[0])
    digest = int(hashlib.sha256(schema.encode()).hexdigest()[:10], 16)
    return f"{CHANNEL}_{digest:x}", LEADER_LOCK_KEY ^ digest


def psycopg_conninfo(db_url: str) -> str:
    """A SQLAlchemy URL (postgresql:// or postgresql+psycopg://) as psycopg's connection string."""
    return "postgresql://" + db_url.split("://", 1)[1]


class FeedBroadcast:
    def __init__(self, db_url: str, heard: Callable[[int], None], current_cursor: Callable[[], int]) -> None:
        """``heard(cursor)``: called on the listener thread for every cursor announced by any process (this
        one included); ``current_cursor()``: the feed head, announced after a reconnection."""
        self._conninfo = psycopg_conninfo(db_url)
        self._heard = heard
        self._current_cursor = current_cursor
        self._stop = threading.Event()
        self._pending: int | None = None
        self._wake = threading.Condition()
        self._threads = [threading.Thread(target=self._listen, name="feed-listen", daemon=True),
                         threading.Thread(target=self._publish_loop, name="feed-publish", daemon=True)]
        self.listening = threading.Event()  # set once LISTEN is in place (tests wait for it)

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._wake:
            self._wake.notify_all()

    def publish(self, cursor: int) -> None:
        """Announce ``cursor`` to every process; returns at once (only the newest waits to be sent)."""
        with self._wake:
            if self._pending is None or cursor > self._pending:
                self._pending = cursor
            self._wake.notify()

    def _listen(self) -> None:
        _keep_connected(self._conninfo, self._stop, "feed listener", self._listen_on)

    def _listen_on(self, conn: Any) -> None:
        conn.execute(f"LISTEN {scoped(conn)[0]}")
        self.listening.set()
        self._heard(self._current_cursor())  # what was announced while this connection was away
        while not self._stop.is_set():
            for notice in conn.notifies(timeout=1.0):
                self._heard(int(notice.payload))

    def _publish_loop(self) -> None:
        _keep_connected(self._conninfo, self._stop, "feed publisher", self._publish_on)

    def _publish_on(self, conn: Any) -> None:
        channel = scoped(conn)[0]
        while not self._stop.is_set():
            with self._wake:
                while self._pending is None and not self._stop.is_set():
                    self._wake.wait(1.0)
                cursor, self._pending = self._pending, None
            if cursor is not None:
                try:
                    conn.execute("SELECT pg_notify(%s, %s)", (channel, str(cursor)))
                except Exception:
                    self.publish(cursor)  # sent again on the next connection
                    raise


class Leadership:
    """Whether this process runs the cluster's periodic jobs: it holds a PostgreSQL session advisory lock.

    ``start``/``stop`` may be called again (a test client enters an app's lifespan more than once): each
    start runs a new thread with its own stop flag, so a stopping thread never outlives its flag's reset."""

    def __init__(self, db_url: str | None, retry_s: float = 2.0) -> None:
        """``db_url`` None (SQLite: one process): always the leader."""
        self._conninfo = psycopg_conninfo(db_url) if db_url else None
        self._retry_s = retry_s
        self._leader = threading.Event()
        self._stop = threading.Event()
        if self._conninfo is None:
            self._leader.set()

    @property
    def is_leader(self) -> bool:
        return self._leader.is_set()

    def start(self) -> None:
        if self._conninfo is not None:
            self._stop = threading.Event()
            self._leader.clear()  # leads again only once this run holds the lock
            threading.Thread(target=self._run, args=(self._stop,), name="leadership", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self, stop: threading.Event) -> None:
        assert self._conninfo is not None
        _keep_connected(self._conninfo, stop, "leadership", lambda conn: self._lead_on(conn, stop),
                        on_lost=self._lost)

    def _lead_on(self, conn: Any, stop: threading.Event) -> None:
        key = scoped(conn)[1]
        while not stop.is_set():
            if self._leader.is_set():
                conn.execute("SELECT 1")  # still connected, so still holding the session lock
            elif conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone() == (True,):
                self._leader.set()
                log.info("this process now runs the cluster's periodic jobs (hold expiry, audit anchors)")
            stop.wait(self._retry_s)

    def _lost(self) -> None:
        if self._leader.is_set():
            log.warning("this process stopped running the cluster's periodic jobs (its database session ended)")
        self._leader.clear()


def _keep_connected(conninfo: str, stop: threading.Event, what: str, work: Callable[[Any], None],
                    on_lost: Callable[[], None] = lambda: None) -> None:
    """Run ``work(connection)`` on an autocommit connection until ``stop``; when the connection fails, say
    so, call ``on_lost``, wait (growing pauses up to ``RECONNECT_MAX_S``) and do it again on a new one."""
    import psycopg

    pause_s = 0.2
    while not stop.is_set():
        try:
            with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
                pause_s = 0.2
                work(conn)
        except psycopg.Error as exc:
            log.warning("%s lost its database connection (%s); trying again in %.1f s", what, exc, pause_s)
        on_lost()
        if stop.wait(pause_s):
            return
        pause_s = min(pause_s * 2, RECONNECT_MAX_S)
