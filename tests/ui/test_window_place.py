"""The window fits the screen it opens on and comes back where it was closed."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from emsync_desktop.services.preferences import load_window_geometry, save_window_geometry
from emsync_desktop.ui.app import PREFERRED_SIZE, place_window
from emsync_desktop.ui.main_window import MainWindow


def test_a_new_window_never_opens_larger_than_the_screen(qtbot: QtBot, window: MainWindow) -> None:
    place_window(window, None)
    area = window.screen().availableGeometry()
    assert window.width() <= max(min(PREFERRED_SIZE[0], area.width()), window.minimumWidth())
    assert window.height() <= max(min(PREFERRED_SIZE[1], area.height()), window.minimumHeight())


def test_the_size_it_was_closed_at_comes_back(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1100, 700)
    save_window_geometry(window.context.store, bytes(window.saveGeometry().data()))
    window.resize(1300, 760)
    saved = load_window_geometry(window.context.store)
    assert saved is not None
    area = window.screen().availableGeometry()
    place_window(window, saved)
    if area.width() >= 1100 and area.height() >= 700:
        assert window.size().toTuple() == (1100, 700)
    else:  # a smaller screen than the one it was closed on: the preferred size, fitted
        assert window.width() <= max(area.width(), window.minimumWidth())


def test_asking_the_server_before_it_is_signed_in_says_what_to_do(window: MainWindow) -> None:
    import pytest

    with pytest.raises(ValueError, match="not signed in to it"):
        window.fetch_blob("0" * 64)
    with pytest.raises(ValueError, match="not signed in to the sync server yet"):
        window.verify_audit([])
