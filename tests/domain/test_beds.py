import pytest

from emsync_desktop.domain.beds import STATUS_KEYS, BedChangeRefused, BedStatus, check_manual_change


def test_every_status_but_reserved_has_one_key() -> None:
    assert set(STATUS_KEYS.values()) == set(BedStatus) - {BedStatus.RESERVED}
    assert all(len(key) == 1 for key in STATUS_KEYS)


def test_reserved_is_never_set_by_hand() -> None:
    with pytest.raises(BedChangeRefused, match="set by a bed hold"):
        check_manual_change(BedStatus.AVAILABLE, BedStatus.RESERVED)


def test_a_held_bed_cannot_be_changed_by_hand() -> None:
    with pytest.raises(BedChangeRefused, match="held for an incoming transfer"):
        check_manual_change(BedStatus.RESERVED, BedStatus.CLEANING)


def test_other_changes_are_allowed() -> None:
    check_manual_change(BedStatus.OCCUPIED, BedStatus.CLEANING)
    check_manual_change(BedStatus.CLEANING, BedStatus.ISOLATION)
