"""Column types: UTC datetimes and AES-256-GCM encrypted text.

The encrypted type finds its cipher on the engine's dialect (see ``bind_cipher``)
so that two stores opened with different keys in one process never mix keys.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, LargeBinary
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.types import TypeDecorator

from emsync_desktop.security.crypto import FieldCipher

_CIPHER_ATTR = "emsync_field_cipher"


def bind_cipher(engine: Engine, cipher: FieldCipher) -> None:
    setattr(engine.dialect, _CIPHER_ATTR, cipher)


def _cipher(dialect: Dialect) -> FieldCipher:
    cipher = getattr(dialect, _CIPHER_ATTR, None)
    if cipher is None:
        raise RuntimeError("no data key bound to this engine: call bind_cipher() after opening it")
    assert isinstance(cipher, FieldCipher)
    return cipher


class EncryptedText(TypeDecorator[str]):
    """Text stored as an AES-256-GCM blob; ``context`` is bound as associated data."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context.encode("utf-8")

    def process_bind_param(self, value: str | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        return _cipher(dialect).encrypt(value, self.context)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return _cipher(dialect).decrypt(bytes(value), self.context)


class UtcDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC, returned timezone-aware (UTC). Refuses naive input."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a timezone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)
