"""Live channel client: the server says "changes up to N", we pull at once.

Threading: runs on its own thread; it only calls ``on_news`` (the engine's
``nudge``), never the store. While the WebSocket is down the engine's own polling
(every few seconds) is the fallback, and this thread reconnects with backoff.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from websockets.exceptions import WebSocketException
from websockets.sync.client import connect

from emsync_desktop.sync.engine import Backoff


class LiveListener:
    def __init__(self, base_url: str, token_source: Callable[[], str | None], on_news: Callable[[int], None]) -> None:
        self._url = base_url.replace("http://", "ws://").replace("https://", "wss://").rstrip("/") + "/sync/live"
        self._token_source = token_source
        self._on_news = on_news
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._backoff = Backoff(base_s=0.5, cap_s=15)
        self.connected = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="emsync-live", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            token = self._token_source()
            if token:
                self._listen(token)
            self._stop.wait(self._backoff.next_wait_s())

    def _listen(self, token: str) -> None:
        try:
            with connect(f"{self._url}?token={token}", open_timeout=3, close_timeout=1) as ws:
                self.connected.set()
                self._backoff.reset()
                while not self._stop.is_set():
                    try:
                        message = ws.recv(timeout=1)
                    except TimeoutError:
                        continue
                    self._on_news(int(json.loads(message)["cursor"]))
        except (OSError, WebSocketException, ValueError, KeyError):
            pass
        finally:
            self.connected.clear()
