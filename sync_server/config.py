"""Server settings: command line and environment, never secrets in code."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

SECRET_FILE = "server-secret"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ThrottlePolicy:
    """Delays after failed sign-ins under one key: ``free_failures`` cost nothing, then each failure
    blocks the key for ``first_delay_s``, doubling, at most ``max_delay_s``. A key whose last failure is
    ``forget_after_s`` old starts again from nothing."""

    free_failures: int
    first_delay_s: float
    max_delay_s: float
    forget_after_s: float

    def delay_s(self, failures: int) -> float:
        """How long the key is blocked after its ``failures``-th failure (0: not at all)."""
        over = failures - self.free_failures
        return 0.0 if over <= 0 else min(self.max_delay_s, self.first_delay_s * 2.0 ** min(over - 1, 60))


# Per account: capped at a minute, so nobody can keep a real user out for longer than that per try.
ACCOUNT_THROTTLE = ThrottlePolicy(free_failures=5, first_delay_s=1.0, max_delay_s=60.0, forget_after_s=900.0)
# Per client address: more free failures (a hospital's PCs may share one address), then a longer cap and
# a longer memory, so an address guessing (one account or many) stays blocked long after the account's
# own delay has topped out.
ADDRESS_THROTTLE = ThrottlePolicy(free_failures=10, first_delay_s=1.0, max_delay_s=900.0, forget_after_s=3600.0)


@dataclass(frozen=True)
class Settings:
    db_url: str
    secret: bytes
    hold_minutes: float = 15.0
    # Access tokens: 5 minutes. Disabling an account is checked on every request, so this only bounds
    # how long a copied access token outlives a sign-out (its session) and how stale its claims get;
    # renewing costs the device one refresh (a row update, no password hash) every 5 minutes.
    access_ttl_s: int = 300
    refresh_ttl_s: int = 7 * 24 * 3600
    expiry_sweep_s: float = 10.0
    blob_dir: Path | None = None  # radiograph files; default: beside a SQLite file, else ./emsync-blobs
    account_throttle: ThrottlePolicy = ACCOUNT_THROTTLE
    address_throttle: ThrottlePolicy = ADDRESS_THROTTLE
    password_checks: int = 2  # argon2 verifications at once in this process (each takes a core for ~50 ms)
    password_check_wait_s: float = 10.0  # a sign-in waiting longer than this for one is told to retry (503)
    account_watch_s: float = 1.0  # how often open live connections are checked for disabled accounts
    clock: Callable[[], datetime] = field(default=utc_now, compare=False)  # injectable for tests


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
