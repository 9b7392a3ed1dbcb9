"""Server settings: command line and environment, never secrets in code."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from emsync_desktop.domain.roles import MFA_REQUIRED_ROLES

SECRET_FILE = "server-secret"
AUDIT_KEY_FILE = "audit-key"
AUDIT_ANCHOR_FILE = "audit-anchors.jsonl"
DEFAULT_BLOB_QUOTA_MB = 2048


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
    upkeep_every_s: float = 60.0  # feed compaction and planner statistics (``upkeep``)
    # Forecasts (``forecasting.job``): refitted this often, the first time this long after start-up (a server
    # started for a few seconds, as in tests, never fits).
    forecast_every_s: float = 3600.0
    forecast_first_after_s: float = 120.0
    blob_dir: Path | None = None  # radiograph files; default: beside a SQLite file, else ./emsync-blobs
    # Roles that must give a TOTP code (and enrol at their next sign-in); empty only for demo servers.
    mfa_required_roles: frozenset[str] = frozenset(role.value for role in MFA_REQUIRED_ROLES)
    # The audit chain's HMAC key (kept apart from the database); None: derived from ``secret``.
    audit_key: bytes | None = None
    # Signed chain heads, kept outside the database; None: beside a SQLite file, else in memory only.
    audit_anchor_file: Path | None = None
    audit_anchor_every_s: float = 300.0  # sign the chain head this often (if it moved) ...
    audit_anchor_every_events: int = 1000  # ... or once this many events were appended since the last anchor
    require_valid_audit: bool = False  # refuse to start when the chain does not verify (else: log an error)
    # Bytes of radiograph files one account may send, in all (each file counted whole from its first
    # chunk, finished or not); ``--blob-quota-mb``.
    blob_quota_bytes: int = DEFAULT_BLOB_QUOTA_MB * 2**20
    account_throttle: ThrottlePolicy = ACCOUNT_THROTTLE
    address_throttle: ThrottlePolicy = ADDRESS_THROTTLE
    password_checks: int = 2  # argon2 verifications at once in this process (each takes a core for ~50 ms)
    password_check_wait_s: float = 10.0  # a sign-in waiting longer than this for one is told to retry (503)
    account_watch_s: float = 1.0  # how often open live connections are checked for disabled accounts
    clock: Callable[[], datetime] = field(default=utc_now, compare=False)  # injectable for tests

    def chain_key(self) -> bytes:
        return self.audit_key if self.audit_key is not None else derive_audit_key(self.secret)


def default_blob_dir(db_url: str) -> Path:
    if db_url.startswith("sqlite:///"):
        return Path(db_url.removeprefix("sqlite:///")).parent / "blobs"
    return Path("emsync-blobs").resolve()


def default_anchor_file(db_url: str) -> Path | None:
    """Beside a SQLite file; for PostgreSQL there is no good default (``python -m sync_server`` gives one)."""
    if db_url.startswith("sqlite:///"):
        return Path(db_url.removeprefix("sqlite:///")).parent / AUDIT_ANCHOR_FILE
    return None


def load_secret(data_dir: Path) -> bytes:
    """``$EMSYNC_SERVER_SECRET`` (hex) if set, else a random secret kept in ``data_dir`` (mode 0600).

    It signs access and refresh tokens (``tokens``) and seals TOTP secrets (``mfa``). Processes sharing one
    database (issue 23) must share it too, by the variable or one data dir: made per data dir, a token of
    one process is refused by another (401), and a second factor enrolled at one does not open at another.
    Not kept in the database on purpose: whoever reads a backup of it could then forge any token."""
    return _load_key("EMSYNC_SERVER_SECRET", data_dir / SECRET_FILE)


def load_audit_key(data_dir: Path, *, create: bool = True) -> bytes | None:
    """The audit chain's HMAC key: ``$EMSYNC_AUDIT_KEY`` (hex) if set, else a random key kept in
    ``data_dir/audit-key`` (mode 0600, made on first use unless ``create`` is False: then None if there is
    none). Never in the database: whoever can write the database must not be able to recompute the chain."""
    path = data_dir / AUDIT_KEY_FILE
    if not create and not os.environ.get("EMSYNC_AUDIT_KEY") and not path.exists():
        return None
    return _load_key("EMSYNC_AUDIT_KEY", path)


def derive_audit_key(secret: bytes) -> bytes:
    """An audit key for a server given none (tests, embedded use): separate from the token key it comes from."""
    return hmac.new(secret, b"emsync audit chain key", hashlib.sha256).digest()


def _load_key(env_name: str, path: Path) -> bytes:
    env = os.environ.get(env_name)
    if env:
        return bytes.fromhex(env)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())
