"""A real server on loopback with a certificate from a CA made here: a desk pinned to that CA connects
(HTTP and live channel); an unpinned desk, or one pinned to another CA, is refused and told why."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme

from emsync_desktop.sync.http import ServerUntrusted, SyncHttp
from emsync_desktop.sync.live import LiveChannel
from emsync_desktop.sync.tls import CA_FILE_ENV
from tests.e2e.server_process import ServerProcess, running_server

WAIT_S = 30  # a bound for a hung test, not a performance limit


def write_ca_and_cert(folder: Path, ca: trustme.CA) -> tuple[Path, Path, Path]:
    folder.mkdir(parents=True)
    cert = ca.issue_cert("127.0.0.1", "localhost")
    chain, key, ca_file = folder / "server-chain.pem", folder / "server-key.pem", folder / "ca.pem"
    chain.write_bytes(b"".join(pem.bytes() for pem in cert.cert_chain_pems))
    cert.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(ca_file))
    return chain, key, ca_file


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("tls")
    (root / "server").mkdir()
    with running_server(root / "server", tls=write_ca_and_cert(root / "pki", trustme.CA())) as server:
        yield server


@pytest.fixture
def other_ca(tmp_path: Path) -> Path:
    return write_ca_and_cert(tmp_path / "other", trustme.CA())[2]


@pytest.fixture(autouse=True)
def no_pin_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CA_FILE_ENV, raising=False)


def test_desk_pinned_to_the_servers_ca_signs_in(tls_server: ServerProcess) -> None:
    http = SyncHttp(tls_server.url, ca_file=tls_server.ca_file)
    token = http.login("rahul", tls_server.credentials()["rahul"])
    assert token.user.username == "rahul"


def test_ca_pinned_by_environment_is_used(tls_server: ServerProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CA_FILE_ENV, str(tls_server.ca_file))
    SyncHttp(tls_server.url).probe()


def test_unpinned_desk_refuses_the_server_and_says_how_to_pin(tls_server: ServerProcess) -> None:
    with pytest.raises(ServerUntrusted, match="not trusted") as refused:
        SyncHttp(tls_server.url).probe()
    assert "--ca-file" in str(refused.value) and "Nothing was sent" in str(refused.value)


def test_desk_pinned_to_another_ca_refuses_the_server(tls_server: ServerProcess, other_ca: Path) -> None:
    with pytest.raises(ServerUntrusted, match="not trusted") as refused:
        SyncHttp(tls_server.url, ca_file=other_ca).login("rahul", tls_server.credentials()["rahul"])
    assert str(other_ca) in str(refused.value)


def live_channel(server: ServerProcess, ca_file: Path | None) -> LiveChannel:
    token = server.login("rahul")
    return LiveChannel(server.url, lambda: token, lambda _cursor: None, ca_file=ca_file)


def test_live_channel_pinned_to_the_servers_ca_connects(tls_server: ServerProcess) -> None:
    channel = live_channel(tls_server, tls_server.ca_file)
    channel.start()
    try:
        assert channel.connected.wait(WAIT_S) and channel.last_error is None
    finally:
        channel.stop()


def test_live_channel_pinned_to_another_ca_is_refused_and_says_so(tls_server: ServerProcess, other_ca: Path) -> None:
    channel = live_channel(tls_server, other_ca)
    channel.start()
    try:
        assert wait_until(lambda: channel.last_error is not None) and not channel.connected.is_set()
        assert "not trusted" in (channel.last_error or "") and str(other_ca) in (channel.last_error or "")
    finally:
        channel.stop()


def wait_until(condition: Callable[[], bool]) -> bool:
    pause = threading.Event()
    for _ in range(WAIT_S * 20):
        if condition():
            return True
        pause.wait(0.05)
    return condition()


def test_pin_wins_over_a_ca_bundle_from_the_environment(tls_server: ServerProcess, other_ca: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other_ca))
    SyncHttp(tls_server.url, ca_file=tls_server.ca_file).probe()
