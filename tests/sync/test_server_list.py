"""Server addresses as given (``--server URL1,URL2``): order, the preferred one, what the status line says."""

from __future__ import annotations

import pytest

from emsync_desktop.sync.servers import ServerList, parse_server_urls


def test_addresses_keep_their_order_without_slashes_spaces_or_repeats() -> None:
    assert parse_server_urls(" https://a:8765/, http://b:8765 ,https://a:8765,") == ["https://a:8765", "http://b:8765"]


@pytest.mark.parametrize("text", ["", " , ", "a.example.org:8765", "ftp://a.example.org", "https://"])
def test_anything_but_http_addresses_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_server_urls(text)


def test_order_starts_at_the_preferred_and_wraps() -> None:
    servers = ServerList("http://a,http://b,http://c")
    servers.answered("http://b")
    assert servers.order() == ["http://b", "http://c", "http://a"] and servers.current == "http://b"


def test_status_names_the_server_only_when_there_is_a_choice() -> None:
    several, one = ServerList(["http://a:1", "https://b.example.org:2"]), ServerList("http://a:1")
    several.answered("https://b.example.org:2")
    assert several.describe() == "server 2 of 2 (b.example.org)" and one.describe() == ""
