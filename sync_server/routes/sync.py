"""Push, pull and the live channel."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, WebSocket, WebSocketDisconnect
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError

from emsync_desktop.sync.protocol import (
    MAX_INT64,
    MAX_PULL_LIMIT,
    Op,
    OpResult,
    PullResponse,
    PushRequest,
    PushResponse,
)
from sync_server.deps import CurrentUser, SessionDep, SessionsDep, SettingsDep, WriteSessionsDep
from sync_server.feed import current_seq, pull_changes
from sync_server.live import LiveHub
from sync_server.models import User
from sync_server.op_context import OpContext
from sync_server.ops import apply_ops
from sync_server.tokens import TokenError, verify_token

router = APIRouter(prefix="/sync", tags=["sync"])


CHUNK_OPS = 50  # ops per transaction: one fsync per chunk, write lock held for tens of milliseconds at most


@router.post("/push", response_model=PushResponse,
             responses={401: {"description": "Not signed in"}, 413: {"description": "Body too large"}})
def push(body: PushRequest, user: CurrentUser, sessions: SessionsDep, write_sessions: WriteSessionsDep,
         settings: SettingsDep, request: Request) -> Response:
    """Apply ops in the order given and answer each. Each op is all or nothing; ops are committed in
    chunks of ``CHUNK_OPS``, so a crash loses at most an uncommitted chunk,
    which the client pushes again (answers already committed are returned as stored)."""
    results: list[OpResult] = []
    for start in range(0, len(body.ops), CHUNK_OPS):
        results += _apply_chunk(write_sessions, user, body.ops[start:start + CHUNK_OPS], settings.hold_minutes)
    with sessions() as session:
        cursor = current_seq(session)
    hub: LiveHub = request.app.state.live
    hub.notify(cursor)
    return _json(PushResponse(results=results, cursor=cursor))


def _json(model: BaseModel) -> Response:
    """The model as JSON, serialized once: FastAPI would dump, re-validate and dump it again (about
    10 ms for a push of 200 answers or a page of 1,000 changes). Routes still declare their model."""
    return Response(model.model_dump_json(), media_type="application/json")


def _apply_chunk(write_sessions: WriteSessionsDep, user: User, ops: list[Op], hold_minutes: float) -> list[OpResult]:
    for _attempt in range(3):
        try:
            with write_sessions.begin() as session:
                return apply_ops(OpContext(session.connection(), user, datetime.now(UTC), hold_minutes), ops)
        except IntegrityError:
            # An op of this chunk was applied by a concurrent request meanwhile (PostgreSQL; on SQLite
            # writers are serialized). Nothing of this chunk was kept; the retry finds its stored answer.
            continue
    raise RuntimeError("a push chunk could not be applied")


@router.get("/pull", response_model=PullResponse, responses={401: {"description": "Not signed in"}})
def pull(user: CurrentUser, session: SessionDep,
         since: Annotated[int, Query(ge=0, le=MAX_INT64)] = 0,
         limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = 500) -> Response:
    """Changes after ``since`` that this user may see, oldest first."""
    return _json(pull_changes(session, user, since, limit))


@router.websocket("/live")
async def live(websocket: WebSocket, token: str = "") -> None:
    """Sends ``{"cursor": N}`` whenever the feed moves. Pass the access token as ``?token=``."""
    settings = websocket.app.state.settings
    try:
        verify_token(settings.secret, token, kind="access", now=datetime.now(UTC))
    except TokenError:
        await websocket.close(code=4401, reason="sign in first")
        return
    await websocket.accept()
    hub: LiveHub = websocket.app.state.live
    queue = hub.subscribe()
    try:
        with websocket.app.state.sessions() as session:
            await websocket.send_json({"cursor": current_seq(session)})
        while True:
            cursor = await queue.get()
            await websocket.send_json({"cursor": cursor})
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        hub.unsubscribe(queue)
        with contextlib.suppress(RuntimeError):
            await asyncio.sleep(0)
