"""Anchors: signed heads of the audit chain, kept where a database writer cannot reach them.

The server signs its chain head now and then (``AuditKeeper``), appends the anchor to a file outside
the database, and hands the latest ones to coordinator and admin desks, which keep them. A chain that
has lost its newest events, or was rewritten by someone holding the key, no longer matches an anchor
signed before: that is how both are caught.

The signature is an HMAC under a key derived from the audit key: anchors are only ever checked by this
server (a desk sends back what it holds), so a public-key signature would add a key to keep and nothing
a desk could use.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from emsync_desktop.sync.protocol import AuditAnchor

log = logging.getLogger("sync_server.audit")


def _signing_key(audit_key: bytes) -> bytes:
    return hmac.new(audit_key, b"emsync audit anchor signing", hashlib.sha256).digest()


def _signed_text(seq: int, mac: str, at: datetime) -> bytes:
    return f"emsync-audit-anchor|{seq}|{mac}|{at.astimezone(UTC).isoformat()}".encode()


def sign_anchor(audit_key: bytes, seq: int, mac: str, at: datetime) -> AuditAnchor:
    sig = hmac.new(_signing_key(audit_key), _signed_text(seq, mac, at), hashlib.sha256).hexdigest()
    return AuditAnchor(seq=seq, mac=mac, at=at, sig=sig)


def signed_by(audit_key: bytes, anchor: AuditAnchor) -> bool:
    expected = sign_anchor(audit_key, anchor.seq, anchor.mac, anchor.at).sig
    return hmac.compare_digest(expected, anchor.sig)


class AnchorBook:
    """The server's anchors: in memory, and appended (one JSON line each, flushed to disk) to ``path``
    when one is given. Thread-safe: the anchoring task adds, request threads read."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._anchors = _read(path) if path is not None else []

    def all(self) -> list[AuditAnchor]:
        with self._lock:
            return list(self._anchors)

    def latest(self, n: int) -> list[AuditAnchor]:
        with self._lock:
            return self._anchors[-n:]

    def last(self) -> AuditAnchor | None:
        with self._lock:
            return self._anchors[-1] if self._anchors else None

    def add(self, anchor: AuditAnchor) -> None:
        with self._lock:
            if self.path is not None:
                _append(self.path, anchor)
            self._anchors.append(anchor)


def _read(path: Path) -> list[AuditAnchor]:
    if not path.exists():
        return []
    anchors = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            anchors.append(AuditAnchor.model_validate_json(line))
        except ValueError:  # kept out, and said: an unreadable line is itself a sign of tampering or a crash
            log.error("audit anchor file %s: line %d is not an anchor; ignored", path, number)
    return anchors


def _append(path: Path, anchor: AuditAnchor) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a") as handle:
        handle.write(json.dumps(anchor.model_dump(mode="json"), sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
