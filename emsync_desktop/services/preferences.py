"""Per-device preferences kept in the local store."""

from __future__ import annotations

from emsync_desktop.domain.patient import check_phone
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


CREW_PHONE_KEY = "crew.phone"


def load_crew_phone(store: Store) -> str:
    """The phone the receiving ward can call this ambulance on (a per-device setting; '' if not given)."""
    with store.sessions.begin() as session:
        return get_setting(session, CREW_PHONE_KEY) or ""


def save_crew_phone(store: Store, phone: str) -> str | None:
    """Save it; returns a message for people when it is not a phone number (nothing is saved then)."""
    error = check_phone(phone) if phone.strip() else None
    if error:
        return error
    with store.sessions.begin() as session:
        set_setting(session, CREW_PHONE_KEY, phone.strip())
    return None


GEOMETRY_KEY = "ui.window_geometry"


def load_window_geometry(store: Store) -> bytes | None:
    """The main window's size and place as Qt saved them (opaque bytes), or None."""
    import base64

    with store.sessions.begin() as session:
        text = get_setting(session, GEOMETRY_KEY)
    try:
        return base64.b64decode(text) if text else None
    except ValueError:
        return None


def save_window_geometry(store: Store, geometry: bytes) -> None:
    import base64

    with store.sessions.begin() as session:
        set_setting(session, GEOMETRY_KEY, base64.b64encode(geometry).decode("ascii"))
