"""Signing in with a password through a sync server, in the real window."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from emsync_desktop.services.bootstrap import open_app
from emsync_desktop.services.embedded_server import EmbeddedServer
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.sync_bridge import server_sync_target
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import LIGHT
from tests.ui.test_demo_sync import demo_server  # noqa: F401 - fixture


def type_credentials(qtbot: QtBot, window: MainWindow, username: str, password: str) -> None:
    window.login.username.clear()
    qtbot.keyClicks(window.login.username, username)
    qtbot.keyClicks(window.login.password, password)
    qtbot.keyClick(window.login.password, Qt.Key.Key_Return)


@pytest.mark.slow
def test_password_sign_in_goes_through_the_server_and_starts_sync(qtbot: QtBot, tmp_path: Path,
                                                                  demo_server: EmbeddedServer) -> None:  # noqa: F811
    context = open_app(tmp_path / "device", lambda _r: None, demo=True)
    runner = DbRunner()
    target = server_sync_target(demo_server.url)
    window = MainWindow(context, TaskRelay(runner), LIGHT, target)
    qtbot.addWidget(window)
    window.show()
    try:
        type_credentials(qtbot, window, "asha", "not her password")
        qtbot.waitUntil(lambda: "wrong password" in window.login.message.text(), timeout=10_000)
        assert window.user is None
        type_credentials(qtbot, window, "asha", demo_server.credentials()["asha"])
        qtbot.waitUntil(lambda: window.user is not None, timeout=10_000)
        qtbot.waitUntil(lambda: "● Online" in window.connection_label.text(), timeout=20_000)
        window.sign_out()
        assert target.credentials_for("asha") is None  # the password is gone with the session
    finally:
        window.close()
        runner.shutdown()
        context.close()


def session_states(server: EmbeddedServer) -> list[str | None]:
    with sqlite3.connect(server.data_dir / "server.db") as db:
        return [reason for (reason,) in db.execute("SELECT revoked_reason FROM auth_sessions")]


@pytest.mark.slow
def test_sign_out_revokes_the_session_on_the_server(qtbot: QtBot, tmp_path: Path,
                                                    demo_server: EmbeddedServer) -> None:  # noqa: F811
    context = open_app(tmp_path / "device", lambda _r: None, demo=True)
    runner = DbRunner()
    window = MainWindow(context, TaskRelay(runner), LIGHT, server_sync_target(demo_server.url))
    qtbot.addWidget(window)
    window.show()
    try:
        type_credentials(qtbot, window, "maria", demo_server.credentials()["maria"])
        qtbot.waitUntil(lambda: "● Online" in window.connection_label.text(), timeout=20_000)
        assert session_states(demo_server) == [None]  # one session: the sign-in screen's, used by the engine
        window.sign_out()
        qtbot.waitUntil(lambda: session_states(demo_server) == ["signed out"], timeout=10_000)
    finally:
        window.close()
        runner.shutdown()
        context.close()
