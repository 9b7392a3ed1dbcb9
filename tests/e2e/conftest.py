"""A real sync server process per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from tests.e2e.server_process import ServerProcess, running_server
from tests.sync_server.conftest import throwaway_schema

StartServer = Callable[[], AbstractContextManager[ServerProcess]]


@pytest.fixture(params=["sqlite", "postgresql"])
def server_db_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    if request.param == "sqlite":
        yield None  # the server's own SQLite file in its data dir
        return
    with throwaway_schema(request.getfixturevalue("pg_url"), "e") as url:
        yield url


@pytest.fixture
def start_server(tmp_path: Path, server_db_url: str | None) -> StartServer:
    """Starts (or restarts, same data and port) the server; use as a context manager."""
    data_dir = tmp_path / "server"
    data_dir.mkdir()
    port: list[int] = []

    def start() -> AbstractContextManager[ServerProcess]:
        return running_server(data_dir, server_db_url, port=port)

    return start


@pytest.fixture
def server(start_server: StartServer) -> Iterator[ServerProcess]:
    with start_server() as proc:
        yield proc
