"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from emsync_desktop.sync.protocol import MAX_BODY_BYTES
from sync_server import http_errors
from sync_server.blobs import BlobStore
from sync_server.body_limit import BodyLimit
from sync_server.config import Settings, default_blob_dir
from sync_server.db import make_engine, make_sessions, make_write_engine, make_write_sessions
from sync_server.handlers.beds import expire_holds
from sync_server.live import LiveHub
from sync_server.routes import auth, blobs, health, live, sync
from sync_server.seed import ensure_system_user
from sync_server.writer import Writer

log = logging.getLogger("sync_server")
MIGRATIONS = Path(__file__).with_name("migrations")
# uvicorn settings for the live channel. A push message is bounded like a push body, but by the app,
# which refuses a larger one with a 413 and keeps the connection; uvicorn closes it (1009, message too
# big) only past LIVE_MESSAGE_MAX_BYTES, a size no device sends, where holding the message would be the
# harm. Messages are not compressed (small JSON; compressing each cost more CPU than it saved on loopback
# or LAN).
LIVE_MESSAGE_MAX_BYTES = 8 * MAX_BODY_BYTES
LIVE_CHANNEL_OPTIONS: dict[str, Any] = {"ws_max_size": LIVE_MESSAGE_MAX_BYTES, "ws_per_message_deflate": False}


def migrate(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    engine = engine or make_engine(settings.db_url)
    migrate(engine)
    sessions = make_sessions(engine)
    write_sessions = make_write_sessions(engine)
    with write_sessions.begin() as session:
        ensure_system_user(session)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.live.bind(asyncio.get_running_loop())
        _freeze_startup_objects()
        sweeper = asyncio.create_task(_sweep_expired_holds(app))
        yield
        sweeper.cancel()
        app.state.writer.stop()

    app = FastAPI(title="EMsync sync server", version="1", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.write_sessions = write_sessions
    app.state.live = LiveHub()
    app.state.writer = Writer(make_write_engine(engine), settings.hold_minutes)
    app.state.blobs = BlobStore(settings.blob_dir or default_blob_dir(settings.db_url))
    app.include_router(auth.router)
    app.include_router(blobs.router)
    app.include_router(sync.router)
    app.include_router(live.router)
    app.include_router(health.router)
    app.add_middleware(BodyLimit)
    http_errors.install(app)
    return app


def _freeze_startup_objects() -> None:
    """Leave what start-up made (modules, routes, compiled schemas: ~hundreds of thousands of objects)
    out of every later garbage collection. A full collection over them took 45–115 ms (measured),
    and stopped every request while it ran."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


async def _sweep_expired_holds(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    while True:
        await asyncio.sleep(settings.expiry_sweep_s)
        try:
            released = await asyncio.to_thread(_expire_once, app)
        except RuntimeError:  # the process is shutting down: the loop's thread pool is gone
            return
        except Exception:  # the sweeper must survive a passing database error
            log.exception("hold expiry sweep failed")
            continue
        if released:
            log.info("released %d expired bed holds", released)


def _expire_once(app: FastAPI) -> int:
    with app.state.write_sessions.begin() as session:
        released = expire_holds(session, datetime.now(UTC), ensure_system_user(session))
    if released:
        with app.state.sessions() as session:
            from sync_server.feed import current_seq

            app.state.live.notify(current_seq(session))
    return released
