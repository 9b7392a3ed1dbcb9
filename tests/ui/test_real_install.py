"""A device set up against a real server (--server) is no demo: no made-up network, no passphrase on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from emsync_desktop.security.keystore import PassphraseRequest
from emsync_desktop.store.models import Hospital
from emsync_desktop.ui import app as app_module


def test_a_new_data_dir_for_a_real_server_is_not_a_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       qtbot: QtBot) -> None:
    asked: list[PassphraseRequest] = []
    monkeypatch.setattr(app_module, "ask_passphrase", lambda request: asked.append(request) or "correct horse battery")
    monkeypatch.setenv("EMSYNC_KEYRING", "off")  # no OS keyring: the data key is wrapped by the user's passphrase
    context = app_module.open_context(tmp_path / "laptop", interactive=True, demo=False)
    assert context is not None
    try:
        with context.store.sessions.begin() as session:
            hospitals = session.scalar(select(func.count()).select_from(Hospital))
        assert (context.install.demo, hospitals) == (False, 0)  # the network comes from the server's pull
        assert not any("demo" in path.name.lower() for path in (tmp_path / "laptop").iterdir())
        assert [request.first_start for request in asked] == [True]  # chosen by the user, kept nowhere
    finally:
        context.close()
