"""Live notifications: "changes up to N" to every connected client.

Threading: ``notify`` may be called from request worker threads; it hands the
cursor to the event loop with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio


class LiveHub:
    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[int]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def subscribe(self) -> asyncio.Queue[int]:
        queue: asyncio.Queue[int] = asyncio.Queue(maxsize=1)
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[int]) -> None:
        self._queues.discard(queue)

    def notify(self, cursor: int) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._publish, cursor)

    def _publish(self, cursor: int) -> None:
        for queue in list(self._queues):
            if queue.full():  # only the newest cursor matters
                queue.get_nowait()
            queue.put_nowait(cursor)
