"""/health is for monitoring: it says which version and schema answer, and 503 when the database does not."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from emsync_desktop import __version__
from sync_server.deps import get_sessions
from sync_server.maintenance import migrate
from tests.sync_server.conftest import Server


def test_health_names_the_version_schema_and_cursor(server: Server) -> None:
    body = server.client.get("/health").json()
    head = migrate(server.settings.db_url)  # already at the newest: says which that is
    assert (body["status"], body["version"], body["schema"]) == ("ok", __version__, head)


def test_health_is_503_when_the_database_does_not_answer(server: Server) -> None:
    unreachable = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    server.client.app.dependency_overrides[get_sessions] = lambda: sessionmaker(unreachable)  # type: ignore[attr-defined]
    try:
        response = server.client.get("/health")
    finally:
        server.client.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    assert response.status_code == 503 and response.json()["status"] == "down"
