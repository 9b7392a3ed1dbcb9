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
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from emsync_desktop.sync.protocol import MAX_BODY_BYTES
from sync_server.blobs import BlobStore
from sync_server.config import Settings, default_blob_dir
from sync_server.db import make_engine, make_sessions, make_write_engine, make_write_sessions
from sync_server.handlers.beds import expire_holds
from sync_server.live import LiveHub
from sync_server.live_accounts import LiveAccounts, watch_disabled_accounts
from sync_server.login_throttle import PasswordCheckSlots, forget_stale_sign_ins
from sync_server.routes import admin, auth, blobs, health, live, sync
from sync_server.seed import ensure_system_user
from sync_server.writer import Writer

log = logging.getLogger("sync_server")
MIGRATIONS = Path(__file__).with_name("migrations")
# uvicorn settings for the live channel: a push message is bounded like a push body (a larger one
# closes the connection with 1009 and the device pushes over HTTP, which answers 413), and messages are
# not compressed (small JSON; compressing each cost more CPU than it saved on loopback or LAN).
LIVE_CHANNEL_OPTIONS: dict[str, Any] = {"ws_max_size": MAX_BODY_BYTES, "ws_per_message_deflate": False}


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
        watcher = asyncio.create_task(watch_disabled_accounts(app))
        yield
        sweeper.cancel()
        watcher.cancel()
        app.state.writer.stop()

    app = FastAPI(title="EMsync sync server", version="1", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.write_sessions = write_sessions
    app.state.live = LiveHub()
    app.state.live_accounts = LiveAccounts()
    app.state.password_checks = PasswordCheckSlots(settings.password_checks)
    app.state.writer = Writer(make_write_engine(engine), settings.hold_minutes)
    app.state.blobs = BlobStore(settings.blob_dir or default_blob_dir(settings.db_url))
    app.include_router(auth.router)
    app.include_router(admin.router)
    app.include_router(blobs.router)
    app.include_router(sync.router)
    app.include_router(live.router)
    app.include_router(health.router)
    app.add_middleware(_BodyLimit)
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    return app


def _freeze_startup_objects() -> None:
    """Leave what start-up made (modules, routes, compiled schemas: ~hundreds of thousands of objects)
    out of every later garbage collection. A full collection over them took 45–115 ms (measured),
    and stopped every request while it ran."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)


class _BodyLimit:
    """Refuses a body declared over ``MAX_BODY_BYTES`` before reading it. Plain ASGI: Starlette's
    BaseHTTPMiddleware runs every request through extra tasks and a streaming wrapper."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = dict(scope["headers"]).get(b"content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
                detail = f"Request body over {MAX_BODY_BYTES} bytes: send fewer ops per push."
                refusal = JSONResponse({"detail": detail}, status_code=413)
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]]
    return JSONResponse({"detail": "Request refused, nothing was applied. " + "; ".join(problems)},
                        status_code=422)


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
        forget_stale_sign_ins(session, app.state.settings)
    if released:
        with app.state.sessions() as session:
            from sync_server.feed import current_seq

            app.state.live.notify(current_seq(session))
    return released
