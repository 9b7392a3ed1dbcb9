"""LiveChannel.push: answers matched by request id, refusals mapped like HTTP's, and a dropped
channel reported as LiveUnavailable so the engine pushes over HTTP. A stand-in WebSocket answers."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable, Iterator

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request
from websockets.sync.server import ServerConnection, serve

from emsync_desktop.sync.engine import LiveUnavailable
from emsync_desktop.sync.http import AuthRejected, ServerUnreachable
from emsync_desktop.sync.live import LiveChannel
from emsync_desktop.sync.protocol import LivePushed, LiveRefused
from emsync_desktop.sync.servers import ServerList
from tests.e2e.server_process import free_port


class StandInSocket:
    """Answers each sent push from another thread, as the channel's receiving thread would."""

    def __init__(self, channel: LiveChannel, answer: Callable[[int], str | None]) -> None:
        self._channel, self._answer = channel, answer

    def send(self, text: str) -> None:
        reply = self._answer(json.loads(text)["request_id"])
        act = (lambda: self._channel._received(reply)) if reply else self._channel._drop_connection
        threading.Timer(0.01, act).start()


def channel_answering(answer: Callable[[int], str | None]) -> LiveChannel:
    channel = LiveChannel("http://127.0.0.1:9", lambda: None, lambda _cursor: None)
    channel._ws = StandInSocket(channel, answer)  # type: ignore[assignment]
    return channel


def test_push_returns_the_answer_to_its_request() -> None:
    channel = channel_answering(lambda rid: LivePushed(request_id=rid, results=[], cursor=41).model_dump_json())
    assert channel.push("token", []).cursor == 41


def test_refused_401_means_sign_in_again() -> None:
    channel = channel_answering(lambda rid: LiveRefused(request_id=rid, status=401, detail="expired").model_dump_json())
    with pytest.raises(AuthRejected):
        channel.push("token", [])


def test_refused_503_means_try_later() -> None:
    channel = channel_answering(lambda rid: LiveRefused(request_id=rid, status=503, detail="busy").model_dump_json())
    with pytest.raises(ServerUnreachable):
        channel.push("token", [])


def test_channel_dropped_before_the_answer_is_live_unavailable() -> None:
    channel = channel_answering(lambda _rid: None)
    with pytest.raises(LiveUnavailable):
        channel.push("token", [])


def test_push_without_connection_is_live_unavailable() -> None:
    channel = LiveChannel("http://127.0.0.1:9", lambda: None, lambda _cursor: None)
    with pytest.raises(LiveUnavailable):
        channel.push("token", [])


def test_cursor_notice_reaches_on_news() -> None:
    heard: list[int] = []
    channel = LiveChannel("http://127.0.0.1:9", lambda: None, heard.append)
    channel._received('{"cursor": 17}')
    assert heard == [17]


@pytest.fixture
def handshakes() -> Iterator[tuple[str, list[Request]]]:
    """A loopback WebSocket server that records each opening handshake and sends one cursor notice."""
    seen: list[Request] = []

    def handler(ws: ServerConnection) -> None:
        assert ws.request is not None
        seen.append(ws.request)
        ws.send('{"cursor": 1}')
        with contextlib.suppress(ConnectionClosed):
            ws.recv()

    stand_in_log = logging.getLogger("tests.stand_in_server")  # the stand-in's own lines are not the client's
    stand_in_log.setLevel(logging.WARNING)
    with serve(handler, "127.0.0.1", 0, logger=stand_in_log) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.socket.getsockname()[1]}", seen
        server.shutdown()
    thread.join()


def connect_once(url: str, token: str) -> None:
    heard = threading.Event()
    channel = LiveChannel(url, lambda: token, lambda _cursor: heard.set())
    channel.start()
    try:
        assert heard.wait(10)
    finally:
        channel.stop()


def test_token_goes_in_the_authorization_header_not_the_url(handshakes: tuple[str, list[Request]]) -> None:
    url, seen = handshakes
    connect_once(url, "secret.token")
    assert seen[0].path == "/sync/live" and seen[0].headers["Authorization"] == "Bearer secret.token"


def test_no_log_record_carries_the_token_even_at_debug(handshakes: tuple[str, list[Request]],
                                                       caplog: pytest.LogCaptureFixture) -> None:
    url, _seen = handshakes
    with caplog.at_level(logging.DEBUG):
        connect_once(url, "secret.token")
    assert not [r for r in caplog.records if "secret.token" in r.getMessage()]


def test_channel_connects_to_the_next_address_when_the_first_refuses(handshakes: tuple[str, list[Request]]) -> None:
    url, seen = handshakes
    servers = ServerList([f"http://127.0.0.1:{free_port()}", url])
    heard = threading.Event()
    channel = LiveChannel(servers, lambda: "t", lambda _cursor: heard.set())
    channel.start()
    try:
        assert heard.wait(10)  # in the first round: no backoff wait between the addresses
    finally:
        channel.stop()
    assert len(seen) == 1 and servers.current == url  # the HTTP side now prefers it too


def test_after_a_drop_the_dropped_address_is_tried_last() -> None:
    channel = LiveChannel("http://a,http://b,http://c", lambda: None, lambda _cursor: None)
    assert channel._round("http://a") == ["http://b", "http://c", "http://a"]
