"""Push, pull and the live channel."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, WebSocket, WebSocketDisconnect, status
from pydantic import BaseModel

from emsync_desktop.sync.protocol import (
    MAX_INT64,
    MAX_PULL_LIMIT,
    OpResult,
    PullResponse,
    PushRequest,
    PushResponse,
)
from sync_server.deps import SessionsDep, SignedInUserId, account
from sync_server.feed import current_seq, pull_changes
from sync_server.live import LiveHub
from sync_server.tokens import TokenError, verify_token
from sync_server.writer import BATCH_OPS, UnknownUser, Writer

router = APIRouter(prefix="/sync", tags=["sync"])


@router.post("/push", response_model=PushResponse,
             responses={401: {"description": "Not signed in"}, 413: {"description": "Body too large"}})
async def push(body: PushRequest, user_id: SignedInUserId, request: Request) -> Response:
    """Apply ops in the order given and answer each. Each op is all or nothing. The writer commits
    them ``BATCH_OPS`` at a time (sharing transactions with other pushes waiting), so a crash loses
    at most an uncommitted batch, which the client pushes again (committed answers come back as stored)."""
    writer: Writer = request.app.state.writer
    results: list[OpResult] = []
    cursor = 0
    try:
        for start in range(0, len(body.ops), BATCH_OPS):
            answers, cursor = await writer.apply(user_id, body.ops[start:start + BATCH_OPS])
            results += answers
    except UnknownUser as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "This account no longer exists.") from exc
    hub: LiveHub = request.app.state.live
    hub.notify(cursor)
    return _json(PushResponse(results=results, cursor=cursor))


def _json(model: BaseModel) -> Response:
    """The model as JSON, serialized once: FastAPI would dump, re-validate and dump it again (1.25 ms
    for 200 answers, measured). Routes still declare their model for the OpenAPI document."""
    return Response(model.model_dump_json(), media_type="application/json")


@router.get("/pull", response_model=PullResponse, responses={401: {"description": "Not signed in"}})
def pull(user_id: SignedInUserId, sessions: SessionsDep,
         since: Annotated[int, Query(ge=0, le=MAX_INT64)] = 0,
         limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = 500) -> Response:
    """Changes after ``since`` that this user may see, oldest first. (Every online client pulls when
    the live channel moves: the token is checked on the event loop, and the account and the page are
    read in one session on one pool thread.)"""
    with sessions() as session:
        page = pull_changes(session, account(session, user_id), since, limit)
    return _json(page)


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
