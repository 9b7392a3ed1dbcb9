"""Open live connections by account, so that a disabled account's connections are closed, with a reason.

Requests check the account on each call (``deps.account``, the writer); a live connection that only
listens makes no call, so ``watch_disabled_accounts`` asks the database every ``Settings.account_watch_s``
which connected accounts are disabled (one small query, only while connections are open). That also
catches accounts disabled by another process: the ``--disable-user`` command or another server.

Threading: event loop only (``close_accounts`` may be called from a request thread through anyio).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sync_server.models import User

log = logging.getLogger("sync_server.live")
Closer = Callable[[], Awaitable[None]]


class LiveAccounts:
    def __init__(self) -> None:
        self._closers: dict[str, set[Closer]] = {}

    def add(self, user_id: str, close: Closer) -> None:
        self._closers.setdefault(user_id, set()).add(close)

    def remove(self, user_id: str, close: Closer) -> None:
        closers = self._closers.get(user_id)
        if closers is not None:
            closers.discard(close)
            if not closers:
                del self._closers[user_id]

    def user_ids(self) -> list[str]:
        return list(self._closers)

    async def close_accounts(self, user_ids: Iterable[str]) -> int:
        """Close every open connection of these accounts; how many were closed."""
        closers = [close for user_id in user_ids for close in list(self._closers.get(user_id, ()))]
        for close in closers:
            try:
                await close()
            except Exception:  # a connection that went away meanwhile
                log.debug("closing a live connection failed", exc_info=True)
        return len(closers)


def disabled_account_ids(sessions: sessionmaker[Session]) -> set[str]:
    """Every disabled account (few: accounts are disabled one by one, by an administrator)."""
    with sessions() as session:
        return set(session.scalars(select(User.id).where(User.disabled_at.is_not(None))))


async def watch_disabled_accounts(app: Any) -> None:
    """Close the live connections of accounts disabled meanwhile, every ``account_watch_s``."""
    accounts: LiveAccounts = app.state.live_accounts
    while True:
        await asyncio.sleep(app.state.settings.account_watch_s)
        connected = accounts.user_ids()
        if not connected:
            continue
        try:
            disabled = await asyncio.to_thread(disabled_account_ids, app.state.sessions)
        except RuntimeError:  # the process is shutting down: the loop's thread pool is gone
            return
        except Exception:  # a passing database error: try again next time
            log.exception("checking live connections for disabled accounts failed")
            continue
        closed = await accounts.close_accounts(disabled.intersection(connected))
        if closed:
            log.info("closed %d live connections of disabled accounts", closed)
