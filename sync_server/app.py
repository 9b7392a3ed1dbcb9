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
from sync_server.audit import bind_audit_key
from sync_server.audit_anchors import AnchorBook
from sync_server.audit_keeper import AuditKeeper
from sync_server.blobs import BlobStore
from sync_server.body_limit import BodyLimit
from sync_server.cluster import FeedBroadcast, Leadership
from sync_server.config import Settings, default_anchor_file, default_blob_dir
from sync_server.db import is_sqlite, make_engine, make_sessions, make_write_engine, make_write_sessions
from sync_server.handlers.beds import expire_holds
from sync_server.handlers.ward_tasks import task_unread_handoffs
from sync_server.live import LiveHub
from sync_server.live_accounts import LiveAccounts, watch_disabled_accounts
from sync_server.login_throttle import PasswordCheckSlots, forget_stale_sign_ins
from sync_server.routes import admin, audit, auth, blobs, health, interop, live, sync
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
    """The app, its database migrated and its audit chain checked (a broken chain is logged as an error;
    with ``settings.require_valid_audit`` it raises ``AuditChainBroken``)."""
    engine = engine or make_engine(settings.db_url)
    migrate(engine)
    audit_key = settings.chain_key()
    bind_audit_key(engine, audit_key)  # before any engine is derived from it: they copy its options
    sessions = make_sessions(engine)
    write_sessions = make_write_sessions(engine)
    with write_sessions.begin() as session:
        system_user_id = ensure_system_user(session).id
    anchors = AnchorBook(settings.audit_anchor_file or default_anchor_file(settings.db_url))
    keeper = AuditKeeper(engine, make_write_engine(engine), audit_key, anchors, every_s=settings.audit_anchor_every_s,
                         every_events=settings.audit_anchor_every_events)
    keeper.start_up(system_user_id, require_valid=settings.require_valid_audit)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.live.bind(asyncio.get_running_loop())
        _freeze_startup_objects()
        broadcast = _feed_broadcast(app)
        app.state.leadership.start()
        sweeper = asyncio.create_task(_sweep_expired_holds(app))
        anchoring = asyncio.create_task(_anchor_periodically(keeper, settings, app.state.leadership))
        watcher = asyncio.create_task(watch_disabled_accounts(app))
        upkeep = asyncio.create_task(_keep_up_periodically(app))
        forecasting = asyncio.create_task(_forecast_periodically(app))
        yield
        forecasting.cancel()
        upkeep.cancel()
        if broadcast is not None:
            broadcast.stop()
        app.state.leadership.stop()
        sweeper.cancel()
        anchoring.cancel()
        watcher.cancel()
        app.state.writer.stop()
        await asyncio.to_thread(_anchor_at_exit, keeper)

    app = FastAPI(title="EMsync sync server", version="1", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.write_sessions = write_sessions
    app.state.audit = keeper
    app.state.live = LiveHub()
    app.state.leadership = Leadership(_postgresql_url(engine))
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
    app.include_router(audit.router)
    app.include_router(interop.router)
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


def _postgresql_url(engine: Engine) -> str | None:
    """The database's URL when several processes may share it (PostgreSQL); None on SQLite."""
    return None if is_sqlite(engine) else engine.url.render_as_string(hide_password=False)


def _feed_broadcast(app: FastAPI) -> FeedBroadcast | None:
    """On PostgreSQL: live notices to and from the other server processes on the same database."""
    url = _postgresql_url(app.state.engine)
    if url is None:
        return None
    hub: LiveHub = app.state.live

    def feed_head() -> int:
        from sync_server.feed import current_seq

        with app.state.sessions() as session:
            return current_seq(session)

    broadcast = FeedBroadcast(url, hub.notify_peer, feed_head)
    hub.publish = broadcast.publish
    broadcast.start()
    return broadcast


async def _sweep_expired_holds(app: FastAPI) -> None:
    """Hold expiry and unread handoffs' tasks, by the cluster's leader only (``cluster.Leadership``; on SQLite the
    one process)."""
    settings: Settings = app.state.settings
    while True:
        await asyncio.sleep(settings.expiry_sweep_s)
        if not app.state.leadership.is_leader:
            continue
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
        now, system = datetime.now(UTC), ensure_system_user(session)
        released = expire_holds(session, now, system)
        tasked = task_unread_handoffs(session, now, system)
        forget_stale_sign_ins(session, app.state.settings)
    if released or tasked:
        _notify_head(app)
    return released


def _notify_head(app: FastAPI) -> None:
    """Tell connected devices (here and, through the broadcast, in the cluster) that the feed moved."""
    from sync_server.feed import current_seq

    with app.state.sessions() as session:
        app.state.live.notify(current_seq(session))


async def _keep_up_periodically(app: FastAPI) -> None:
    """The network's hourly figures, feed compaction and fresh planner statistics (``upkeep``), by the cluster's
    leader only."""
    from sync_server.upkeep import keep_up

    while True:
        await asyncio.sleep(app.state.settings.upkeep_every_s)
        if not app.state.leadership.is_leader:
            continue
        try:
            done = await asyncio.to_thread(keep_up, app.state.engine, app.state.write_sessions, datetime.now(UTC))
        except RuntimeError as exc:
            if "shutdown" in str(exc):  # the process is shutting down: the loop's thread pool is gone
                return
            log.exception("upkeep failed")
            continue
        except Exception:  # a passing database error: the next round tries again
            log.exception("upkeep failed")
            continue
        if done.published:
            await asyncio.to_thread(_notify_head, app)


async def _forecast_periodically(app: FastAPI) -> None:
    """Refit and publish the forecasts (``forecasting.job``), by the cluster's leader only; the fitting runs in
    worker processes, the waiting in a thread."""
    from sync_server.forecasting.job import run_forecasts

    settings = app.state.settings
    await asyncio.sleep(settings.forecast_first_after_s)
    while True:
        if app.state.leadership.is_leader:
            try:
                published = await asyncio.to_thread(run_forecasts, app.state.write_sessions, datetime.now(UTC))
            except RuntimeError as exc:
                if "shutdown" in str(exc):
                    return
                log.exception("forecasting failed")
                published = 0
            except Exception:  # a passing database error or a broken worker: the next round tries again
                log.exception("forecasting failed")
                published = 0
            if published:
                await asyncio.to_thread(_notify_head, app)
        await asyncio.sleep(settings.forecast_every_s)


async def _anchor_periodically(keeper: AuditKeeper, settings: Settings, leadership: Leadership) -> None:
    """Sign the audit chain's head when it is due (``AuditKeeper.anchor_if_due``); checked every few seconds,
    by the cluster's leader only."""
    while True:
        await asyncio.sleep(min(settings.audit_anchor_every_s, 10.0))
        if not leadership.is_leader:
            continue
        try:
            await asyncio.to_thread(keeper.anchor_if_due, datetime.now(UTC))
        except RuntimeError:  # the process is shutting down: the loop's thread pool is gone
            return
        except Exception:  # a passing database error: the next round tries again
            log.exception("audit anchoring failed")


def _anchor_at_exit(keeper: AuditKeeper) -> None:
    try:
        keeper.anchor_if_due(datetime.now(UTC), force=True)
    except Exception:  # the database may be gone already: the anchor of start-up and the last round stand
        log.exception("audit anchoring at shutdown failed")
