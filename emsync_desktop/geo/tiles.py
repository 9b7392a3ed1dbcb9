"""Map tiles: cached in an MBTiles file while online, served to the map page from this machine.

``TileServer`` listens on 127.0.0.1 only. A tile found in the cache is served from it; a missing one is
fetched from the tile service (when one is configured and reachable), stored, then served; otherwise
the page gets 404 and shows its vector basemap there. Fetching is polite: an honest User-Agent, one
request at a time at most ``FETCH_PER_S`` per second, and after a failure no request for
``OFFLINE_BACKOFF_S`` (no hammering a service we cannot reach). Tiles are fetched only as the map is
viewed, never in bulk (the OpenStreetMap tile usage policy forbids bulk downloads).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

TILE_URL_ENV = "EMSYNC_TILE_URL"  # e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; unset: cache only
USER_AGENT = "EMsync-Desktop/0.1 (offline-first ambulance coordination; tiles cached for offline use)"
FETCH_PER_S = 2.0
OFFLINE_BACKOFF_S = 60.0
MAX_ZOOM = 19


class MBTiles:
    """A tile cache in the MBTiles 1.3 layout (rows in TMS order). Safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS metadata (name TEXT PRIMARY KEY, value TEXT)")
            self._db.execute("CREATE TABLE IF NOT EXISTS tiles (zoom_level INTEGER, tile_column INTEGER, "
                             "tile_row INTEGER, tile_data BLOB, PRIMARY KEY (zoom_level, tile_column, tile_row))")
            self._db.execute("INSERT OR IGNORE INTO metadata VALUES ('name', 'EMsync tile cache'), "
                             "('format', 'png'), ('attribution', '© OpenStreetMap contributors')")

    def get(self, z: int, x: int, y: int) -> bytes | None:
        with self._lock:
            row = self._db.execute("SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                                   (z, x, _tms_row(z, y))).fetchone()
        return bytes(row[0]) if row else None

    def put(self, z: int, x: int, y: int, data: bytes) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO tiles VALUES (?, ?, ?, ?)", (z, x, _tms_row(z, y), data))

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM tiles").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _tms_row(z: int, y: int) -> int:
    return (1 << z) - 1 - y


class TileFetcher:
    """Fetches one tile at a time from ``url_template``, politely (see the module docstring)."""

    def __init__(self, url_template: str, per_s: float = FETCH_PER_S, backoff_s: float = OFFLINE_BACKOFF_S,
                 timeout_s: tuple[float, float] = (2.0, 5.0), clock: Callable[[], float] = time.monotonic) -> None:
        self._url = url_template
        self._interval = 1.0 / per_s
        self._backoff = backoff_s
        self._timeout = timeout_s
        self._clock = clock
        self._lock = threading.Lock()
        self._next_at = 0.0
        self._offline_until = 0.0
        self._http = requests.Session()
        self._http.headers["User-Agent"] = USER_AGENT

    def fetch(self, z: int, x: int, y: int) -> bytes | None:
        with self._lock:  # one request at a time, spaced
            now = self._clock()
            if now < self._offline_until:
                return None
            if now < self._next_at:
                time.sleep(self._next_at - now)
            self._next_at = max(now, self._next_at) + self._interval
            try:
                response = self._http.get(self._url.format(z=z, x=x, y=y), timeout=self._timeout)
            except requests.RequestException:
                self._offline_until = self._clock() + self._backoff
                return None
            if response.status_code == 429 or response.status_code >= 500:
                self._offline_until = self._clock() + self._backoff
                return None
            return response.content if response.status_code == 200 and response.content else None


class TileServer:
    """Serves ``/tiles/{z}/{x}/{y}.png`` on 127.0.0.1 from the cache, filling it while online."""

    def __init__(self, cache: MBTiles, fetcher: TileFetcher | None) -> None:
        self.cache = cache
        self.fetcher = fetcher
        handler = _handler_for(self)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_port}/tiles/{{z}}/{{x}}/{{y}}.png"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="emsync-tiles", daemon=True)
        self._thread.start()

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        data = self.cache.get(z, x, y)
        if data is None and self.fetcher is not None:
            data = self.fetcher.fetch(z, x, y)
            if data is not None:
                self.cache.put(z, x, y, data)
        return data

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler_for(server: TileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = self.path.split("?")[0].strip("/").split("/")
            try:
                z, x, y = int(parts[1]), int(parts[2]), int(parts[3].removesuffix(".png"))
                valid = parts[0] == "tiles" and 0 <= z <= MAX_ZOOM and 0 <= x < (1 << z) and 0 <= y < (1 << z)
            except (IndexError, ValueError):
                valid = False
            data = server.tile(z, x, y) if valid else None
            if data is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            pass

    return Handler


_servers: dict[Path, TileServer] = {}
_servers_lock = threading.Lock()


def tile_server_for(data_dir: Path) -> TileServer:
    """One server per data dir for the app's lifetime. Tiles are fetched online only from the tile service
    a deployment names in ``$EMSYNC_TILE_URL``; without it the cache (e.g. an MBTiles file an admin put in
    the data dir) is served as it is."""
    with _servers_lock:
        if data_dir not in _servers:
            url = os.environ.get(TILE_URL_ENV, "").strip()
            _servers[data_dir] = TileServer(MBTiles(data_dir / "tiles.mbtiles"), TileFetcher(url) if url else None)
        return _servers[data_dir]
