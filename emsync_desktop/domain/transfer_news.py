"""What the latest step of a transfer tells the people it is for, in their words: the crew sees who
accepted, rejected (and why) or redirected their patient; the old ward sees where the patient went.

A step is the server's history entry: state, by, by_name, at (ISO, UTC), reason, and for a redirect
``redirected_from`` / ``redirected_to`` (hospital ids). Pure: names of hospitals are passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from emsync_desktop.domain.local_time import clock

Step = Mapping[str, str]


def is_redirect(step: Step) -> bool:
    return "redirected_from" in step or step.get("reason", "").startswith("redirected to ")


def latest_news(history: Sequence[Step]) -> tuple[str, str] | None:
    """(kind, words) of the newest step worth telling the crew, or None (just requested). ``kind`` is
    good, bad or moved: how a screen colours it."""
    if len(history) < 2:
        return None
    step = history[-1]
    who, at, reason = step.get("by_name") or "someone", _at(step), (step.get("reason") or "").strip()
    state = step.get("state", "")
    if is_redirect(step):
        where = reason.removeprefix("redirected to ")
        return "moved", f"↪ Redirected by {who}{at} to {where}"
    because = f": {reason}" if reason else ""
    words = {"ACCEPTED": ("good", f"✔ Accepted by {who}{at}"),
             "REJECTED": ("bad", f"✖ Rejected by {who}{at}{because}"),
             "CANCELLED": ("bad", f"✖ Cancelled by {who}{at}{because}"),
             "EXPIRED": ("bad", f"✖ Expired{at}{because}"),
             "EN_ROUTE": ("good", f"On the way{at}"),
             "ARRIVED": ("good", f"✔ Arrived{at}"),
             "COMPLETED": ("good", f"✔ Handed over to {who}{at}")}
    return words.get(state)


def redirected_away_from(history: Sequence[Step], hospital_id: str) -> Step | None:
    """The newest redirect that took the transfer away from ``hospital_id`` (and not back), if any."""
    for step in reversed(history):
        if is_redirect(step):
            return step if step.get("redirected_from") == hospital_id else None
    return None


def last_redirect_at(history: Sequence[Step]) -> datetime | None:
    """When the transfer was last sent to another hospital: acknowledgements before it were at the old one."""
    for step in reversed(history):
        if is_redirect(step) and step.get("at"):
            return datetime.fromisoformat(step["at"])
    return None


def _at(step: Step) -> str:
    text = step.get("at")
    return f" at {clock(datetime.fromisoformat(text))}" if text else ""
