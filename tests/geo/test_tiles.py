"""Map tiles: the MBTiles cache, the local tile server, polite online filling (against loopback)."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import requests

from emsync_desktop.geo.tiles import USER_AGENT, MBTiles, TileFetcher, TileServer

PNG = b"\\x89PNG\\r\\n\\x1a\\n" + b"tile"


class _TileService(BaseHTTPRequestHandler):
    status: ClassVar[int] = 200
    requests: ClassVar[list[tuple[str, str, float]]] = []

    def do_GET(self) -> None:
        _TileService.requests.append((self.path, self.headers.get("User-Agent", ""), time.monotonic()))
        self.send_response(_TileService.status)
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def tile_service() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _TileService)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _TileService.status, _TileService.requests = 200, []
    yield f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png"
    server.shutdown()
    server.server_close()


def test_mbtiles_stores_rows_in_tms_order_and_survives_reopening(tmp_path: Path) -> None:
    cache = MBTiles(tmp_path / "t.mbtiles")
    cache.put(3, 5, 1, PNG)
    cache.close()
    again = MBTiles(tmp_path / "t.mbtiles")
    assert again.get(3, 5, 1) == PNG and again.get(3, 5, 6) is None and again.count() == 1
    import sqlite3

    rows = sqlite3.connect(tmp_path / "t.mbtiles").execute("SELECT tile_row FROM tiles").fetchall()
    assert rows == [(6,)]  # 2^3 - 1 - 1


def test_cached_tiles_are_served_locally_and_missing_ones_are_404(tmp_path: Path) -> None:
    server = TileServer(MBTiles(tmp_path / "t.mbtiles"), None)
    server.cache.put(12, 2916, 1911, PNG)
    try:
        hit = requests.get(server.url.format(z=12, x=2916, y=1911), timeout=5)
        miss = requests.get(server.url.format(z=12, x=2917, y=1911), timeout=5)
        bad = requests.get(server.url.format(z=99, x=0, y=0), timeout=5)
    finally:
        server.stop()
    assert (hit.status_code, hit.content, miss.status_code, bad.status_code) == (200, PNG, 404, 404)
    assert server.url.startswith("http://127.0.0.1:")


def test_missing_tiles_are_fetched_once_politely_and_kept(tmp_path: Path, tile_service: str) -> None:
    server = TileServer(MBTiles(tmp_path / "t.mbtiles"), TileFetcher(tile_service, per_s=10))
    try:
        for x in (10, 11, 12, 10):
            assert requests.get(server.url.format(z=5, x=x, y=7), timeout=5).content == PNG
    finally:
        server.stop()
    paths = [p for p, _, _ in _TileService.requests]
    assert paths == ["/5/10/7.png", "/5/11/7.png", "/5/12/7.png"]  # the repeat came from the cache
    assert all(agent == USER_AGENT for _, agent, _ in _TileService.requests)
    times = [t for _, _, t in _TileService.requests]
    assert all(later - earlier >= 0.09 for earlier, later in itertools.pairwise(times))  # ≤ 10/s
    assert server.cache.count() == 3


def test_after_a_refusal_the_service_is_left_alone_for_a_while(tile_service: str) -> None:
    _TileService.status = 429
    fetcher = TileFetcher(tile_service, per_s=100, backoff_s=60)
    assert fetcher.fetch(1, 0, 0) is None and fetcher.fetch(1, 1, 0) is None
    assert len(_TileService.requests) == 1
