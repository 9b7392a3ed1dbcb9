"""The request body limit: a body over ``MAX_BODY_BYTES`` is refused with 413, however it is sent.

A body that declares its length (``Content-Length``) over the limit is refused before a byte of it is
read. A body sent without one (``Transfer-Encoding: chunked``) is counted as it arrives: as soon as the
count passes the limit the client is answered 413, and the application is told the client went away, so
it never sees the body whole and writes nothing of it (a push applies no op, a blob chunk appends
nothing). The connection is not closed: uvicorn drops the rest of the body as it comes, and the client
reads its 413 (closing with unread bytes would reset the connection, and the client could lose the
answer and take the refusal for a network failure, to be retried).

Plain ASGI: Starlette's BaseHTTPMiddleware runs every request through extra tasks and a streaming wrapper.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emsync_desktop.sync.protocol import MAX_BODY_BYTES


def _refusal(limit: int) -> JSONResponse:
    detail = f"Request body over {limit} bytes: nothing was applied; send fewer ops per push (or smaller chunks)."
    return JSONResponse({"detail": detail}, status_code=413)


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _refusal(self.limit)(scope, receive, send)
            return
        stream = _CountedStream(self.limit, scope, receive, send)
        try:
            await self.app(scope, stream.receive, stream.send)
        except Exception:
            if not stream.refused:
                raise
            # the application failed on the body it was denied (ClientDisconnect and the like): the
            # client has its 413 already, and there is nothing to report


class _CountedStream:
    """``receive`` and ``send`` of one request, counting the body's bytes as they arrive."""

    def __init__(self, limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        self._limit, self._scope, self._receive, self._send = limit, scope, receive, send
        self._received = 0
        self._started = False
        self.refused = False

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            if self._received > self._limit:
                await self._refuse()
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return  # the application's answer to a body it never had whole: the client has its 413
        if message["type"] == "http.response.start":
            self._started = True
        await self._send(message)

    async def _refuse(self) -> None:
        self.refused = True
        if not self._started:  # (an application that answers before reading its body is told nothing)
            await _refusal(self._limit)(self._scope, self._receive, self._send)
