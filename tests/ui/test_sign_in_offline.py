"""The sign-in screen with a sync server that does not answer: it says so at once, and stops saying so
when the server is back (issue 16, item 11). Loopback only: a closed port, then a stand-in /health."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from emsync_desktop.domain.roles import Role
from emsync_desktop.services.auth import sign_in_with_server
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.sync.protocol import TokenResponse, UserPublic
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.sync_bridge import server_sync_target
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import LIGHT
from emsync_desktop.ui.widgets.server_status import ServerStatusLine
from tests.ui.conftest import sign_in_as

PASSWORD = "correct horse battery"
DEVI = UserPublic(id="0190f0e0-0000-7000-8000-0000000000aa", username="devi", display_name="Devi Nair",
                  role="paramedic", hospital_id=None, ambulance_unit="AMB-7")


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *_args: object) -> None:
        pass


def serve_health(port: int) -> ThreadingHTTPServer:
    """The server coming back on ``port``: answers its health check."""
    server = ThreadingHTTPServer(("127.0.0.1", port), Health)
    threading.Thread(target=server.serve_forever, name="test-health", daemon=True).start()
    return server


@pytest.fixture
def server_window(qtbot: QtBot, app_context: AppContext, runner: DbRunner, closed_port: int) -> Iterator[MainWindow]:
    window = MainWindow(app_context, TaskRelay(runner), LIGHT, server_sync_target(f"http://127.0.0.1:{closed_port}"))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    yield window
    window.close()


def screen_text(window: MainWindow) -> str:
    """What the sign-in screen shows (visible labels only)."""
    return " ".join(label.text() for label in window.login.findChildren(QLabel) if label.isVisible())


def test_unreachable_server_is_named_on_the_sign_in_screen_within_5_s(qtbot: QtBot, server_window: MainWindow,
                                                                       closed_port: int) -> None:
    expected = (f"Server unreachable at http://127.0.0.1:{closed_port}: working offline; sign in with an account "
                "this device already knows")
    qtbot.waitUntil(lambda: expected in screen_text(server_window), timeout=5000)


def test_unreachable_text_clears_when_the_server_is_back(qtbot: QtBot, server_window: MainWindow,
                                                         closed_port: int) -> None:
    qtbot.waitUntil(lambda: "Server unreachable" in screen_text(server_window), timeout=5000)
    server = serve_health(closed_port)
    try:
        qtbot.waitUntil(lambda: "unreachable" not in screen_text(server_window), timeout=15_000)
    finally:
        server.shutdown()
        server.server_close()


def test_offline_refusal_is_cleared_when_the_server_is_back(qtbot: QtBot, server_window: MainWindow,
                                                            closed_port: int) -> None:
    login = server_window.login
    qtbot.waitUntil(lambda: login.server_line is not None and login.server_line.reachable is False, timeout=5000)
    qtbot.keyClicks(login.username, "newcomer")
    qtbot.keyClicks(login.password, "a password")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Connect to the network once" in login.message.text(), timeout=5000)
    server = serve_health(closed_port)
    try:
        qtbot.waitUntil(lambda: login.message.text() == "", timeout=15_000)
    finally:
        server.shutdown()
        server.server_close()


def test_known_account_signs_in_offline_without_waiting_for_the_server(qtbot: QtBot, app_context: AppContext,
                                                                        server_window: MainWindow) -> None:
    sign_in_with_server(app_context.store, lambda _u, _p: TokenResponse(
        access_token="a", refresh_token="r", expires_in_s=600, user=DEVI), "devi", PASSWORD)
    login = server_window.login
    qtbot.waitUntil(lambda: login.server_line is not None and login.server_line.reachable is False, timeout=5000)
    qtbot.keyClicks(login.username, "devi")
    qtbot.keyClicks(login.password, PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: server_window.user is not None and server_window.user.username == "devi")
    server_window.sign_out()
    assert login.message.text() == ""  # nothing stale from the last sign-in


def test_real_server_offers_no_demo_accounts_without_a_password(qtbot: QtBot, server_window: MainWindow) -> None:
    relay = server_window.relay
    qtbot.waitUntil(lambda: relay.pending == 0)
    assert not server_window.login.demo_box.isVisible() and server_window.login.demo_buttons == {}


def test_a_server_that_never_answers_is_called_unreachable_on_the_deadline(qtbot: QtBot, runner: DbRunner) -> None:
    """A name lookup or a dropped SYN can outlast any connect timeout: the line does not wait for it."""
    release = threading.Event()
    line = ServerStatusLine(TaskRelay(runner), "https://sync.example.org", probe=lambda _url: release.wait(60))
    qtbot.addWidget(line)
    try:
        line.start()
        qtbot.waitUntil(lambda: "Server unreachable at https://sync.example.org" in line.text(), timeout=5000)
        assert not line.isHidden()
    finally:
        line.stop()
        release.set()


def test_signing_out_with_changes_unsent_says_they_wait_for_their_owner(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, Role.NURSE)
    assert window.user is not None
    name = window.user.display_name
    window._unsent = 2  # as the last sync report said (offline: two of hers waiting)
    window.sign_out()
    assert f"2 changes by {name} not sent yet" in window.login.message.text()
    assert f"sent when {name} signs in here again" in window.login.message.text()
