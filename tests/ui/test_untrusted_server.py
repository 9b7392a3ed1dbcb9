"""A sync server whose TLS certificate is refused is named as untrusted on the sign-in screen, with what
to do (pin the CA), not as unreachable."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from emsync_desktop.services.runner import DbRunner
from emsync_desktop.sync.http import ServerUntrusted
from emsync_desktop.sync.tls import untrusted_message
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.server_status import ServerStatusLine

URL = "https://sync.example.org"


def refuse_certificate(url: str) -> None:
    raise ServerUntrusted(untrusted_message(url, None, "certificate verify failed: unable to get local issuer "
                                                       "certificate (_ssl.c:1000)"))


def test_untrusted_server_is_named_with_what_to_do(qtbot: QtBot, runner: DbRunner) -> None:
    line = ServerStatusLine(TaskRelay(runner), URL, probe=refuse_certificate)
    qtbot.addWidget(line)
    try:
        line.start()
        qtbot.waitUntil(lambda: "is not trusted" in line.text())
        assert "--ca-file" in line.text() and "unable to get local issuer certificate" in line.text()
    finally:
        line.stop()
