"""A device whose app was older than the server's feed (it was sent no kind it could not read, and its cursor went
past them) starts again from a snapshot once upgraded, so what it skipped (a message on an open transfer) comes."""

from __future__ import annotations

from datetime import UTC, datetime

from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.store.repositories import get_setting, set_setting
from emsync_desktop.sync.local import FEED_KEY, pull_position, store_changes
from emsync_desktop.sync.protocol import FEED_VERSION

NOW = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)


def test_a_device_that_pulled_with_an_older_feed_starts_again_from_a_snapshot(app_context: AppContext) -> None:
    store_changes(app_context.store, [], 500, account="maria")  # pulled to 500 with the older app
    with app_context.store.sessions.begin() as session:
        set_setting(session, f"{FEED_KEY}.maria", str(FEED_VERSION - 1))
    assert pull_position(app_context.store, NOW, "maria") == (0, NOW)
    assert pull_position(app_context.store, NOW.replace(hour=16), "maria") == (0, NOW)  # cut short: goes on as one


def test_a_device_on_the_current_feed_pulls_on_from_its_cursor(app_context: AppContext) -> None:
    assert pull_position(app_context.store, NOW, "maria") == (0, NOW)  # a first sync: a snapshot, noted current
    store_changes(app_context.store, [], 500, account="maria")
    assert pull_position(app_context.store, NOW, "maria") == (500, None)
    with app_context.store.sessions.begin() as session:
        assert get_setting(session, f"{FEED_KEY}.maria") == str(FEED_VERSION)


def test_an_install_from_before_generations_were_kept_snapshots_once(app_context: AppContext) -> None:
    store_changes(app_context.store, [], 500, account="rahul")  # no generation noted at all
    assert pull_position(app_context.store, NOW, "rahul") == (0, NOW)
    store_changes(app_context.store, [], 900, account="rahul", snapshot_done=True)  # the snapshot's last page
    assert pull_position(app_context.store, NOW, "rahul") == (900, None)
