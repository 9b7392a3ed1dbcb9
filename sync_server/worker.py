"""A worker process of ``emsync-server --workers N`` (uvicorn's process manager imports this): the same app
as a single server, built from the arguments the server was started with. The parent process has already
migrated the database and seeded it (``--demo``); workers share the port, the data dir's keys and the
PostgreSQL database, and coordinate through it (``sync_server.cluster``)."""

from __future__ import annotations

from fastapi import FastAPI

from sync_server.__main__ import settings_from_args, worker_args
from sync_server.app import create_app
from sync_server.logging_config import configure_logging


def app_from_environment() -> FastAPI:
    args = worker_args()
    configure_logging(args.log_format)
    return create_app(settings_from_args(args))
