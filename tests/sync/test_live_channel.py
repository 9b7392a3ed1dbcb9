"""LiveChannel.push: answers matched by request id, refusals mapped like HTTP's, and a dropped
channel reported as LiveUnavailable so the engine pushes over HTTP. A stand-in WebSocket answers."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest

from emsync_desktop.sync.engine import LiveUnavailable
from emsync_desktop.sync.http import AuthRejected, ServerUnreachable
from emsync_desktop.sync.live import LiveChannel
from emsync_desktop.sync.protocol import LivePushed, LiveRefused


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
