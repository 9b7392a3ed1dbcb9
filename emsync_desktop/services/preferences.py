"""Per-device preferences kept in the local store."""

from __future__ import annotations

from emsync_desktop.store.database import Store
from emsync_desktop.store.repositories import get_setting, set_setting

THEME_KEY = "ui.theme"


def load_theme(store: Store) -> str:
    with store.sessions.begin() as session:
        value = get_setting(session, THEME_KEY)
    return value if value in ("light", "dark") else "light"


def save_theme(store: Store, name: str) -> None:
    if name not in ("light", "dark"):
        raise ValueError(f"unknown theme {name!r}")
    with store.sessions.begin() as session:
        set_setting(session, THEME_KEY, name)
