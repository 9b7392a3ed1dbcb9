"""Staffing red flags (issue 26; after NICE SG1 and the RCN's guidance): fewer than two registered nurses on a shift,
more than eight patients per nurse on a day shift, observations overdue. Pure: counts in, findings in words out."""

from __future__ import annotations

from dataclasses import dataclass

MIN_REGISTERED = 2
MAX_PATIENTS_PER_NURSE_BY_DAY = 8


@dataclass(frozen=True)
class RedFlag:
    when: str  # "now", "Tue 08 Dec Night 23:00-07:00"
    text: str


def shift_flags(when: str, *, nurses: int, registered: int, patients: float | None, day_shift: bool,
                patients_word: str = "patients") -> list[RedFlag]:
    """The red flags of one shift: ``patients`` None when not known (no forecast, no bed count)."""
    flags = []
    if registered < MIN_REGISTERED:
        flags.append(RedFlag(when, f"{registered} registered nurse{'' if registered == 1 else 's'} rostered "
                                   f"(fewer than {MIN_REGISTERED})"))
    if day_shift and patients is not None:
        if nurses == 0:
            flags.append(RedFlag(when, f"{patients:.0f} {patients_word} and no nurse rostered"))
        elif patients / nurses > MAX_PATIENTS_PER_NURSE_BY_DAY:
            flags.append(RedFlag(when, f"{patients / nurses:.1f} {patients_word} per nurse ({patients:.0f} for "
                                       f"{nurses}; more than {MAX_PATIENTS_PER_NURSE_BY_DAY})"))
    return flags


def observations_flag(overdue: int) -> RedFlag | None:
    if overdue == 0:
        return None
    return RedFlag("now", f"{overdue} patient{'' if overdue == 1 else 's'}' observations overdue")
