"""Radiograph files by content hash: status, chunked resumable upload, download (for those who may see
a study that holds the file)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse

from emsync_desktop.sync.protocol import MAX_BLOB_BYTES, BlobStatus
from sync_server.blobs import BlobRefused, BlobStore
from sync_server.deps import CurrentUser, SessionsDep
from sync_server.handlers.imaging import may_see_study

router = APIRouter(prefix="/blobs", tags=["blobs"])
Sha256Path = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="sha256 of the whole file, hex")]


def _store(request: Request) -> BlobStore:
    store: BlobStore = request.app.state.blobs
    return store


@router.get("/{sha256}/status", responses={401: {"description": "Not signed in"}})
def blob_status(sha256: Sha256Path, user: CurrentUser, request: Request) -> BlobStatus:
    """How much of the file the server has (resume from ``received``), and whether it is complete."""
    return _store(request).status(sha256)


@router.put("/{sha256}", responses={401: {"description": "Not signed in"},
                                    409: {"description": "Wrong offset: resume from the server's"},
                                    413: {"description": "Chunk too large"},
                                    422: {"description": "Bad size, or content not matching the hash"}})
async def put_chunk(sha256: Sha256Path, user: CurrentUser, request: Request,
                    offset: Annotated[int, Query(ge=0, le=MAX_BLOB_BYTES)],
                    total: Annotated[int, Query(ge=1, le=MAX_BLOB_BYTES)]) -> BlobStatus:
    """Append the request body at ``offset`` of a file of ``total`` bytes. The chunk that completes the
    file completes it only if its sha256 matches."""
    data = await request.body()
    try:
        return _store(request).append(sha256, offset, total, data)
    except BlobRefused as refused:
        raise HTTPException(refused.status, detail=str(refused)) from refused


@router.get("/{sha256}", responses={401: {"description": "Not signed in"},
                                    404: {"description": "No such file for this user"}}, response_model=None)
def get_blob(sha256: Sha256Path, user: CurrentUser, sessions: SessionsDep, request: Request) -> FileResponse:
    """The whole file, if it is complete and belongs to a study this user may see."""
    path = _store(request).path(sha256)
    with sessions() as session:
        allowed = path.exists() and may_see_study(session, user, sha256)
    if not allowed:
        raise HTTPException(404, detail="No such file, or not one of your studies.")
    return FileResponse(path, media_type="application/octet-stream")
