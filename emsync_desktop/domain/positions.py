"""Where an ambulance on a transfer is, as the receiving ward and the desk hear it (issue 29). Pure rules.

- A crew's device reports its position while a transfer is active, at most every ``REPORT_EVERY_S`` seconds
  unless it moved ``REPORT_AFTER_M`` metres first; only the newest report waits while offline.
- A position older than ``STALE_AFTER_S`` is no ground for an arrival time: the ward is told since when the
  position is unknown, never a confident ETA.

Units: seconds (``*_s``), metres (``*_m``); times are aware datetimes (UTC), shown in local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from emsync_desktop.domain.local_time import clock

REPORT_EVERY_S = 15.0
REPORT_AFTER_M = 150.0
MIN_REPORT_GAP_S = 3.0  # even at speed, not more often than this (a GPS jitters tens of metres)
STALE_AFTER_S = 120.0


def report_due(since_last_s: float | None, moved_m: float | None) -> bool:
    """Whether a new position should be reported: the first one, or ``REPORT_EVERY_S`` since the last report,
    or ``REPORT_AFTER_M`` moved since it (but never within ``MIN_REPORT_GAP_S``)."""
    if since_last_s is None or moved_m is None or since_last_s < 0:  # the first, or the clock went back
        return True
    if since_last_s < MIN_REPORT_GAP_S:
        return False
    return since_last_s >= REPORT_EVERY_S or moved_m >= REPORT_AFTER_M


@dataclass(frozen=True)
class LiveEta:
    """An arrival time recomputed from the ambulance's reported position."""

    eta_s: float | None  # None: no route could be computed from that position
    position_at: datetime  # when the ambulance was there (the device's fix)
    source_label: str  # where the travel time came from, e.g. "offline road graph"


def position_stale(position_at: datetime, now: datetime) -> bool:
    """Whether a position is too old to ground an arrival time on (``STALE_AFTER_S``)."""
    return (now - position_at).total_seconds() > STALE_AFTER_S


def live_eta_text(live: LiveEta | None, now: datetime) -> str:
    """'arrives in 7 min (updated 20 s ago, offline road graph)', 'position unknown since 14:02', or
    'no position reported yet'."""
    if live is None:
        return "no position reported yet"
    age_s = max((now - live.position_at).total_seconds(), 0.0)
    if position_stale(live.position_at, now):
        return f"position unknown since {clock(live.position_at)}"
    if live.eta_s is None:
        return f"updated {_ago(age_s)}, no route from there ({live.source_label})"
    minutes = max(round((live.eta_s - age_s) / 60), 0)  # the ambulance kept driving since the fix
    arrives = "arriving now" if minutes == 0 else f"arrives in {minutes} min"
    return f"{arrives} (updated {_ago(age_s)}, {live.source_label})"


def live_eta_short(live: LiveEta | None, now: datetime) -> str:
    """A map label's few words: '7 min', 'arriving now', 'no position since 14:02', 'no route', 'no position yet'."""
    if live is None:
        return "no position yet"
    if position_stale(live.position_at, now):
        return f"no position since {clock(live.position_at)}"
    if live.eta_s is None:
        return "no route"
    minutes = max(round((live.eta_s - max((now - live.position_at).total_seconds(), 0.0)) / 60), 0)
    return "arriving now" if minutes == 0 else f"{minutes} min"


def _ago(age_s: float) -> str:
    if age_s < 5:
        return "just now"
    return f"{age_s:.0f} s ago" if age_s < 60 else f"{age_s // 60:.0f} min {age_s % 60:.0f} s ago"
