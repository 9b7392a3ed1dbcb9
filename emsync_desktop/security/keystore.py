"""Per-install data key: kept by the OS keyring, or wrapped by a passphrase.

Order of preference:
1. The OS keyring (Secret Service, macOS Keychain, Windows Credential Locker)
   when a real backend is available and ``EMSYNC_KEYRING`` is not ``off``.
2. ``keystore.json`` in the data dir: the data key wrapped with AES-256-GCM under
   a key derived with scrypt from a passphrase the user types on first start.

Demo installs generate the passphrase and store it in ``DEMO-PASSPHRASE.txt``
beside the data so the demo starts unattended. That file says what it is; a real
install never writes it.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from Crypto.Cipher import AES
from Crypto.Protocol.KDF import scrypt
from Crypto.Random import get_random_bytes

from emsync_desktop.security.crypto import new_data_key

KEYRING_SERVICE = "emsync-desktop"
KEYSTORE_FILE = "keystore.json"
DEMO_PASSPHRASE_FILE = "DEMO-PASSPHRASE.txt"
MIN_PASSPHRASE_CHARS = 10
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1


class KeyStoreError(Exception):
    """The data key cannot be had. The message says what to do."""


class WrongPassphrase(KeyStoreError):
    pass


@dataclass(frozen=True)
class PassphraseRequest:
    """What the app must ask: ``first_start`` means choose a new passphrase."""

    first_start: bool
    attempt: int
    error: str | None = None


PassphraseProvider = Callable[[PassphraseRequest], str | None]


def load_data_key(
    data_dir: Path, install_id: str, ask_passphrase: PassphraseProvider, *, demo: bool = False
) -> tuple[bytes, str]:
    """Return (data key, where it is kept). Raises KeyStoreError when the user gives up."""
    keystore = data_dir / KEYSTORE_FILE
    if not keystore.exists():
        keyring_key = _keyring_get(install_id)
        if keyring_key is not None:
            return keyring_key, "OS keyring"
        if _keyring_usable():
            key = new_data_key()
            if _keyring_set(install_id, key):
                return key, "OS keyring"
        return _create_wrapped(data_dir, ask_passphrase, demo=demo), "passphrase"
    return _unwrap_with_retries(keystore, data_dir, ask_passphrase), "passphrase"


def _unwrap_with_retries(keystore: Path, data_dir: Path, ask: PassphraseProvider) -> bytes:
    demo_file = data_dir / DEMO_PASSPHRASE_FILE
    if demo_file.exists():
        return unwrap_key(keystore, _read_demo_passphrase(demo_file))
    error = None
    for attempt in range(1, 6):
        passphrase = ask(PassphraseRequest(first_start=False, attempt=attempt, error=error))
        if passphrase is None:
            raise KeyStoreError("No passphrase given: the case data stays locked. Start again to retry.")
        try:
            return unwrap_key(keystore, passphrase)
        except WrongPassphrase as exc:
            error = str(exc)
    raise WrongPassphrase("Wrong passphrase five times. Start the app again to retry; no data was changed.")


def _create_wrapped(data_dir: Path, ask: PassphraseProvider, *, demo: bool) -> bytes:
    if demo:
        passphrase = secrets.token_urlsafe(24)
        _write_demo_passphrase(data_dir / DEMO_PASSPHRASE_FILE, passphrase)
    else:
        passphrase = _ask_new_passphrase(ask)
    key = new_data_key()
    wrap_key(data_dir / KEYSTORE_FILE, key, passphrase)
    return key


def _ask_new_passphrase(ask: PassphraseProvider) -> str:
    error = None
    for attempt in range(1, 6):
        passphrase = ask(PassphraseRequest(first_start=True, attempt=attempt, error=error))
        if passphrase is None:
            raise KeyStoreError("No passphrase chosen: the app cannot protect patient data without one.")
        if len(passphrase) >= MIN_PASSPHRASE_CHARS:
            return passphrase
        error = f"Use at least {MIN_PASSPHRASE_CHARS} characters."
    raise KeyStoreError("No usable passphrase chosen. Start the app again to retry.")


def wrap_key(path: Path, key: bytes, passphrase: str) -> None:
    """Write ``key`` wrapped under ``passphrase`` atomically (write, fsync, rename)."""
    salt = get_random_bytes(16)
    kek = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    cipher = AES.new(kek, AES.MODE_GCM)
    wrapped, tag = cipher.encrypt_and_digest(key)
    record = {
        "format": 1,
        "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": salt.hex()},
        "nonce": cipher.nonce.hex(),
        "tag": tag.hex(),
        "wrapped_key": wrapped.hex(),
    }
    _atomic_write(path, json.dumps(record, indent=2))


def unwrap_key(path: Path, passphrase: str) -> bytes:
    try:
        record = json.loads(path.read_text("utf-8"))
        kdf = record["kdf"]
        kek = _derive(passphrase, bytes.fromhex(kdf["salt"]), kdf["n"], kdf["r"], kdf["p"])
        cipher = AES.new(kek, AES.MODE_GCM, nonce=bytes.fromhex(record["nonce"]))
        wrapped = bytes.fromhex(record["wrapped_key"])
        tag = bytes.fromhex(record["tag"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KeyStoreError(
            f"The key file {path} is unreadable or damaged. Restore it from backup; "
            "without it the encrypted patient details cannot be read."
        ) from exc
    try:
        return cipher.decrypt_and_verify(wrapped, tag)
    except ValueError as exc:
        raise WrongPassphrase("Wrong passphrase. Check Caps Lock and type it again.") from exc


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    derived = scrypt(passphrase.encode("utf-8"), salt, key_len=32, N=n, r=r, p=p)  # type: ignore[arg-type]
    assert isinstance(derived, bytes)
    return derived


def _write_demo_passphrase(path: Path, passphrase: str) -> None:
    text = (
        "# EMsync DEMO install: this passphrase unlocks the demo data key in keystore.json.\n"
        "# It is stored here only because this is a demo install with made-up patients.\n"
        "# A real install asks for a passphrase and never writes this file.\n"
        f"{passphrase}\n"
    )
    _atomic_write(path, text)


def _read_demo_passphrase(path: Path) -> str:
    lines = [ln for ln in path.read_text("utf-8").splitlines() if ln and not ln.startswith("#")]
    if not lines:
        raise KeyStoreError(f"{path} is empty; delete the demo data dir to start a fresh demo.")
    return lines[0].strip()


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _keyring_enabled() -> bool:
    return os.environ.get("EMSYNC_KEYRING", "auto").lower() not in {"off", "0", "no"}


def _keyring_usable() -> bool:
    if not _keyring_enabled():
        return False
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        return not isinstance(backend, fail.Keyring) and float(getattr(backend, "priority", 0)) > 0
    except Exception:  # any backend failure means "no keyring", never a crash
        return False


def _keyring_get(install_id: str) -> bytes | None:
    if not _keyring_usable():
        return None
    try:
        import keyring

        value = keyring.get_password(KEYRING_SERVICE, install_id)
    except Exception:
        return None
    return bytes.fromhex(value) if value else None


def _keyring_set(install_id: str, key: bytes) -> bool:
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, install_id, key.hex())
    except Exception:
        return False
    return True
