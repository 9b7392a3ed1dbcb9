"""Every online client pulls as soon as the live channel says there is news: far more requests at once
than the server has request threads (40) or database connections (60) must all be answered."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.server_process import ServerProcess

READERS = 200


@pytest.mark.slow
def test_two_hundred_clients_reading_at_once_are_all_answered(server: ServerProcess) -> None:
    """Routes used to read through a session dependency held until the response was sent; under this
    load every pool thread then waited for a connection held by a finished request, for the pool
    timeout (30 s), and answered 500. Seen with uvicorn's pure-Python HTTP parser (h11); the faster
    httptools parser mostly hides it, so this test guards the fix rather than always reproducing it."""
    http = requests.Session()
    together = threading.Barrier(READERS)

    def read(_i: int) -> int:
        together.wait()
        return http.get(f"{server.url}/health", timeout=20).status_code

    with ThreadPoolExecutor(max_workers=READERS) as pool:
        statuses = list(pool.map(read, range(READERS)))
    assert statuses == [200] * READERS
