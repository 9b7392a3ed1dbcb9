"""One writer for SQLite.

All database work runs on one dedicated thread, in submission order, so use cases
never interleave and the GUI thread never waits on disk. ``run`` is awaitable from
the asyncio (qasync) loop; ``call`` blocks and is for scripts and tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class DbRunner:
    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emsync-db")
        self.closed = False

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        return self._executor.submit(fn, *args, **kwargs)

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self.submit(fn, *args, **kwargs).result()

    def shutdown(self) -> None:
        """Finish queued work (nothing submitted is dropped), then stop the thread."""
        self.closed = True
        self._executor.shutdown(wait=True)
