"""Client-generated identifiers (UUIDv7, RFC 9562).

Time-ordered so that rows created offline on many devices sort by creation time
and never collide.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_id() -> str:
    """Return a new UUIDv7 as a lowercase string.

    Within one millisecond a 12-bit counter keeps ids from one process monotonic.
    """
    global _last_ms, _counter
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms <= _last_ms:
            now_ms = _last_ms
            _counter += 1
            if _counter > 0xFFF:
                now_ms += 1
                _counter = 0
        else:
            _counter = 0
        _last_ms = now_ms
        counter = _counter
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (now_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand
    return str(uuid.UUID(int=value))


_DEMO_NAMESPACE = uuid.UUID("6f1d3c1e-6a38-4c1b-9a52-1b2f0e7c9d10")


def series_id(hospital_id: str, unit: str, kind: str) -> str:
    """Stable id (UUIDv5) of a hospital unit's forecast series: the feed's entity ids are UUID-sized."""
    return str(uuid.uuid5(_DEMO_NAMESPACE, f"forecast:{hospital_id}/{unit}/{kind}"))


def demo_id(kind: str, name: str) -> str:
    """Stable id (UUIDv5) of a demo record, so every demo client and the server agree."""
    return str(uuid.uuid5(_DEMO_NAMESPACE, f"{kind}:{name}"))
