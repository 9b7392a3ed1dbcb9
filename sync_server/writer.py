"""The one writer: every pushed op is applied on one thread, and pushes that arrive together share
one transaction (one commit, one fsync).

Why: with a request thread per push, 200 simultaneous bed holds queued for the database lock one by
one, each with its own transaction, session and fsync; and forty request threads fought over the GIL.
Here the event loop parses and authenticates, and one thread decides beds in arrival order.

Threading: ``apply`` is awaited on the event loop; the writer thread takes every push waiting (up to
``BATCH_OPS`` ops), applies each op all or nothing, commits once, and hands each push its answers
through ``call_soon_threadsafe``. A batch that fails as a whole (a database error, a handler breaking
its contract) is applied again one push at a time, so one bad push cannot fail the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from emsync_desktop.sync.protocol import AnsweredThrough, Op, OpResult
from sync_server.answers import raise_marks
from sync_server.feed import latest_seq
from sync_server.models import User
from sync_server.op_context import OpContext
from sync_server.ops import apply_ops, prepare, refuse_unappliable
from sync_server.rows import USERS, rows_with_ids

log = logging.getLogger("sync_server.writer")
BATCH_OPS = 200  # ops per shared transaction: a hold waits behind at most this many (38-58 ms on PostgreSQL here)


# PostgreSQL's serialization failure and deadlock: another transaction got in the way; the same data goes
# through on a retry (two processes allocating blood units to two requests in opposite orders, say).
_TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})


def _deterministic(error: BaseException) -> bool:
    """An error that would happen again on a retry of the same data (not a lost connection, not a deadlock)."""
    if isinstance(error, DBAPIError):
        state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
        return not error.connection_invalidated and state not in _TRANSIENT_SQLSTATES
    return not isinstance(error, (ConnectionError, TimeoutError))


class AccountRefused(Exception):
    """The token's account may not push (``UnknownUser`` or ``AccountDisabled``)."""


class UnknownUser(AccountRefused):
    """The token's account no longer exists."""


class AccountDisabled(AccountRefused):
    """The token's account is disabled (checked in the transaction that would apply its ops)."""


@dataclass
class _Push:
    user_id: str
    ops: list[Op]
    loop: asyncio.AbstractEventLoop
    answer: asyncio.Future[tuple[list[OpResult], int]]
    answered: AnsweredThrough | None = None

    def settle(self, result: tuple[list[OpResult], int] | None, error: BaseException | None = None) -> None:
        """Resolve the awaiting request from the writer thread (a request gone meanwhile is skipped)."""
        _settle_together([(self, result, error)])


_Settlement = tuple[_Push, tuple[list[OpResult], int] | None, BaseException | None]


def _settle_together(settlements: list[_Settlement]) -> None:
    """Resolve pushes from the writer thread with one wake-up of each event loop (not one per push)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Settlement]] = {}
    for settlement in settlements:
        by_loop.setdefault(settlement[0].loop, []).append(settlement)

    def resolve(items: list[_Settlement]) -> None:
        for push, result, error in items:
            if push.answer.done():  # the request is gone
                continue
            if error is not None:
                push.answer.set_exception(error)
            else:
                push.answer.set_result(result)  # type: ignore[arg-type]

    for loop, items in by_loop.items():
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
            loop.call_soon_threadsafe(resolve, items)


class Writer:
    """Applies pushes on its own thread, on its own database connection (kept for the writer's life, so
    statements the database and driver prepared stay prepared; replaced after a failure)."""

    def __init__(self, write_engine: Engine, hold_minutes: float) -> None:
        self._engine = write_engine
        self._hold_minutes = hold_minutes
        self._queue: queue.Queue[_Push | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._conn: Connection | None = None

    async def apply_push(self, user_id: str, ops: list[Op],
                         answered: AnsweredThrough | None = None) -> tuple[list[OpResult], int]:
        """Answers to every op of one push, in order, and the feed's cursor after them. The ops are
        applied ``BATCH_OPS`` at a time (sharing transactions with other pushes waiting), so a crash
        loses at most an uncommitted batch, which the client pushes again (committed answers come back
        as stored). ``answered``: how far the device has its answers (recorded with the first batch).
        Raises ``UnknownUser`` if the account is gone, ``AccountDisabled`` if it is disabled."""
        results: list[OpResult] = []
        cursor = 0
        for start in range(0, len(ops), BATCH_OPS):
            answers, cursor = await self.apply(user_id, ops[start:start + BATCH_OPS], answered if start == 0 else None)
            results += answers
        return results, cursor

    async def apply(self, user_id: str, ops: list[Op],
                    answered: AnsweredThrough | None = None) -> tuple[list[OpResult], int]:
        """Answers to ``ops`` (at most ``BATCH_OPS``) and the feed's cursor after them.
        Raises ``UnknownUser`` if the account is gone, ``AccountDisabled`` if it is disabled."""
        self._ensure_started()
        loop = asyncio.get_running_loop()
        push = _Push(user_id, ops, loop, loop.create_future(), answered)
        self._queue.put(push)
        return await push.answer

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
            self._thread = None
        self._drop_connection()

    def _ensure_started(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="emsync-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = self._gather(first)
            try:
                self._apply(batch)
            except Exception:  # never let the one writer die: later pushes would wait forever
                log.exception("the writer failed on a batch")
                for push in batch:
                    push.settle(None, RuntimeError("the server could not apply this push"))
            if stop:
                return

    def _gather(self, first: _Push) -> tuple[list[_Push], bool]:
        """``first`` and every push waiting behind it, up to ``BATCH_OPS`` ops in all."""
        batch, ops = [first], len(first.ops)
        while ops < BATCH_OPS:
            try:
                push = self._queue.get_nowait()
            except queue.Empty:
                break
            if push is None:
                return batch, True
            batch.append(push)
            ops += len(push.ops)
        return batch, False

    def _apply(self, batch: list[_Push]) -> None:
        try:
            outcomes = self._transaction(batch)
        except Exception as exc:  # the whole batch was rolled back
            if len(batch) > 1:
                for push in batch:
                    self._apply([push])
                return
            if len(batch[0].ops) == 1 or not _deterministic(exc):
                log.exception("a push could not be applied")
                batch[0].settle(None, exc)
                return
            try:
                answered = self._one_op_at_a_time(batch[0])
            except Exception as alone:  # the account is gone, or the database itself failed
                log.exception("a push could not be applied op by op")
                batch[0].settle(None, alone)
                return
            batch[0].settle(answered)
            return
        _settle_together([(push, None, o) if isinstance(o, AccountRefused) else (push, o, None)
                          for push, o in zip(batch, outcomes, strict=True)])

    def _one_op_at_a_time(self, push: _Push) -> tuple[list[OpResult], int]:
        """A push that failed as a whole is applied op by op, each in its own transaction; an op that fails
        even alone is answered with a stored refusal, so one poisoned op never blocks the ops behind it."""
        results: list[OpResult] = []
        cursor = 0
        for op in push.ops:
            try:
                outcome = self._transaction([_Push(push.user_id, [op], push.loop, push.answer, push.answered)])[0]
            except Exception as exc:
                if not _deterministic(exc):
                    raise
                log.exception("op %s failed alone: refused and set aside", op.op_id)
                outcome = self._refuse(push.user_id, op)
            if isinstance(outcome, AccountRefused):
                raise outcome
            results += outcome[0]
            cursor = outcome[1]
        return results, cursor

    def _refuse(self, user_id: str, op: Op) -> tuple[list[OpResult], int]:
        conn = self._connection()
        with conn.begin():
            [row] = rows_with_ids(conn, USERS, [user_id])
            result = refuse_unappliable(OpContext(conn, User(**row), datetime.now(UTC), self._hold_minutes), op)
            return [result], latest_seq(conn)

    def _transaction(self, batch: list[_Push]) -> list[tuple[list[OpResult], int] | AccountRefused]:
        for _attempt in range(3):
            conn = self._connection()
            try:
                with conn.begin():
                    return self._apply_all(conn, batch)
            except IntegrityError:
                # Another server process applied one of these ops meanwhile (PostgreSQL); nothing of
                # this batch was kept, and the retry finds the stored answer.
                continue
            except DBAPIError as exc:
                self._drop_connection()  # it may be broken: the retry (or the next batch) reconnects
                if exc.connection_invalidated:  # the database restarted or dropped us: nothing was kept
                    continue
                raise
            except Exception:
                self._drop_connection()
                raise
        raise RuntimeError("a batch of pushes could not be applied")

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = self._engine.connect()
        return self._conn

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # a broken connection may fail to close; it is discarded anyway
                conn.close()

    def _apply_all(self, conn: Connection, batch: list[_Push]) -> list[tuple[list[OpResult], int] | AccountRefused]:
        rows = rows_with_ids(conn, USERS, list({push.user_id for push in batch}))
        users = {row["id"]: User(**row) for row in rows if row["disabled_at"] is None}
        disabled = {row["id"] for row in rows if row["disabled_at"] is not None}  # read here: refused at once
        ctx: OpContext | None = None
        answers: list[list[OpResult] | AccountRefused] = []
        for push in batch:
            user = users.get(push.user_id)
            if user is None:
                answers.append(AccountDisabled() if push.user_id in disabled else UnknownUser())
                continue
            if ctx is None:
                ctx = OpContext(conn, user, datetime.now(UTC), self._hold_minutes)
                prepare(ctx, [op for p in batch if p.user_id in users for op in p.ops])
            ctx.user = user
            answers.append(apply_ops(ctx, push.ops))
        if ctx is not None:
            ctx.finish()
        raise_marks(conn, [(p.answered.device_id, p.user_id, p.answered.device_seq) for p in batch
                           if p.answered is not None and p.user_id in users], datetime.now(UTC))
        cursor = latest_seq(conn)
        return [a if isinstance(a, AccountRefused) else (a, cursor) for a in answers]
