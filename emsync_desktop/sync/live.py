"""Live channel client: the server says "changes up to N" (we pull at once), and while connected the
engine pushes its ops over the same WebSocket (``push``), which the server answers with less work than
an HTTP request.

Threading: runs its own thread, which alone receives. ``on_news`` (the engine's ``nudge``) is called
from it, never the store. ``push`` may be called from one other thread at a time (the sync thread);
it sends, then waits for the receiving thread to hand it the answer. While the WebSocket is down,
``push`` raises ``LiveUnavailable`` (the engine pushes over HTTP), the engine's own polling is the
fallback for news, and this thread reconnects with backoff.

Several server addresses (``sync.servers.ServerList``, shared with ``SyncHttp``): the channel connects
to the preferred one, else the next that accepts, and the one it connects to becomes the preferred. When
an open connection drops, it reconnects to the next address first (the dropped one is tried last); a push
lost with the connection is sent again by the engine over HTTP, where its op ids make it harmless.

The access token goes in the upgrade request's ``Authorization`` header, never in the URL (servers and
proxies log URLs). The websockets library logs that request's headers and a preview of every frame (a
push carries its token) at DEBUG, so its logger here stops at INFO whatever the app's level.
"""

from __future__ import annotations

import itertools
import json
import logging
import ssl
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

from pydantic import ValidationError
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.sync.client import connect
from websockets.sync.connection import Connection

from emsync_desktop.sync.engine import Backoff, LiveUnavailable
from emsync_desktop.sync.http import READ_TIMEOUT_S, raise_for_status
from emsync_desktop.sync.protocol import (
    LIVE_CLOSE_ACCOUNT_DISABLED,
    MAX_BODY_BYTES,
    AnsweredThrough,
    LivePush,
    LivePushed,
    LiveRefused,
    Op,
    PushResponse,
)
from emsync_desktop.sync.servers import ServerList
from emsync_desktop.sync.tls import ca_file_in_use, client_ssl_context, untrusted_message

_WS_LOG = logging.getLogger("emsync_desktop.sync.live.websocket")
_WS_LOG.setLevel(logging.INFO)  # never DEBUG: headers and frame previews carry the access token


class LiveChannel:
    """Implements the engine's ``LivePusher``."""

    def __init__(self, servers: str | Sequence[str] | ServerList, token_source: Callable[[], str | None],
                 on_news: Callable[[int], None], *, ca_file: Path | None = None) -> None:
        """``servers``: the address(es) of the server, or the ``ServerList`` the engine's ``SyncHttp`` uses
        (so both talk to the same one). ``ca_file``: trust only this CA for a wss:// server's certificate
        (default ``$EMSYNC_CA_FILE``, else the system's authorities; ``sync.tls``)."""
        self.servers = servers if isinstance(servers, ServerList) else ServerList(servers)
        self._ca_file = ca_file or ca_file_in_use()
        self._ssl: ssl.SSLContext | None = None  # made on first use (wss:// only)
        self.last_error: str | None = None  # why the last connection failed, when a person should know
        self._token_source = token_source
        self._on_news = on_news
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._backoff = Backoff(base_s=0.5, cap_s=15)
        self._ws: Connection | None = None
        self._waiting: dict[int, Future[str]] = {}
        self._lock = threading.Lock()  # guards _ws and _waiting
        self._ids = itertools.count(1)
        self.connected = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="emsync-live", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def push(self, token: str, ops: list[Op], answered: AnsweredThrough | None = None,
             timeout_s: float = READ_TIMEOUT_S) -> PushResponse:
        """The server's answers to ``ops``, as ``SyncHttp.push`` gives them, with the same errors
        (``AuthRejected``, ``RequestRefused``, ``ServerUnreachable``); ``LiveUnavailable`` if the channel
        cannot carry it."""
        request_id = next(self._ids)
        answer: Future[str] = Future()
        with self._lock:
            ws = self._ws
            if ws is None:
                raise LiveUnavailable("live channel not connected")
            self._waiting[request_id] = answer
        try:
            ws.send(LivePush(request_id=request_id, token=token, ops=ops, answered_through=answered)
                    .model_dump_json(exclude_none=True))  # as SyncHttp.push: nothing a previous server refuses
            text = answer.result(timeout=timeout_s)
        except (OSError, WebSocketException, FutureTimeout) as exc:
            raise LiveUnavailable(f"live channel failed ({type(exc).__name__})") from exc
        finally:
            with self._lock:
                self._waiting.pop(request_id, None)
        return _push_response(text)

    def _run(self) -> None:
        dropped: str | None = None  # the address whose open connection dropped last: tried last
        while not self._stop.is_set():
            for url in self._round(dropped):
                token = self._token_source()
                if not token or self._stop.is_set():
                    break
                if self._listen(token, url):
                    dropped = url
                    break
            self._stop.wait(self._backoff.next_wait_s())

    def _round(self, dropped: str | None) -> list[str]:
        """The addresses to try, each once: the preferred first, ``dropped`` last."""
        order = self.servers.order()
        return [url for url in order if url != dropped] + ([dropped] if dropped in order else [])

    def _tls(self, url: str) -> ssl.SSLContext | None:
        if self._ssl is None and url.startswith("https://"):
            self._ssl = client_ssl_context(self._ca_file)
        return self._ssl

    def _listen(self, token: str, base_url: str) -> bool:
        """Listen on ``base_url`` until the connection drops or the channel stops; True if it opened."""
        opened = False
        try:
            tls = self._tls(base_url)
        except OSError as exc:  # the pinned CA file is missing or unreadable
            self.last_error = f"The CA file {self._ca_file} cannot be used ({exc})."
            return False
        try:
            with connect(_live_url(base_url), additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=3,
                         close_timeout=1, compression=None, max_size=MAX_BODY_BYTES, logger=_WS_LOG,
                         ssl=tls) as ws:
                with self._lock:
                    self._ws = ws
                opened = True
                self.servers.answered(base_url)
                self.last_error = None
                self.connected.set()
                self._backoff.reset()
                while not self._stop.is_set():
                    try:
                        message = ws.recv(timeout=1)
                    except TimeoutError:
                        continue
                    self._received(str(message))
        except ssl.SSLCertVerificationError as exc:  # retried with backoff like any failure, and said
            self.last_error = untrusted_message(base_url, self._ca_file, exc.verify_message or str(exc))
        except ConnectionClosed as closed:
            if closed.rcvd is not None and closed.rcvd.code == LIVE_CLOSE_ACCOUNT_DISABLED:
                self._on_news(-1)  # sync now: the engine's next request is refused, and it says why
        except (OSError, WebSocketException, ValueError, KeyError):
            pass
        finally:
            self.connected.clear()
            self._drop_connection()
        return opened

    def _received(self, text: str) -> None:
        message = json.loads(text)
        if "request_id" in message:  # the answer to a push: hand it to the waiting thread
            with self._lock:
                waiter = self._waiting.get(message["request_id"])
            if waiter is not None and not waiter.done():
                waiter.set_result(text)
        else:
            self._on_news(int(message["cursor"]))

    def _drop_connection(self) -> None:
        with self._lock:
            self._ws = None
            waiting, self._waiting = self._waiting, {}
        for waiter in waiting.values():
            if not waiter.done():
                waiter.set_exception(ConnectionError("live channel closed before the answer"))


def _live_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://").replace("https://", "wss://").rstrip("/") + "/sync/live"


def _push_response(text: str) -> PushResponse:
    try:
        pushed = LivePushed.model_validate_json(text)
    except ValidationError:
        refused = LiveRefused.model_validate_json(text)
        raise_for_status(refused.status, refused.detail)
        raise LiveUnavailable(f"unexpected refusal {refused.status}") from None
    return PushResponse(results=pushed.results, cursor=pushed.cursor)
