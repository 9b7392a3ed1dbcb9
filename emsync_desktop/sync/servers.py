"""The sync server addresses a device may use, in order, and which one it is talking to (issue 23).

Several server processes share one database, so any of them can serve any device. A device is given
their addresses in order (``--server URL1,URL2``); it talks to one, the preferred, until that one stops
answering, then to the next that does (``SyncHttp``, ``LiveChannel``). The preference is sticky: the
address that last answered stays first until it fails.

Threading: one ``ServerList`` is shared by the sync thread and the live channel's thread; every method
takes its lock, and ``order`` returns a copy.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from urllib.parse import urlsplit


def parse_server_urls(text: str) -> list[str]:
    """``"https://a:8765, https://b:8765/"`` -> the addresses, in order, without trailing slashes or repeats.
    Raises ``ValueError`` when there is none, or one is not an http(s) URL with a host."""
    urls: list[str] = []
    for part in text.split(","):
        url = part.strip().rstrip("/")
        if not url:
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{part.strip()!r} is not a server address like https://emsync.example.org:8765")
        if url not in urls:
            urls.append(url)
    if not urls:
        raise ValueError("no server address given")
    return urls


class ServerList:
    """Ordered server addresses and the preferred one (the first until another answers instead)."""

    def __init__(self, urls: str | Sequence[str]) -> None:
        """``urls``: one address, several separated by commas, or a list of them (kept in order)."""
        self._urls = parse_server_urls(urls if isinstance(urls, str) else ",".join(urls))
        self._preferred = 0
        self._lock = threading.Lock()

    @property
    def urls(self) -> list[str]:
        return list(self._urls)

    @property
    def current(self) -> str:
        """The preferred address: the one that answered last (at first, the first given)."""
        with self._lock:
            return self._urls[self._preferred]

    def order(self) -> list[str]:
        """Every address once, the preferred first, then the ones after it in the given order (wrapping)."""
        with self._lock:
            start = self._preferred
        return self._urls[start:] + self._urls[:start]

    def answered(self, url: str) -> None:
        """``url`` answered (any HTTP status, or a live connection opened): it becomes the preferred."""
        with self._lock:
            self._preferred = self._urls.index(url)

    def describe(self) -> str:
        """Which server the device talks to, for the status line: ``"server 2 of 2 (b.example.org)"``;
        empty when there is only one (nothing to choose between)."""
        with self._lock:
            index, url = self._preferred, self._urls[self._preferred]
        if len(self._urls) == 1:
            return ""
        return f"server {index + 1} of {len(self._urls)} ({urlsplit(url).hostname or url})"
