"""Live notifications: "changes up to N" to every connected client.

Threading: ``notify`` and ``notify_peer`` may be called from any thread; they hand the cursor to the event
loop with ``call_soon_threadsafe``.

Across processes (several servers on one PostgreSQL, ``cluster.FeedBroadcast``): ``notify`` is for changes
this process applied, and also hands the cursor to ``publish`` (set by the app) for the other processes;
``notify_peer`` is for cursors heard from the database channel (any process's), never published again.

Rounds: every connected device pulls when told, so notices go out in rounds, at most one round
every ``ROUND_INTERVAL_S``. A change after a quiet spell is announced at once; changes during a
round's interval are announced together at its end. (200 holds in one instant were 200 pushes and
some 1,600 notices, sent while the holds waited for their answers; now two or three rounds.) Pushes
that share a writer transaction report the same cursor, and a cursor already announced is not sent again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

ROUND_INTERVAL_S = 0.05  # well under the 1 s a change may take to reach another online client


class LiveHub:
    def __init__(self, round_interval_s: float = ROUND_INTERVAL_S) -> None:
        self._queues: set[asyncio.Queue[int]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._interval_s = round_interval_s
        self._latest = -1  # the newest cursor heard of
        self._announced = -1  # the newest cursor sent in a round
        self._last_round = float("-inf")  # loop time of the last round
        self._next_round: asyncio.TimerHandle | None = None
        self.publish: Callable[[int], None] | None = None  # tells the other server processes (PostgreSQL)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def subscribe(self) -> asyncio.Queue[int]:
        queue: asyncio.Queue[int] = asyncio.Queue(maxsize=1)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[int]) -> None:
        self._queues.discard(queue)

    def notify(self, cursor: int) -> None:
        """A change this process applied: its devices are told, and (with ``publish``) the other processes."""
        if self.publish is not None:
            self.publish(cursor)
        self.notify_peer(cursor)

    def notify_peer(self, cursor: int) -> None:
        """A cursor heard from any process: this process's devices are told."""
        if self._loop is None or self._loop.is_closed():
            return
        try:
            on_loop = asyncio.get_running_loop() is self._loop
        except RuntimeError:
            on_loop = False
        if on_loop:  # a push route: no need to wake the loop through its self-pipe
            self._heard(cursor)
        else:
            self._loop.call_soon_threadsafe(self._heard, cursor)

    def _heard(self, cursor: int) -> None:
        if cursor <= self._latest:  # the feed only moves forward: nothing new to say
            return
        self._latest = cursor
        if self._next_round is not None:  # announced with the round already due
            return
        assert self._loop is not None
        wait_s = self._last_round + self._interval_s - self._loop.time()
        if wait_s <= 0:
            self._round()
        else:
            self._next_round = self._loop.call_later(wait_s, self._round)

    def _round(self) -> None:
        assert self._loop is not None
        self._next_round = None
        self._last_round = self._loop.time()
        if self._latest <= self._announced:
            return
        self._announced = self._latest
        for queue in list(self._queues):
            if queue.full():  # only the newest cursor matters
                queue.get_nowait()
            queue.put_nowait(self._latest)
