"""Opening a data dir: install identity, data key, database, demo seed.

Threading: ``open_app`` does disk I/O and key derivation; the UI runs it before
any window exists or on the DbRunner thread.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from emsync_desktop.domain.ids import new_id
from emsync_desktop.security.keystore import PassphraseProvider, load_data_key
from emsync_desktop.services.demo import seed_demo_network
from emsync_desktop.store.database import DB_FILE, Store
from emsync_desktop.store.engine import InstanceLock, StoreError

INSTALL_FILE = "install.json"


@dataclass(frozen=True)
class InstallInfo:
    install_id: str
    device_id: str
    demo: bool


@dataclass
class AppContext:
    """Everything a running app holds open. ``close`` releases it all."""

    data_dir: Path
    install: InstallInfo
    store: Store
    key_source: str
    lock: InstanceLock

    def close(self) -> None:
        self.store.close()
        self.lock.release()


def load_install(data_dir: Path, *, demo: bool) -> InstallInfo:
    path = data_dir / INSTALL_FILE
    if path.exists():
        try:
            data = json.loads(path.read_text("utf-8"))
            return InstallInfo(data["install_id"], data["device_id"], bool(data["demo"]))
        except (ValueError, KeyError) as exc:
            raise StoreError(f"{path} is damaged. Restore it from backup; it names this device's key.") from exc
    info = InstallInfo(new_id(), new_id(), demo)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(info.__dict__, indent=2), "utf-8")
    os.replace(tmp, path)
    return info


def open_app(data_dir: Path, ask_passphrase: PassphraseProvider, *, demo: bool = True) -> AppContext:
    """Open (creating if new) the data dir. Raises StoreError/KeyStoreError with user messages."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = InstanceLock(data_dir / "emsync.lock")
    lock.acquire()
    try:
        install = load_install(data_dir, demo=demo)
        key, key_source = load_data_key(data_dir, install.install_id, ask_passphrase, demo=install.demo)
        store = Store.open(data_dir / DB_FILE, key)
        if install.demo:
            with store.sessions.begin() as session:
                seed_demo_network(session)
    except BaseException:
        lock.release()
        raise
    return AppContext(data_dir, install, store, key_source, lock)
