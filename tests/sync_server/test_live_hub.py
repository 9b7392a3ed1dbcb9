"""Live notices go out in rounds: a change after a quiet spell at once, changes within a round's
interval together at its end, a cursor already announced never again."""

from __future__ import annotations

import asyncio

from sync_server.live import LiveHub


async def heard_within(hub: LiveHub, queue: asyncio.Queue[int], wait_s: float) -> list[int]:
    heard: list[int] = []
    deadline = asyncio.get_running_loop().time() + wait_s
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            heard.append(await asyncio.wait_for(queue.get(), left))
        except TimeoutError:
            break
    return heard


def test_first_change_is_announced_at_once_and_a_burst_in_one_more_round() -> None:
    async def scenario() -> tuple[list[int], list[int], list[int]]:
        hub = LiveHub(round_interval_s=0.5)
        hub.bind(asyncio.get_running_loop())
        queue = hub.subscribe()
        hub.notify(1)
        first = await heard_within(hub, queue, 0.05)
        for cursor in (2, 3, 4):
            hub.notify(cursor)
        return first, await heard_within(hub, queue, 0.1), await heard_within(hub, queue, 1.0)

    first, within_the_round, at_its_end = asyncio.run(scenario())
    assert first == [1]
    assert within_the_round == []
    assert at_its_end == [4]


def test_same_cursor_is_not_announced_twice() -> None:
    async def scenario() -> list[int]:
        hub = LiveHub(round_interval_s=0.01)
        hub.bind(asyncio.get_running_loop())
        queue = hub.subscribe()
        hub.notify(5)
        await asyncio.sleep(0.05)
        hub.notify(5)
        hub.notify(3)
        return await heard_within(hub, queue, 0.1)

    assert asyncio.run(scenario()) == [5]
