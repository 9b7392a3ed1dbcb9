"""Blood donors (issue 24): when each may give again, and whom to call when a group runs low. Pure rules.

The gap after a donation follows what was given (``blood.DONATION_INTERVALS``: whole blood 8 weeks and double red
cells 16 weeks, 21 CFR 630.15; platelets 7 days; plasma 4 weeks), or a deferral (travel, illness, a tattoo) if it
ends later. The call-up list for a short group holds that group's donors who may give now, those who gave longest
ago (or never) first: they are the most rested, and spreading calls keeps goodwill."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from emsync_desktop.domain.blood import DONATION_INTERVALS, BloodGroup, Donation, next_eligible

MAX_NAME_CHARS = 120
MAX_PHONE_CHARS = 32


@dataclass(frozen=True)
class DonorRecord:
    id: str
    name: str
    phone: str
    group: BloodGroup
    last_given: datetime | None
    last_kind: Donation | None
    deferred_until: datetime | None

    def eligible_from(self, intervals: Intervals = DONATION_INTERVALS) -> datetime | None:
        """When this donor may give again (None: now, nothing holds them back)."""
        kind = self.last_kind or Donation.WHOLE_BLOOD
        return next_eligible(self.last_given, kind, self.deferred_until, intervals)

    def may_give(self, now: datetime, intervals: Intervals = DONATION_INTERVALS) -> bool:
        eligible = self.eligible_from(intervals)
        return eligible is None or eligible <= now


Intervals = dict[Donation, timedelta]


def intervals_from_days(days: dict[str, int] | None) -> Intervals:
    """A blood bank's own gaps after each kind of donation (days), else the defaults."""
    if not days:
        return dict(DONATION_INTERVALS)
    return {kind: timedelta(days=int(days.get(kind.value, DONATION_INTERVALS[kind].days))) for kind in Donation}


def call_up_list(donors: list[DonorRecord], short: list[BloodGroup], now: datetime,
                 intervals: Intervals = DONATION_INTERVALS) -> list[DonorRecord]:
    """The donors to call for the groups that are short, by group in the order given, each group's most rested
    first (never given, then the longest since their last donation)."""
    wanted = list(dict.fromkeys(short))
    ready = [d for d in donors if d.group in wanted and d.may_give(now, intervals)]
    return sorted(ready, key=lambda d: (wanted.index(d.group), d.last_given is not None,
                                        d.last_given or now, d.name))


def donation_problem(donor: DonorRecord, at: datetime, deferral_reason: str = "",
                     intervals: Intervals = DONATION_INTERVALS) -> str | None:
    """Why ``donor`` may not give at ``at`` (deferred, or too soon after the last donation), or None."""
    if donor.deferred_until is not None and at < donor.deferred_until:
        return deferred_text(donor.deferred_until, deferral_reason)
    eligible = donor.eligible_from(intervals)
    if eligible is not None and at < eligible:
        return (f"{donor.name} gave on {donor.last_given:%d %b %Y} and may give again from {eligible:%d %b %Y}: "
                "do not bleed them today.")
    return None


def same_donor(name: str, phone: str, other_name: str, other_phone: str) -> bool:
    """One person registered twice: the same name (case and spaces aside) and the same phone digits."""
    def digits(text: str) -> str:
        return "".join(ch for ch in text if ch.isdigit())
    return " ".join(name.split()).casefold() == " ".join(other_name.split()).casefold() and \
        digits(phone) == digits(other_phone)


def deferred_text(until: datetime, reason: str) -> str:
    """Why a donation is refused for a deferred donor (device and server say the same)."""
    return (f"This donor is deferred until {until:%d %b %Y}" + (f" ({reason})" if reason else "")
            + ": lift the deferral first if a doctor has cleared them.")


def csv_cell(text: str) -> str:
    """A value for a spreadsheet: one starting with = + - @ is kept as text (a leading apostrophe), so a name typed
    as a formula is never run when the call-up list is opened."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


class DonorProblem(ValueError):
    """What was typed about a donor cannot be right; the text says what to do."""


def check_donor(name: str, phone: str) -> tuple[str, str]:
    """The name and phone as kept: trimmed; a name is needed, a phone needs digits (+, spaces, dashes allowed)."""
    name, phone = " ".join(name.split()), phone.strip()
    if not name:
        raise DonorProblem("Type the donor's full name.")
    if len(name) > MAX_NAME_CHARS:
        raise DonorProblem(f"A name of at most {MAX_NAME_CHARS} characters, please.")
    digits = sum(ch.isdigit() for ch in phone)
    if phone and (digits < 6 or any(not (ch.isdigit() or ch in "+ -()") for ch in phone)):
        raise DonorProblem("A phone number is digits (with +, spaces or dashes): check it, or leave it empty.")
    if len(phone) > MAX_PHONE_CHARS:
        raise DonorProblem(f"A phone number of at most {MAX_PHONE_CHARS} characters, please.")
    return name, phone
