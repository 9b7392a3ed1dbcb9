"""Alembic environment of the sync server: runs on the connection the server hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

# Their tables are part of the metadata.
import sync_server.models_blood
import sync_server.models_forecast
import sync_server.models_tasks  # noqa: F401
from sync_server.models import Base

connection = context.config.attributes.get("connection")


def _run(conn: Connection) -> None:
    context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is None:
    raise SystemExit("run server migrations through sync_server.app.migrate(), not the alembic CLI")
_run(connection)
