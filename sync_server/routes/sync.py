"""Push and pull over HTTP (the live channel, which carries pushes too, is in ``routes/live``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from pydantic import AwareDatetime, BaseModel, BeforeValidator

from emsync_desktop.sync.protocol import (
    ACCOUNT_DISABLED,
    MAX_LOOKUP_DAYS,
    MAX_LOOKUP_TRANSFERS,
    MAX_PULL_LIMIT,
    PullResponse,
    PushRequest,
    PushResponse,
)
from emsync_desktop.sync.wire import MAX_WIRE_INT
from sync_server.deps import SessionsDep, SignedInUserId, account
from sync_server.feed import pull_changes, record_rows, transfers_requested
from sync_server.live import LiveHub
from sync_server.writer import AccountDisabled, UnknownUser, Writer

router = APIRouter(prefix="/sync", tags=["sync"])


@router.post("/push", response_model=PushResponse,
             responses={401: {"description": "Not signed in"}, 403: {"description": ACCOUNT_DISABLED},
                        413: {"description": "Body too large"}})
async def push(body: PushRequest, user_id: SignedInUserId, request: Request) -> Response:
    """Apply ops in the order given and answer each; each op is all or nothing (``Writer.apply_push``)."""
    writer: Writer = request.app.state.writer
    try:
        results, cursor = await writer.apply_push(user_id, body.ops, body.answered_through)
    except UnknownUser as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "This account no longer exists.") from exc
    except AccountDisabled as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, ACCOUNT_DISABLED) from exc
    hub: LiveHub = request.app.state.live
    hub.notify(cursor)
    return _json(PushResponse(results=results, cursor=cursor))


_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def _time_text(value: object) -> object:
    """``as_of`` only as a date-time text (pydantic would also take a number, as seconds since 1970)."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ].+", value):
        raise ValueError("as_of must be an ISO 8601 time with its offset, e.g. 2026-12-05T08:00:00+00:00")
    return value


def _json(model: BaseModel) -> Response:
    """The model as JSON, serialized once: FastAPI would dump, re-validate and dump it again (1.25 ms
    for 200 answers, measured). Routes still declare their model for the OpenAPI document."""
    return Response(model.model_dump_json(), media_type="application/json")


@router.get("/pull", response_model=PullResponse, responses={401: {"description": "Not signed in"},
                                                              403: {"description": ACCOUNT_DISABLED}})
def pull(user_id: SignedInUserId, sessions: SessionsDep,
         since: Annotated[int, Query(ge=0, le=MAX_WIRE_INT)] = 0,
         limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = 500, snapshot: bool = False,
         as_of: Annotated[AwareDatetime | None, BeforeValidator(_time_text)] = None,
         feed: Annotated[int, Query(ge=1, le=MAX_WIRE_INT)] = 1) -> Response:
    """Changes after ``since`` that this user may see, oldest first. ``snapshot``: a new device's first sync,
    every page of it: the newest version of each record in scope, recent or still open (``feed``), as of
    ``as_of`` (when the device began it; default now). ``feed``: the feed generation the client reads
    (``FEED_VERSION``; 1, an older client, is sent no kind it cannot read). (Every online client pulls when the
    live channel moves: the token is checked on the event loop, and the account and the page are read in one
    session on one pool thread.)"""
    when = max(as_of, _EARLIEST) if as_of is not None else None  # so far back is no window: from 2000 on
    with sessions() as session:
        page = pull_changes(session, account(session, user_id), since, limit, snapshot=snapshot, now=when,
                            feed_version=feed)
    return _json(page)


@router.get("/record/{entity}/{entity_id}", response_model=PullResponse,
            responses={401: {"description": "Not signed in"}, 403: {"description": ACCOUNT_DISABLED},
                       404: {"description": "No such record that this account may see"}})
def record(entity: Literal["transfer", "booking", "handoff"],
           entity_id: Annotated[str, Path(min_length=1, max_length=36)], user_id: SignedInUserId,
           sessions: SessionsDep) -> Response:
    """One record's newest version (for a transfer, with its bookings and handoffs), whatever its age: what a
    device fetches when someone opens a case that has left its scope. The cursor is not a feed position (0)."""
    with sessions() as session:
        changes = record_rows(session, account(session, user_id), entity, entity_id)
    if not any(c.entity_id == entity_id for c in changes):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such record, or this account may not see it.")
    return _json(PullResponse(changes=changes, cursor=0, more=False))


@router.get("/lookup/transfers", response_model=PullResponse,
            responses={401: {"description": "Not signed in"}, 403: {"description": ACCOUNT_DISABLED},
                       422: {"description": "A time is missing, or not an ISO 8601 time with its offset"}})
def lookup_transfers(user_id: SignedInUserId, sessions: SessionsDep,
                     start: Annotated[AwareDatetime, BeforeValidator(_time_text)],
                     end: Annotated[AwareDatetime, BeforeValidator(_time_text)]) -> Response:
    """Transfers requested from ``start`` up to ``end`` that this account may see, newest first, at most
    ``MAX_LOOKUP_TRANSFERS``, each in its newest version: a desk looking up an old case (then
    ``GET /sync/record/transfer/{id}`` for the whole of it). A span over ``MAX_LOOKUP_DAYS`` days is cut to its
    last ``MAX_LOOKUP_DAYS``; an ``end`` not after ``start`` lists nothing. ``more``: there were more than shown
    (over the count, or the span was cut)."""
    start, end = max(start, _EARLIEST), max(end, _EARLIEST)
    cut = end - start > timedelta(days=MAX_LOOKUP_DAYS)
    start = end - timedelta(days=MAX_LOOKUP_DAYS) if cut else start
    found = []
    if end > start:
        with sessions() as session:
            found = transfers_requested(session, account(session, user_id), start, end, MAX_LOOKUP_TRANSFERS + 1)
    return _json(PullResponse(changes=found[:MAX_LOOKUP_TRANSFERS], cursor=0,
                              more=cut or len(found) > MAX_LOOKUP_TRANSFERS))
