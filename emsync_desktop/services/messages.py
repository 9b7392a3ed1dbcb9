"""Messages on a transfer's thread (issue 29): write, read, acknowledge, and what to put in front of the user.

Runs on the DB thread. Each action is one transaction: the local rows and the outbox op together (a message is
saved the moment Send is pressed, and goes when the device is online). Reading is marked here at once and
queues a ``message.read`` op; the server's marks come back with the message (``reads``). Marks made here are kept
per person (``MessageMark``): a shared ward PC has several users, and one's reading is never another's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, false, or_, select
from sqlalchemy.orm import Session

from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.messages import (
    MAX_READ_MARKS,
    QUICK_REPLY_BY_KEY,
    Message,
    MessageProblem,
    ReadMark,
    Side,
    awaits_acknowledgement,
    check_text,
    notifies,
    seen_by,
    side_of,
)
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.clock import utc_now
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import Hospital, MessageDraft, MessageMark, TransferMessage, TransferRecord
from emsync_desktop.sync.outbox import enqueue
from emsync_desktop.sync.protocol import MessageReadPayload, MessageSendPayload, OpKind


@dataclass(frozen=True)
class Thread:
    transfer_id: str
    title: str  # "Chest pain, 58 M · ICU → Lourdes"
    messages: list[Message]
    can_write: bool  # False: this user takes no part (admin), or the transfer is not on this device


@dataclass(frozen=True)
class Notice:
    """A message to put in front of the user on any tab: new, or urgent and not yet acknowledged by their side."""

    message: Message
    transfer_title: str
    needs_acknowledgement: bool


@dataclass(frozen=True)
class ThreadCount:
    total: int
    unread: int  # of others, not yet read by this user
    urgent_waiting: int  # urgent ones this user's side has not acknowledged


def message_button_text(count: ThreadCount | None) -> str:
    """'Messages', 'Messages (2 new)', '⚠ Messages: urgent' (a bare total, own messages included, read as new)."""
    if count is None or count.total == 0 or not (count.unread or count.urgent_waiting):
        return "Messages"
    return "⚠ Messages: urgent" if count.urgent_waiting else f"Messages ({count.unread} new)"


class MessageService:
    def __init__(self, store: Store, user: UserInfo) -> None:
        self._store = store
        self._user = user
        self._side = side_of(user.role)

    @property
    def side(self) -> Side | None:
        return self._side

    def send(self, transfer_id: str, text: str, quick_reply: str | None = None, urgent: bool = False,
             now: datetime | None = None) -> str:
        """Save and queue a message; returns its id. MessageProblem when it cannot be sent as typed.
        A quick reply's own urgency holds whatever ``urgent`` says (deterioration is always urgent)."""
        if self._side is None:
            raise MessageProblem("Your role takes no part in transfer threads.")
        reply = QUICK_REPLY_BY_KEY.get(quick_reply) if quick_reply else None
        if quick_reply and reply is None:
            raise MessageProblem(f"Unknown quick reply {quick_reply!r}.")
        cleaned = check_text(reply.text if reply and not text.strip() else text)
        urgent = urgent or bool(reply and reply.urgent)
        now = now or utc_now()
        with self._store.sessions.begin() as session:
            transfer = session.get(TransferRecord, transfer_id)
            if transfer is None:
                raise MessageProblem("This transfer is not on this device; sync, then try again.")
            if not self._takes_part(transfer):
                raise MessageProblem("This transfer is not yours (another crew's, or no longer coming to your "
                                     "hospital): its thread is with them.")
            if transfer.sync_state == "rejected":
                raise MessageProblem("The server refused this transfer, so it has no thread: call the hospital.")
            message = TransferMessage(id=new_id(), transfer_id=transfer_id, text=cleaned, urgent=urgent,
                                      sender_id=self._user.id, sender_name=self._user.display_name,
                                      sender_side=self._side.value, sent_at=now, reads="[]", version=0,
                                      sync_state="pending")
            session.add(message)
            if not quick_reply:  # the line typed goes; a quick reply leaves a half-typed line where it was
                draft = session.get(MessageDraft, (self._user.id, transfer_id))
                if draft is not None:
                    session.delete(draft)
            enqueue(session, user_id=self._user.id, kind=OpKind.MESSAGE_SEND, entity_id=message.id, now=now,
                    payload=MessageSendPayload(transfer_id=transfer_id, text=cleaned, quick_reply=quick_reply,
                                               urgent=urgent, sent_at=now))
            return message.id

    def save_draft(self, transfer_id: str, text: str, now: datetime | None = None) -> None:
        """Keep what is typed in the thread's box (empty: none)."""
        with self._store.sessions.begin() as session:
            draft = session.get(MessageDraft, (self._user.id, transfer_id))
            if not text:
                if draft is not None:
                    session.delete(draft)
                return
            if draft is None:
                session.add(MessageDraft(user_id=self._user.id, transfer_id=transfer_id, text=text,
                                         updated_at=now or utc_now()))
            else:
                draft.text, draft.updated_at = text, now or utc_now()

    def draft(self, transfer_id: str) -> str:
        with self._store.sessions() as session:
            draft = session.get(MessageDraft, (self._user.id, transfer_id))
            return draft.text if draft is not None else ""

    def thread(self, transfer_id: str) -> Thread:
        with self._store.sessions() as session:
            transfer = session.get(TransferRecord, transfer_id)
            if transfer is not None and not self._takes_part(transfer):
                return Thread(transfer_id, "Not a transfer of yours", [], can_write=False)
            rows = session.scalars(select(TransferMessage).where(TransferMessage.transfer_id == transfer_id)
                                   .order_by(TransferMessage.sent_at, TransferMessage.id)).all()
            marks = self._marks(session, [row.id for row in rows])
            title = _title(session, transfer) if transfer else "Transfer not on this device"
            writable = self._side is not None and transfer is not None and transfer.sync_state != "rejected"
            return Thread(transfer_id, title, [self._message(row, marks.get(row.id)) for row in rows], writable)

    def mark_read(self, transfer_id: str, now: datetime | None = None) -> int:
        """Mark every message of others on the thread read by this user (shown on screen); returns how many."""
        now = now or utc_now()
        with self._store.sessions.begin() as session:
            rows = session.scalars(self._in_scope(select(TransferMessage).where(
                TransferMessage.transfer_id == transfer_id, TransferMessage.sender_id != self._user.id,
                TransferMessage.sync_state == "synced"))).all()
            marks = self._marks(session, [row.id for row in rows])
            unread = [row for row in rows if not seen_by(self._message(row, marks.get(row.id)), self._user.id)]
            for row in unread:
                session.add(MessageMark(message_id=row.id, user_id=self._user.id, seen_at=now))
            self._queue_marks(session, [row.id for row in unread], acknowledge=False, now=now)
            return len(unread)

    def acknowledge(self, message_id: str, now: datetime | None = None) -> bool:
        """Acknowledge an urgent message (which reads it too); False when there is nothing to acknowledge."""
        now = now or utc_now()
        with self._store.sessions.begin() as session:
            row = session.get(TransferMessage, message_id)
            mark = session.get(MessageMark, (message_id, self._user.id))
            if row is None or not row.urgent or row.sender_id == self._user.id or row.sync_state != "synced" \
                    or (mark is not None and mark.acknowledged_at is not None):
                return False
            if mark is None:
                mark = MessageMark(message_id=message_id, user_id=self._user.id, seen_at=now)
                session.add(mark)
            mark.acknowledged_at = now
            self._queue_marks(session, [row.id], acknowledge=True, now=now)
            return True

    def notices(self) -> list[Notice]:
        """What to put in front of this user: urgent ones to acknowledge first, then the newest first."""
        side = self._side
        if side is None:
            return []
        with self._store.sessions() as session:
            # Not those this user read here (and, urgent, acknowledged here): the rest is the domain's to judge.
            done = exists().where(MessageMark.message_id == TransferMessage.id, MessageMark.user_id == self._user.id,
                                  or_(MessageMark.acknowledged_at.is_not(None), ~TransferMessage.urgent))
            rows = session.scalars(self._in_scope(select(TransferMessage).where(
                TransferMessage.sync_state == "synced", TransferMessage.sender_id != self._user.id, ~done))
                .order_by(TransferMessage.sent_at.desc())).all()
            marks = self._marks(session, [row.id for row in rows])
            desk_threads = set(session.scalars(select(TransferMessage.transfer_id).where(
                TransferMessage.sender_side == Side.DESK.value).distinct()))
            found = []
            for row in rows:
                message = self._message(row, marks.get(row.id))
                if notifies(message, self._user.id, side, desk_wrote=row.transfer_id in desk_threads):
                    transfer = session.get(TransferRecord, row.transfer_id)
                    found.append(Notice(message, _title(session, transfer) if transfer else "a transfer",
                                        awaits_acknowledgement(message, side)))
            return sorted(found, key=lambda n: not n.needs_acknowledgement)

    def counts(self) -> dict[str, ThreadCount]:
        """Per transfer with messages: how many, how many unread by this user, urgent ones awaiting this side."""
        with self._store.sessions() as session:
            rows = session.scalars(self._in_scope(select(TransferMessage))).all()
            marks = self._marks(session, [row.id for row in rows])
            found: dict[str, list[Message]] = {}
            for row in rows:
                found.setdefault(row.transfer_id, []).append(self._message(row, marks.get(row.id)))
        side = self._side
        return {transfer_id: ThreadCount(
            len(messages), sum(1 for m in messages if not seen_by(m, self._user.id) and m.state == "synced"),
            sum(1 for m in messages if side is not None and awaits_acknowledgement(m, side)))
            for transfer_id, messages in found.items()}

    def _takes_part(self, transfer: TransferRecord) -> bool:
        """Whether this user is a party to the transfer's thread here (as the server decides: the crew who
        requested it, a nurse of its current destination, a coordinator). A shared device holds others' threads."""
        if self._side is Side.CREW:
            return transfer.requested_by == self._user.id
        if self._side is Side.WARD:
            return transfer.destination_hospital_id == self._user.hospital_id
        return self._side is Side.DESK

    def _in_scope(self, query: Select[tuple[TransferMessage]]) -> Select[tuple[TransferMessage]]:
        """``query`` limited to the threads this user takes part in (``_takes_part``)."""
        if self._side is Side.DESK:
            return query
        mine = select(TransferRecord.id)
        if self._side is Side.CREW:
            mine = mine.where(TransferRecord.requested_by == self._user.id)
        elif self._side is Side.WARD:
            mine = mine.where(TransferRecord.destination_hospital_id == self._user.hospital_id)
        else:
            mine = mine.where(false())
        return query.where(TransferMessage.transfer_id.in_(mine))

    def _marks(self, session: Session, message_ids: list[str]) -> dict[str, MessageMark]:
        """This user's marks made on this device, by message."""
        found: dict[str, MessageMark] = {}
        for start in range(0, len(message_ids), 500):
            found.update((m.message_id, m) for m in session.scalars(select(MessageMark).where(
                MessageMark.user_id == self._user.id, MessageMark.message_id.in_(message_ids[start:start + 500]))))
        return found

    def _queue_marks(self, session: Session, message_ids: list[str], *, acknowledge: bool, now: datetime) -> None:
        for start in range(0, len(message_ids), MAX_READ_MARKS):
            chunk = message_ids[start:start + MAX_READ_MARKS]
            enqueue(session, user_id=self._user.id, kind=OpKind.MESSAGE_READ, entity_id=new_id(), now=now,
                    payload=MessageReadPayload(message_ids=chunk, acknowledge=acknowledge, at=now))

    def _message(self, row: TransferMessage, mark: MessageMark | None) -> Message:
        """The row as the domain sees it, with this user's own mark made here (the server's may not be back)."""
        reads = [ReadMark(m["user_id"], m["name"], Side(m["side"]), datetime.fromisoformat(m["read_at"]),
                          datetime.fromisoformat(m["acknowledged_at"]) if m["acknowledged_at"] else None)
                 for m in json.loads(row.reads) if m.get("side") in {s.value for s in Side}]
        mine = next((m for m in reads if m.user_id == self._user.id), None)
        if mark is not None and self._side is not None and (mine is None or (
                mark.acknowledged_at is not None and mine.acknowledged_at is None)):
            reads = [m for m in reads if m is not mine]
            reads.append(ReadMark(self._user.id, self._user.display_name, self._side, mark.seen_at,
                                  mark.acknowledged_at))
        return Message(row.id, row.transfer_id, row.text, row.urgent, row.sender_id, row.sender_name,
                       Side(row.sender_side), row.sent_at, row.sync_state, row.sync_reason, tuple(reads))


def _title(session: Session, transfer: TransferRecord) -> str:
    hospital = session.get(Hospital, transfer.destination_hospital_id)
    where = f" → {hospital.short_name or hospital.name}" if hospital else ""
    return f"{transfer.summary or 'Patient'} · {transfer.unit}{where}"
