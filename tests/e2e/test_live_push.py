"""A connected device pushes over the live channel, against the real server process; without the
channel (not connected, or dropped) it pushes over HTTP, and nothing is lost or applied twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.engine import SyncEngine
from emsync_desktop.sync.http import ServerUnreachable, SyncHttp
from emsync_desktop.sync.live import LiveChannel
from tests.e2e.clients import Client, make_client
from tests.e2e.server_process import ServerProcess


class NoHttpPush(SyncHttp):
    """HTTP for sign-in and pull only: a push that reaches the server must have come over the live channel."""

    def push(self, *_args: object, **_kwargs: object) -> None:  # type: ignore[override]
        raise ServerUnreachable("HTTP push disabled in this test")


def with_live(client: Client, server: ServerProcess, password: str, http: SyncHttp) -> LiveChannel:
    channel = LiveChannel(server.url, lambda: client.engine.token, lambda _cursor: None)
    client.engine = SyncEngine(client.context.store, http, client.context.install.device_id, ("asha", password),
                               db_submit=client.runner.submit, live=channel)
    return channel


def booking_states(client: Client) -> list[str]:
    from sqlalchemy import select

    from emsync_desktop.store.models import BookingRecord

    with client.context.store.sessions.begin() as session:
        return [b.state for b in session.scalars(select(BookingRecord))]


@pytest.mark.slow
def test_connected_device_holds_a_bed_over_the_live_channel(tmp_path: Path, server: ServerProcess) -> None:
    password = server.credentials()["asha"]
    crew = make_client(tmp_path / "amb", Role.PARAMEDIC, server.url, "asha", password)
    channel = with_live(crew, server, password, NoHttpPush(server.url))
    try:
        crew.engine.run_once()  # signs in over HTTP; the channel connects with the token
        channel.start()
        assert channel.connected.wait(10)
        crew.open_case_and_send("Chest pain, sweating")
        assert crew.engine.run_once()
        states = booking_states(crew)
    finally:
        channel.stop()
        crew.close()
    assert states == ["HELD"]


@pytest.mark.slow
def test_device_without_live_channel_pushes_over_http(tmp_path: Path, server: ServerProcess) -> None:
    password = server.credentials()["asha"]
    crew = make_client(tmp_path / "amb", Role.PARAMEDIC, server.url, "asha", password)
    with_live(crew, server, password, SyncHttp(server.url))  # never started: not connected
    try:
        crew.open_case_and_send("Fall from height")
        assert crew.engine.run_once()
        states = booking_states(crew)
    finally:
        crew.close()
    assert states == ["HELD"]
