"""Staffing red flags (issue 26): under two registered nurses, over eight patients per nurse by day, observations
overdue."""

from __future__ import annotations

from emsync_desktop.domain.staffing import observations_flag, shift_flags


def test_one_registered_nurse_is_a_red_flag_by_day_and_by_night() -> None:
    for day_shift in (True, False):
        [flag] = shift_flags("Mon Night", nurses=4, registered=1, patients=None, day_shift=day_shift)
        assert flag.text == "1 registered nurse rostered (fewer than 2)"


def test_more_than_eight_patients_per_nurse_by_day_is_a_red_flag_but_not_at_night() -> None:
    [flag] = shift_flags("now", nurses=3, registered=2, patients=27, day_shift=True)
    assert flag.text.startswith("9.0 patients per nurse (27 for 3")
    assert shift_flags("now", nurses=3, registered=2, patients=24, day_shift=True) == []
    assert shift_flags("now", nurses=3, registered=2, patients=27, day_shift=False) == []


def test_patients_with_no_nurse_rostered_is_a_red_flag() -> None:
    [flag] = shift_flags("now", nurses=0, registered=0, patients=5, day_shift=True)[1:]
    assert flag.text == "5 patients and no nurse rostered"


def test_overdue_observations_are_counted() -> None:
    assert observations_flag(0) is None
    flag = observations_flag(2)
    assert flag is not None and flag.text == "2 patients' observations overdue"
