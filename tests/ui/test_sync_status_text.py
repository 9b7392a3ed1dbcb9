"""The status bar names what sync could not do: a change held back, an unexpected error it retries."""

from __future__ import annotations

from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.ui.sync_bridge import describe


def test_online_with_a_held_change_names_it_and_is_not_good_news() -> None:
    held = ("bed ICU-01 belongs to a hospital this device does not know yet (h9)", "bed ICU-02 …")
    text, good = describe(SyncStatus(True, 0, None, None, held=held))
    assert not good and "not applied here: bed ICU-01 belongs to a hospital" in text and "(and 1 more)" in text


def test_an_unexpected_error_is_shown_as_it_is_with_the_retry() -> None:
    error = "Sync stopped on an unexpected error and will try again: ValueError: boom"
    text, good = describe(SyncStatus(False, 2, None, error))
    assert not good and "ValueError: boom" in text and "2 changes waiting" in text


def test_online_with_nothing_held_is_good_news() -> None:
    assert describe(SyncStatus(True, 0, None, None))[1]


def test_a_first_sync_says_how_far_it_has_got() -> None:
    text, good = describe(SyncStatus(True, 0, None, None, first_sync_records=12000))
    assert good and "Getting this device ready: 12,000 records from the server so far" in text


def test_a_shared_pc_says_whose_changes_wait_for_their_owner() -> None:
    text, _good = describe(SyncStatus(True, 0, None, None, others_waiting=2))
    assert "0 changes waiting to send (and 2 of others, sent when they next sign in here)" in text
