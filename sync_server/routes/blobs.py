"""Files by content hash (radiographs, 12-lead ECGs): status, chunked resumable upload by the author of a
study or record entry citing the file, download by those who may see a record holding it (``blob_access``)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse

from emsync_desktop.sync.protocol import MAX_BLOB_BYTES, BlobStatus
from sync_server.blob_access import accept_chunk, may_fetch, sender_status
from sync_server.blobs import BlobRefused, BlobStore
from sync_server.config import Settings
from sync_server.deps import CurrentUser, SessionsDep

router = APIRouter(prefix="/blobs", tags=["blobs"])
Sha256Path = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="sha256 of the whole file, hex")]
_BINARY: dict[str, Any] = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


def _store(request: Request) -> BlobStore:
    store: BlobStore = request.app.state.blobs
    return store


@router.get("/{sha256}/status", responses={401: {"description": "Not signed in"}})
def blob_status(sha256: Sha256Path, user: CurrentUser, sessions: SessionsDep, request: Request) -> BlobStatus:
    """How much of the file the server has from this user (resume from ``received``), and whether they
    have sent it whole."""
    return sender_status(_store(request), sessions, user, sha256)


@router.put("/{sha256}", openapi_extra={"requestBody": {"required": True, "content": _BINARY}},
            responses={401: {"description": "Not signed in"},
                       403: {"description": "No study or record entry of this user cites the file with this size"},
                       409: {"description": "Wrong offset: resume from the server's"},
                       413: {"description": "Chunk too large, or the user's upload quota used up"},
                       422: {"description": "Bad size, or content not matching the hash"}})
async def put_chunk(sha256: Sha256Path, user: CurrentUser, request: Request,
                    offset: Annotated[int, Query(ge=0, le=MAX_BLOB_BYTES)],
                    total: Annotated[int, Query(ge=1, le=MAX_BLOB_BYTES)]) -> BlobStatus:
    """Append the request body at ``offset`` of a file of ``total`` bytes, which a study or record entry of
    this user cites. The chunk that completes the file completes it only if its sha256 matches."""
    data = await request.body()
    settings: Settings = request.app.state.settings
    try:
        return await asyncio.to_thread(  # file and database I/O, and hashing the whole file at the end
            accept_chunk, _store(request), request.app.state.sessions, request.app.state.write_sessions,
            user=user, sha256=sha256, offset=offset, total=total, data=data, quota_bytes=settings.blob_quota_bytes)
    except BlobRefused as refused:
        raise HTTPException(refused.status, detail=str(refused)) from refused


@router.get("/{sha256}", response_class=FileResponse,
            responses={200: {"content": _BINARY, "description": "The whole file"},
                       401: {"description": "Not signed in"},
                       404: {"description": "No such file for this user"}})
def get_blob(sha256: Sha256Path, user: CurrentUser, sessions: SessionsDep, request: Request) -> FileResponse:
    """The whole file, if it is complete and a study or record entry this user may see holds it."""
    store = _store(request)
    with sessions() as session:
        allowed = store.has(sha256) and may_fetch(session, user, sha256)
    if not allowed:
        raise HTTPException(404, detail="No such file, or not one of your records.")
    return FileResponse(store.path(sha256), media_type="application/octet-stream")
