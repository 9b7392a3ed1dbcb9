"""Sign-in throttling per account name and client address (SQLite and PostgreSQL): 429 with Retry-After,
growing delays, capped per account so nobody is kept out for good, refused before any password is hashed.
Time is the server's injectable clock, never a sleep."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from sync_server.config import ACCOUNT_THROTTLE
from sync_server.login_throttle import PasswordCheckSlots, address_block
from sync_server.routes import auth
from tests.sync_server.conftest import Server

ATTACKER, NURSE_PC = ("203.0.113.66", 40000), ("198.51.100.7", 40000)
_addresses = (f"192.0.2.{n}" for n in itertools.count(1))


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(server: Server) -> Clock:
    clock = Clock()
    server.settings = server.client.app.state.settings = replace(server.settings, clock=clock)  # type: ignore[attr-defined]
    return clock


class Clients(dict[tuple[str, int], TestClient]):
    """A client per address, made on first use (requests only: the app's lifespan runs in ``server``)."""

    def __init__(self, server: Server) -> None:
        super().__init__()
        self._app = server.client.app

    def __missing__(self, address: tuple[str, int]) -> TestClient:
        client = self[address] = TestClient(self._app, client=address)
        return client


@pytest.fixture
def clients(server: Server) -> Iterator[Clients]:
    made = Clients(server)
    yield made
    for client in made.values():
        client.close()


def sign_in(client: TestClient, username: str, password: str) -> httpx.Response:
    return client.post("/auth/login", json={"username": username, "password": password})


def fail_until_throttled(client: TestClient, username: str = "asha") -> httpx.Response:
    for _ in range(50):
        response = sign_in(client, username, "wrong guess")
        if response.status_code == 429:
            return response
    raise AssertionError("never throttled")


def test_fifty_wrong_passwords_in_eight_seconds_then_the_right_one_waits_its_turn(server: Server,
                                                                                   clock: Clock) -> None:
    statuses = []
    for _ in range(50):
        clock.advance(0.16)
        statuses.append(sign_in(server.client, "asha", "wrong guess").status_code)
    right = sign_in(server.client, "asha", server.passwords["asha"])
    assert statuses.count(401) == 8 and statuses.count(429) == 42
    assert right.status_code == 429
    clock.advance(int(right.headers["Retry-After"]))
    assert sign_in(server.client, "asha", server.passwords["asha"]).status_code == 200


def test_delays_grow_with_each_further_failure(server: Server, clock: Clock) -> None:
    waits = []
    for _ in range(4):
        waits.append(int(fail_until_throttled(server.client).headers["Retry-After"]))
        clock.advance(waits[-1])
    assert waits == [1, 2, 4, 8]


def test_account_delay_is_capped_however_long_the_guessing(server: Server, clock: Clock,
                                                           clients: Clients) -> None:
    waits = []
    for _ in range(40):  # a guesser with many addresses, trying again the moment it may
        response = sign_in(clients[(next(_addresses), 1)], "asha", "wrong guess")
        if response.status_code == 429:
            waits.append(int(response.headers["Retry-After"]))
            clock.advance(waits[-1])
    assert max(waits) == ACCOUNT_THROTTLE.max_delay_s
    clock.advance(ACCOUNT_THROTTLE.max_delay_s)
    assert sign_in(clients[NURSE_PC], "asha", server.passwords["asha"]).status_code == 200


def test_guessing_address_stays_blocked_after_the_account_delay_while_another_signs_in(
        server: Server, clock: Clock, clients: Clients) -> None:
    for _ in range(15):
        clock.advance(int(fail_until_throttled(clients[ATTACKER]).headers["Retry-After"]))
    fail_until_throttled(clients[ATTACKER])  # one failure more: the address is now held far longer
    clock.advance(ACCOUNT_THROTTLE.max_delay_s)
    assert sign_in(clients[ATTACKER], "asha", server.passwords["asha"]).status_code == 429
    assert sign_in(clients[NURSE_PC], "asha", server.passwords["asha"]).status_code == 200


def test_one_address_guessing_many_names_is_throttled(server: Server, clock: Clock,
                                                      clients: Clients) -> None:
    statuses = [sign_in(clients[ATTACKER], f"name{n}", "Winter2026!").status_code for n in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[11] == 429
    assert sign_in(clients[NURSE_PC], "maria", server.passwords["maria"]).status_code == 200


def test_unknown_names_are_throttled_like_real_ones(server: Server, clock: Clock,
                                                    clients: Clients) -> None:
    real = fail_until_throttled(clients[ATTACKER], "asha")
    unknown = fail_until_throttled(clients[NURSE_PC], "nobody-here")
    assert (real.status_code, real.json()) == (unknown.status_code, unknown.json())


def test_right_password_starts_the_account_count_again(server: Server, clock: Clock) -> None:
    for _ in range(2):
        assert [sign_in(server.client, "asha", "wrong").status_code for _ in range(4)] == [401] * 4
        assert sign_in(server.client, "asha", server.passwords["asha"]).status_code == 200


def test_throttled_attempts_are_refused_before_any_hashing(server: Server, clock: Clock,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    fail_until_throttled(server.client)
    verified = []
    monkeypatch.setattr(auth, "_hasher", _Counting(auth._hasher, verified))
    statuses = {sign_in(server.client, "asha", "wrong guess").status_code for _ in range(20)}
    assert statuses == {429} and verified == []


def test_password_checks_at_once_are_bounded(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    server.client.app.state.settings = replace(server.settings, password_check_wait_s=0)  # type: ignore[attr-defined]
    slots = server.client.app.state.password_checks = PasswordCheckSlots(1)  # type: ignore[attr-defined]
    verified: list[str] = []
    monkeypatch.setattr(auth, "_hasher", _Counting(auth._hasher, verified))
    with slots.slot(0):  # another sign-in is being checked
        busy = sign_in(server.client, "asha", server.passwords["asha"])
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "1" and verified == []
    assert sign_in(server.client, "asha", server.passwords["asha"]).status_code == 200


def test_an_ipv6_subscriber_is_one_address() -> None:
    assert address_block("2001:db8:1:2::1") == address_block("2001:db8:1:2:ffff::9") != address_block("2001:db8:1:3::1")
    assert address_block("::ffff:192.0.2.1") == address_block("192.0.2.1") == "192.0.2.1"


class _Counting:
    def __init__(self, hasher: Any, calls: list[str]) -> None:
        self._hasher, self._calls = hasher, calls

    def verify(self, hashed: str, password: str) -> bool:
        self._calls.append(password)
        return bool(self._hasher.verify(hashed, password))
