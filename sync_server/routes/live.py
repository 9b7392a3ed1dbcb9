"""The live channel (``WS /sync/live``): the server says "changes up to N", and a connected device
pushes its ops over the same connection.

Why pushes go this way: per-request HTTP handling (parsing, routing, dependencies, a connection's
request cycle) cost more than deciding a bed. A device that is online keeps this connection open anyway;
its pushes get exactly the answers ``POST /sync/push`` gives (same writer, same at-most-once), and a
device without the connection pushes over HTTP.

Messages: the server sends ``LiveCursor`` when the feed moves and answers each ``LivePush`` with
``LivePushed`` or ``LiveRefused`` (the HTTP status the same push would have had). A connection's pushes
are answered in the order sent; cursor notices may come between them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy.orm import Session
from starlette.types import Message

from emsync_desktop.sync.protocol import (
    ACCOUNT_DISABLED,
    LIVE_CLOSE_ACCOUNT_DISABLED,
    LiveCursor,
    LivePushed,
    LiveRefused,
)
from sync_server.feed import current_seq
from sync_server.live import LiveHub
from sync_server.live_accounts import LiveAccounts
from sync_server.live_messages import read_push
from sync_server.models import User
from sync_server.tokens import TokenError, verify_token
from sync_server.writer import AccountDisabled, UnknownUser, Writer

router = APIRouter(prefix="/sync", tags=["sync"])
log = logging.getLogger("sync_server.live")


@router.websocket("/live")
async def live(websocket: WebSocket, token: str = "") -> None:
    """Sign in with the ``Authorization`` header (``token``: older desktops' query parameter); each push
    carries its own token too."""
    try:
        claims = verify_token(websocket.app.state.settings.secret, _bearer(websocket) or token, kind="access",
                              now=datetime.now(UTC))
    except TokenError:
        await websocket.close(code=4401, reason="sign in first")
        return
    user_id = str(claims["sub"])
    refusal = await asyncio.to_thread(_account_refusal, websocket.app.state.sessions, user_id)  # not on the loop
    if refusal is not None:
        await websocket.close(code=refusal[0], reason=refusal[1])
        return
    await websocket.accept()
    hub: LiveHub = websocket.app.state.live
    cursors = hub.subscribe()
    sending = asyncio.Lock()  # cursor notices and push answers share the connection
    device = _Told()
    forwarder = asyncio.create_task(_forward_cursors(websocket, cursors, sending, device))
    tokens = _TokenCheck(websocket.app.state.settings.secret)

    async def close_disabled() -> None:
        async with sending:  # never in the middle of an answer
            await websocket.close(code=LIVE_CLOSE_ACCOUNT_DISABLED, reason=ACCOUNT_DISABLED)

    accounts: LiveAccounts = websocket.app.state.live_accounts
    accounts.add(user_id, close_disabled)  # closed with the reason when the account is disabled
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            device.pushing = True
            answer, cursor = await _answer_safely(websocket, tokens, message)
            device.pushing = False
            async with sending:
                await websocket.send_text(answer)
                await device.answered(websocket, cursor)
    except (WebSocketDisconnect, RuntimeError):
        pass  # the device went away (or closed mid-answer); its unanswered push is sent again later
    finally:
        accounts.remove(user_id, close_disabled)
        hub.unsubscribe(cursors)
        forwarder.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await forwarder


class _Told:
    """What a device has been told, so it is sent no notice it does not need. A device whose push is
    being answered skips the round: the answer carries a cursor at least as new, and a device pulls
    after pushing. (200 holds in one instant otherwise drew a round of notices to devices still
    waiting for their answers.)"""

    def __init__(self) -> None:
        self.pushing = False
        self.told = -1  # newest cursor the device has had, in a notice or an answer
        self.skipped = -1  # newest cursor of a round skipped while pushing

    def needs(self, cursor: int) -> bool:
        if self.pushing:
            self.skipped = max(self.skipped, cursor)
            return False
        return cursor > self.told

    async def answered(self, websocket: WebSocket, cursor: int | None) -> None:
        """After a push's answer (sent under the connection's send lock): a refused push carried no
        cursor, so a round skipped meanwhile is sent now."""
        if cursor is not None:
            self.told = max(self.told, cursor)
        if self.skipped > self.told:
            self.told = self.skipped
            await websocket.send_text(LiveCursor(cursor=self.told).model_dump_json())


async def _forward_cursors(websocket: WebSocket, cursors: asyncio.Queue[int], sending: asyncio.Lock,
                           device: _Told) -> None:
    cursor = await asyncio.to_thread(_current_cursor, websocket.app.state.sessions)  # not on the event loop
    while True:
        async with sending:
            if device.needs(cursor):
                device.told = cursor
                await websocket.send_text(LiveCursor(cursor=cursor).model_dump_json())
        cursor = await cursors.get()


def _current_cursor(sessions: Callable[[], Session]) -> int:
    with sessions() as session:
        return current_seq(session)


def _account_refusal(sessions: Callable[[], Session], user_id: str) -> tuple[int, str] | None:
    """Why the account may not connect (close code and reason), or None. Checked once at connect; an open
    connection is closed by the account watcher (``live_accounts``) if its account is disabled later."""
    with sessions() as session:
        user = session.get(User, user_id)
    if user is None:
        return 4401, "This account no longer exists."
    return (LIVE_CLOSE_ACCOUNT_DISABLED, ACCOUNT_DISABLED) if user.disabled_at is not None else None


class _TokenCheck:
    """Checks each push's access token; the connection's last genuine token is remembered, so a device
    pushing again with it costs a look at its expiry, not a signature check."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        self._last: tuple[str, dict[str, Any]] | None = None

    def user_id(self, token: str) -> str:
        """The account id of a genuine, unexpired access token; raises ``TokenError``."""
        now = datetime.now(UTC)
        if self._last is not None and self._last[0] == token:
            if self._last[1]["exp"] <= now.timestamp():
                raise TokenError("token expired: sign in again")
            return str(self._last[1]["sub"])
        claims = verify_token(self._secret, token, kind="access", now=now)
        self._last = (token, claims)
        return str(claims["sub"])


def _bearer(websocket: WebSocket) -> str:
    scheme, _, credentials = websocket.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


async def _answer_safely(websocket: WebSocket, tokens: _TokenCheck, message: Message) -> tuple[str, int | None]:
    """``_answer``, or a refusal if answering failed unforeseen: the connection outlives any message."""
    try:
        return await _answer(websocket, tokens, message)
    except Exception:
        log.exception("a live message could not be answered")
        return _refused(None, 503, "The server could not answer this message now; send it again."), None


async def _answer(websocket: WebSocket, tokens: _TokenCheck, message: Message) -> tuple[str, int | None]:
    """The answer to one message: the push applied (``LivePushed``, and the cursor it carries) or why
    not (``LiveRefused``, no cursor)."""
    push = read_push(message)
    if isinstance(push, LiveRefused):
        return push.model_dump_json(), None
    try:
        user_id = tokens.user_id(push.token)
    except TokenError as exc:
        return _refused(push.request_id, 401, f"Access token refused ({exc})."), None
    app = websocket.app
    writer: Writer = app.state.writer
    try:
        results, cursor = await writer.apply_push(user_id, push.ops, push.answered_through)
    except UnknownUser:
        return _refused(push.request_id, 401, "This account no longer exists."), None
    except AccountDisabled:  # the connection itself is closed by the account watcher (live_accounts)
        return _refused(push.request_id, 403, ACCOUNT_DISABLED), None
    except Exception:  # the writer could not apply it; the device keeps the ops and sends them again
        log.exception("a live push could not be applied")
        return _refused(push.request_id, 503, "The server could not apply this push now; it is sent again."), None
    hub: LiveHub = app.state.live
    hub.notify(cursor)
    return LivePushed(request_id=push.request_id, results=results, cursor=cursor).model_dump_json(), cursor


def _refused(request_id: int | None, status: int, detail: str) -> str:
    return LiveRefused(request_id=request_id, status=status, detail=detail).model_dump_json()
