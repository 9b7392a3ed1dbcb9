"""Server settings: command line and environment, never secrets in code."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

SECRET_FILE = "server-secret"
DEFAULT_BLOB_QUOTA_MB = 2048


@dataclass(frozen=True)
class Settings:
    db_url: str
    secret: bytes
    hold_minutes: float = 15.0
    access_ttl_s: int = 900
    refresh_ttl_s: int = 7 * 24 * 3600
    expiry_sweep_s: float = 10.0
    blob_dir: Path | None = None  # radiograph files; default: beside a SQLite file, else ./emsync-blobs
    # Bytes of radiograph files one account may send, in all (each file counted whole from its first
    # chunk, finished or not); ``--blob-quota-mb``.
    blob_quota_bytes: int = DEFAULT_BLOB_QUOTA_MB * 2**20


def default_blob_dir(db_url: str) -> Path:
    if db_url.startswith("sqlite:///"):
        return Path(db_url.removeprefix("sqlite:///")).parent / "blobs"
    return Path("emsync-blobs").resolve()


def load_secret(data_dir: Path) -> bytes:
    """``$EMSYNC_SERVER_SECRET`` (hex) if set, else a random secret kept in ``data_dir`` (mode 0600)."""
    env = os.environ.get("EMSYNC_SERVER_SECRET")
    if env:
        return bytes.fromhex(env)
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())
