"""Times as people read them: local wall-clock time of this machine, with the zone named where a
document leaves the device. Stored times stay UTC (aware datetimes); only display converts.

A naive datetime is taken to be UTC (the store's SQLite columns come back naive in some paths), so a
missing zone can never shift a time by the local offset twice.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta


def local_midnight(day: date) -> datetime:
    """Midnight at the start of ``day`` in this machine's zone, as an aware datetime (a day is 23 to 25 hours)."""
    return datetime.combine(day, time()).astimezone()


def to_local(moment: datetime) -> datetime:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone()


def clock(moment: datetime) -> str:
    """'07:37' in local time."""
    return to_local(moment).strftime("%H:%M")


def day_and_clock(moment: datetime) -> str:
    """'04 Dec 07:37' in local time."""
    return to_local(moment).strftime("%d %b %H:%M")


def zone_name(moment: datetime) -> str:
    """'IST', or '+0530' where the zone has no abbreviation."""
    local = to_local(moment)
    name = local.tzname() or ""
    return name if name and not name.startswith(("+", "-")) else local.strftime("%z")


def stamped(moment: datetime) -> str:
    """'04 Dec 2026 07:37 IST (UTC+05:30)': a date and time with its zone, for documents and exports."""
    local = to_local(moment)
    offset = local.strftime("%z")
    utc_offset = f"UTC{offset[:3]}:{offset[3:]}"
    name = zone_name(moment)
    zone = f"{name} ({utc_offset})" if name[:1].isalpha() else utc_offset
    return f"{local.strftime('%d %b %Y %H:%M')} {zone}"


_CLOCK_TEXT = re.compile(r"^\s*(\d{1,2})\s*[:.h]?\s*(\d{2})\s*$")


def parse_clock(text: str, now: datetime) -> tuple[datetime | None, str | None]:
    """A local wall-clock time typed as '07:42', '7.42' or '0742' -> the aware UTC moment nearest ``now``
    (within 12 hours either way, so 23:55 typed just after midnight is last night). Blank gives
    (None, None). A time later than now is returned as typed: the caller refuses it with its own words."""
    if not text.strip():
        return None, None
    match = _CLOCK_TEXT.match(text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        return None, f"'{text.strip()}' is not a time: type hours and minutes, e.g. 07:42."
    local_now = to_local(now)
    moment = local_now.replace(hour=int(match[1]), minute=int(match[2]), second=0, microsecond=0)
    if moment - local_now > timedelta(hours=12):
        moment -= timedelta(days=1)
    elif local_now - moment > timedelta(hours=12):
        moment += timedelta(days=1)
    return moment.astimezone(UTC), None
