"""Many clients, already connected, each sending one request at a moment of its own: the load of a
network of ambulances with open connections. asyncio and raw HTTP/1.1, so the measuring side costs
little next to the server (200 Python threads with ``requests`` cost the shared cores ~1 ms each)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import time
from collections.abc import Iterator
from typing import Any


def http_request(method: str, path: str, token: str | None = None, body: Any = None) -> bytes:
    data = json.dumps(body).encode() if body is not None else b""
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    head = (f"{method} {path} HTTP/1.1\r\nHost: bench\r\n{auth}Content-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n")
    return head.encode() + data


async def _one(port: int, request: bytes, delay_s: float, go: asyncio.Event, answered: list[int],
               done: asyncio.Event) -> tuple[float, int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        await go.wait()
        await asyncio.sleep(delay_s)
        start = time.perf_counter()
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
        body = await reader.readexactly(length)
        latency = time.perf_counter() - start
        answered.append(1)
        await done.wait()  # keep-alive: no one closes while others wait for their answers
        return latency, int(lines[0].split(" ")[1]), body
    finally:
        writer.close()


async def _all(ports: list[int], requests: list[bytes], delays_s: list[float]) -> list[tuple[float, int, bytes]]:
    go, done, answered = asyncio.Event(), asyncio.Event(), []
    tasks = [asyncio.create_task(_one(ports[i % len(ports)], r, d, go, answered, done))
             for i, (r, d) in enumerate(zip(requests, delays_s, strict=True))]
    await asyncio.sleep(0.5)  # every client connected first
    go.set()
    await _until_all_answered(tasks, answered, done)
    return await asyncio.gather(*tasks)


def send_together(port: int | list[int], requests: list[bytes], delays_s: list[float]) -> list[
        tuple[float, int, bytes]]:
    """(latency in s, HTTP status, body) of each request; each is sent ``delays_s[i]`` after the start.
    Several ports: request ``i`` goes to ``port[i % len(port)]`` (round robin, as a proxy would spread them)."""
    with _no_collection_pauses():
        return asyncio.run(_all(port if isinstance(port, list) else [port], requests, delays_s))


async def _one_live(port: int, token: str, ops: list[Any], request_id: int, delay_s: float, go: asyncio.Event,
                    ready: list[int], answered: list[int], done: asyncio.Event) -> tuple[float, dict[str, Any]]:
    import websockets

    async with websockets.connect(f"ws://127.0.0.1:{port}/sync/live", compression=None,
                                  additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        await ws.recv()  # the first cursor notice: connected
        ready.append(request_id)
        await go.wait()
        await asyncio.sleep(delay_s)
        message = json.dumps({"type": "push", "request_id": request_id, "token": token, "ops": ops})
        start = time.perf_counter()
        await ws.send(message)
        while True:  # cursor notices may come before the answer
            reply = json.loads(await ws.recv())
            if reply.get("request_id") == request_id:
                latency = time.perf_counter() - start
                break
        answered.append(request_id)
        await done.wait()  # a device stays connected: no one closes while others wait for their answers
        return latency, reply


async def _all_live(port: int, token: str, pushes: list[list[Any]], delays_s: list[float]) -> list[
        tuple[float, dict[str, Any]]]:
    go, done, ready, answered = asyncio.Event(), asyncio.Event(), [], []
    tasks = [asyncio.create_task(_one_live(port, token, ops, i, d, go, ready, answered, done))
             for i, (ops, d) in enumerate(zip(pushes, delays_s, strict=True))]
    while len(ready) < len(tasks):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # every client connected and idle first
    go.set()
    await _until_all_answered(tasks, answered, done)
    return await asyncio.gather(*tasks)


async def _until_all_answered(tasks: list[asyncio.Task[Any]], answered: list[int], done: asyncio.Event) -> None:
    """Let every client close only once all have their answers (a failed one ends the wait)."""
    while len(answered) < len(tasks) and not any(t.done() for t in tasks):
        await asyncio.sleep(0.005)
    done.set()


def push_together_live(port: int, token: str, pushes: list[list[Any]], delays_s: list[float]) -> list[
        tuple[float, dict[str, Any]]]:
    """(latency in s, answer) of each push sent over its own live channel ``delays_s[i]`` after the start:
    what a connected device does (``LiveChannel.push``)."""
    with _no_collection_pauses():
        return asyncio.run(_all_live(port, token, pushes, delays_s))


@contextlib.contextmanager
def _no_collection_pauses() -> Iterator[None]:
    """No garbage collection in the measuring process while it measures: in the pytest process (a large
    heap) one full collection stopped every client at once, and every latency read ~100 ms late. The
    server, a process of its own, collects as it always does."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
