"""The sync server run inside the desktop app, for demo mode (``make run``).

Threading: the port is bound at once (so the URL is known before the first window);
building the app, seeding and serving happen on a daemon thread. ``ready`` is set
when it serves. The server keeps its SQLite file in ``<data dir>/demo-server``.
A real deployment runs ``python -m sync_server`` instead.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DEFAULT_PORT = 8765
DEMO_HISTORY = timedelta(hours=24)  # of made-up bed and transfer activity, for the coordinator's charts
log = logging.getLogger(__name__)


@dataclass
class EmbeddedServer:
    url: str
    data_dir: Path
    ready: threading.Event = field(default_factory=threading.Event)
    failed: str | None = None
    _server: Any = None
    _thread: threading.Thread | None = None

    def credentials(self) -> dict[str, str]:
        """Demo account passwords (generated at the server's first start); empty until ready."""
        if not self.ready.is_set():
            return {}
        lines = (self.data_dir / "DEMO-CREDENTIALS.txt").read_text("utf-8").splitlines()
        return {u: p for u, _role, p in (ln.split("\t") for ln in lines if ln and not ln.startswith("#"))}

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.bind(("127.0.0.1", 0))  # default port taken: any free loopback port
    return sock


def start_embedded_server(data_dir: Path, port: int = DEFAULT_PORT) -> EmbeddedServer:
    """Bind now, serve soon. Check ``ready`` (or ``failed``) before relying on it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    sock = _bind(port)
    handle = EmbeddedServer(f"http://127.0.0.1:{sock.getsockname()[1]}", data_dir)
    handle._thread = threading.Thread(target=_serve, args=(handle, sock), name="emsync-demo-server", daemon=True)
    handle._thread.start()
    return handle


def _serve(handle: EmbeddedServer, sock: socket.socket) -> None:
    try:
        import uvicorn

        from sync_server.app import LIVE_CHANNEL_OPTIONS, create_app
        from sync_server.config import Settings, load_secret
        from sync_server.demo_activity import seed_demo_activity
        from sync_server.demo_blood import seed_demo_blood
        from sync_server.demo_case_mix import seed_demo_case_mix
        from sync_server.demo_history import seed_demo_history
        from sync_server.demo_tasks import seed_demo_tasks
        from sync_server.seed import seed_demo_users, seed_network

        db_url = f"sqlite:///{handle.data_dir / 'server.db'}"
        # Demo accounts sign in with one tap on the demo install: no second factor is required of them.
        # Its forecasts are first fitted a minute after start-up (the demo desk's Forecasts tab shows them then).
        app = create_app(Settings(db_url=db_url, secret=load_secret(handle.data_dir), mfa_required_roles=frozenset(),
                                  forecast_first_after_s=60.0))
        now = datetime.now(UTC)
        with app.state.write_sessions.begin() as session:
            if seed_network(session, now=now - DEMO_HISTORY):
                seed_demo_history(session, now - DEMO_HISTORY, now)
            seed_demo_users(session, handle.data_dir / "DEMO-CREDENTIALS.txt")
            seed_demo_blood(session, now)
            seed_demo_activity(session, now)
            seed_demo_case_mix(session, now)
            seed_demo_tasks(session, now)
        handle._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", **LIVE_CHANNEL_OPTIONS))
        threading.Thread(target=_signal_when_started, args=(handle,), daemon=True).start()
        handle._server.run(sockets=[sock])
    except Exception as exc:  # shown in the status bar; the app keeps working offline
        handle.failed = f"demo sync server failed to start: {exc}"
        log.exception("embedded server failed")


def _signal_when_started(handle: EmbeddedServer) -> None:
    while not handle._server.started and not handle._server.should_exit:
        time.sleep(0.02)
    if handle._server.started:
        handle.ready.set()
