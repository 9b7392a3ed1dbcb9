"""Messages on a transfer between its crew, the receiving ward and the desk (issue 29). Pure rules.

- A message is text (at most ``MAX_TEXT_CHARS``) or a quick reply; an urgent one (deterioration) is highlighted
  and stays in front of the other sides until someone of each side acknowledges it.
- Marks, as the sender sees them: *queued* (saved on this device, goes when online), *delivered* (the server
  has it, so every party's screen will), *read* / *acknowledged* (a read mark from another side).
- Who is told (``notifies``): the crew and the ward, of every message of another person; the desk, of urgent
  messages and of threads it wrote in (a network's desk would otherwise hear every crew-to-ward word).

Times are aware datetimes (UTC), shown in local time.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.roles import Role

MAX_TEXT_CHARS = 500
MAX_READ_MARKS = 50  # message ids in one read op


class Side(StrEnum):
    """The three parties of a transfer's thread."""

    CREW = "crew"
    WARD = "ward"
    DESK = "desk"


def side_of(role: Role) -> Side | None:
    """The side a role writes for; None: the role takes no part in threads (admins)."""
    return {Role.PARAMEDIC: Side.CREW, Role.NURSE: Side.WARD, Role.COORDINATOR: Side.DESK}.get(role)


@dataclass(frozen=True)
class QuickReply:
    key: str
    text: str
    urgent: bool = False


QUICK_REPLIES: dict[Side, tuple[QuickReply, ...]] = {
    Side.CREW: (QuickReply("eta_5", "ETA 5 min"), QuickReply("need_resus", "Need resus bay"),
                QuickReply("deteriorating", "Patient deteriorating", urgent=True),
                QuickReply("at_door", "At the door")),
    Side.WARD: (QuickReply("ready", "Ready for you"), QuickReply("resus_ready", "Resus bay ready"),
                QuickReply("use_er", "Come to the ER entrance"), QuickReply("call_ward", "Call the ward")),
    Side.DESK: (QuickReply("noted", "Noted"), QuickReply("call_desk", "Call the desk"),
                QuickReply("redirect_coming", "Redirect coming: wait for the new destination")),
}
QUICK_REPLY_BY_KEY = {reply.key: reply for replies in QUICK_REPLIES.values() for reply in replies}


class MessageProblem(ValueError):
    """A message that cannot be sent as typed; the text says what to do."""


def clean_text(text: str) -> str:
    """The text as it will be sent: line ends kept, other control characters dropped, ends trimmed."""
    kept = "".join(ch for ch in text.replace("\r\n", "\n").replace("\r", "\n")
                   if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return kept.strip()


def check_text(text: str) -> str:
    """The cleaned text, or MessageProblem saying what to change."""
    cleaned = clean_text(text)
    if not cleaned:
        raise MessageProblem("Type a message or choose a quick reply.")
    if len(cleaned) > MAX_TEXT_CHARS:
        raise MessageProblem(f"The message is {len(cleaned)} characters; shorten it to {MAX_TEXT_CHARS} or fewer "
                             "(or call).")
    return cleaned


@dataclass(frozen=True)
class ReadMark:
    user_id: str
    name: str
    side: Side
    read_at: datetime
    acknowledged_at: datetime | None = None


@dataclass(frozen=True)
class Message:
    """One message as a device holds it. ``state``: 'pending' (queued here), 'synced' (the server has it),
    'rejected' (refused: ``reason`` says why)."""

    id: str
    transfer_id: str
    text: str
    urgent: bool
    sender_id: str
    sender_name: str
    sender_side: Side
    sent_at: datetime
    state: str
    reason: str | None
    reads: tuple[ReadMark, ...]

    def acknowledged_by(self, side: Side) -> ReadMark | None:
        """The first acknowledgement from ``side``, if any."""
        marks = [m for m in self.reads if m.side is side and m.acknowledged_at is not None]
        return min(marks, key=lambda m: m.acknowledged_at or m.read_at, default=None)


def sender_mark(message: Message) -> str:
    """The sender's marks: 'queued — goes when online', 'delivered', 'read by A. Nair (ward) 14:03',
    'acknowledged by …', or 'not sent: reason'."""
    if message.state not in ("pending", "synced"):  # rejected (or a conflict: an id used already)
        return f"not sent: {message.reason or 'refused by the server'}"
    if message.state == "pending":
        return "queued — goes when online"
    others = [m for m in message.reads if m.side is not message.sender_side]
    acks = [m for m in others if m.acknowledged_at is not None]
    if acks:
        return "acknowledged by " + _who(acks, acknowledged=True)
    if others:
        return "read by " + _who(others, acknowledged=False)
    return "delivered" + (" — waiting for acknowledgement" if message.urgent else "")


NAMED_MARKS = 3  # people named under a message; more are counted


def _who(marks: list[ReadMark], *, acknowledged: bool) -> str:
    """Who read (or acknowledged) and when, first first: 'Maria Joseph (ward) 14:03, Rahul Nair (desk) 14:04'."""
    def at(mark: ReadMark) -> datetime:
        return (mark.acknowledged_at or mark.read_at) if acknowledged else mark.read_at

    ordered = sorted(marks, key=at)
    named = ", ".join(f"{m.name} ({m.side.value}) {clock(at(m))}" for m in ordered[:NAMED_MARKS])
    more = f" and {len(ordered) - NAMED_MARKS} more" if len(ordered) > NAMED_MARKS else ""
    return named + more


def seen_by(message: Message, user_id: str) -> bool:
    return message.sender_id == user_id or any(m.user_id == user_id for m in message.reads)


def awaits_acknowledgement(message: Message, side: Side) -> bool:
    """An urgent message from another side that nobody of ``side`` has acknowledged yet."""
    return message.urgent and message.sender_side is not side and message.acknowledged_by(side) is None \
        and message.state == "synced"


def notifies(message: Message, user_id: str, side: Side, desk_wrote: bool = False) -> bool:
    """Whether ``message`` should be put in front of this user (banner) until read (or acknowledged).
    ``desk_wrote``: the desk has written in this message's thread (a desk is told only of those and urgent)."""
    if awaits_acknowledgement(message, side):
        return True
    if seen_by(message, user_id) or message.sender_side is side:
        return False
    return side is not Side.DESK or desk_wrote
