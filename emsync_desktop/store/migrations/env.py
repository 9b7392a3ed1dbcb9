"""Alembic environment: run against the connection the app hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

# Their tables are part of the metadata.
import emsync_desktop.store.models_blood
import emsync_desktop.store.models_forecast
import emsync_desktop.store.models_intake
import emsync_desktop.store.models_tasks  # noqa: F401
from emsync_desktop.store.models import Base

config = context.config
connection = config.attributes.get("connection")


def _run(conn: Connection) -> None:
    context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///emsync.db"
    with create_engine(url).connect() as conn:
        _run(conn)
        conn.commit()
