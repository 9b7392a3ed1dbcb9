"""What the history benchmark and its CI-sized test measure against a running server: a first sync's pages
(bytes, rows, time) as a given account sees them."""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests

from emsync_desktop.sync.protocol import MAX_PULL_LIMIT
from tests.e2e.server_process import ServerProcess


@dataclass(frozen=True)
class FirstPull:
    rows: int
    bytes: int
    seconds: float
    pages: int


def first_pull(server: ServerProcess, username: str, *, snapshot: bool = True) -> FirstPull:
    """Every page of a first sync over HTTP, as the sync engine asks for them (``PULL_PAGE``)."""
    token = server.login(username)
    since, rows, size, pages = 0, 0, 0, 0
    start = time.perf_counter()
    with requests.Session() as http:
        while True:
            params: dict[str, object] = {"since": since, "limit": MAX_PULL_LIMIT}
            if snapshot:
                params["snapshot"] = "true"
            response = http.get(f"{server.url}/sync/pull", params=params, timeout=120,
                                headers={"Authorization": f"Bearer {token}"})
            response.raise_for_status()
            body = response.json()
            rows, size, pages = rows + len(body["changes"]), size + len(response.content), pages + 1
            since = body["cursor"]
            if not body["more"]:
                return FirstPull(rows, size, time.perf_counter() - start, pages)
