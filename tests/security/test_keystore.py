from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from emsync_desktop.security import keystore
from emsync_desktop.security.keystore import (
    KeyStoreError,
    PassphraseRequest,
    WrongPassphrase,
    load_data_key,
    unwrap_key,
    wrap_key,
)


@pytest.fixture(autouse=True)
def fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keystore, "SCRYPT_N", 2**10)


def test_wrapped_key_unwraps_with_the_right_passphrase(tmp_path: Path) -> None:
    wrap_key(tmp_path / "k.json", b"k" * 32, "correct horse battery")
    assert unwrap_key(tmp_path / "k.json", "correct horse battery") == b"k" * 32


def test_wrong_passphrase_is_refused_clearly(tmp_path: Path) -> None:
    wrap_key(tmp_path / "k.json", b"k" * 32, "correct horse battery")
    with pytest.raises(WrongPassphrase, match="Wrong passphrase"):
        unwrap_key(tmp_path / "k.json", "incorrect")


def test_key_file_holds_no_plain_key(tmp_path: Path) -> None:
    key = bytes(range(32))
    wrap_key(tmp_path / "k.json", key, "correct horse battery")
    assert key.hex() not in (tmp_path / "k.json").read_text()


def test_first_start_asks_for_passphrase_and_rejects_short_ones(tmp_path: Path) -> None:
    answers = iter(["short", "a long enough passphrase"])
    asked: list[PassphraseRequest] = []

    def ask(request: PassphraseRequest) -> str:
        asked.append(request)
        return next(answers)

    key, source = load_data_key(tmp_path, "install", ask)
    assert source == "passphrase" and len(key) == 32
    assert asked[0].first_start and asked[1].error == "Use at least 10 characters."
    assert load_data_key(tmp_path, "install", lambda _r: "a long enough passphrase")[0] == key


def test_wrong_passphrase_retries_then_gives_up_without_changing_files(tmp_path: Path) -> None:
    load_data_key(tmp_path, "install", lambda _r: "a long enough passphrase")
    before = (tmp_path / "keystore.json").read_bytes()
    with pytest.raises(WrongPassphrase, match="five times"):
        load_data_key(tmp_path, "install", lambda _r: "not it at all")
    assert (tmp_path / "keystore.json").read_bytes() == before


def test_cancelled_passphrase_raises(tmp_path: Path) -> None:
    with pytest.raises(KeyStoreError, match="No passphrase chosen"):
        load_data_key(tmp_path, "install", lambda _r: None)


def test_demo_install_writes_labelled_passphrase_file(tmp_path: Path) -> None:
    key, _ = load_data_key(tmp_path, "install", lambda _r: None, demo=True)
    text = (tmp_path / "DEMO-PASSPHRASE.txt").read_text()
    assert "DEMO install" in text
    assert load_data_key(tmp_path, "install", lambda _r: None, demo=True)[0] == key


class MemoryKeyring(KeyringBackend):
    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


def test_os_keyring_is_used_when_available(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.setenv("EMSYNC_KEYRING", "auto")
    try:
        key, source = load_data_key(tmp_path, "install-1", lambda _r: None)
        again, _ = load_data_key(tmp_path, "install-1", lambda _r: None)
    finally:
        keyring.set_keyring(previous)
    assert source == "OS keyring" and key == again
    assert not (tmp_path / "keystore.json").exists()
    assert backend.items[("emsync-desktop", "install-1")] == key.hex()
