"""Messages on a transfer (ops ``message.send`` and ``message.read``, issue 29): a thread between the crew who
requested it, the destination ward and the desks, each message published with its read marks
(``MESSAGE_ENTITY``) to the destination and the crew (desks see every row).

Who may write or mark: the crew of the transfer, a nurse of its current destination, any coordinator. Every
check runs before any write, so a refusal has nothing to undo."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emsync_desktop.domain.messages import QUICK_REPLY_BY_KEY, side_of
from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import MESSAGE_ENTITY, MessageReadPayload, MessageSendPayload, Op
from sync_server.op_context import OpContext, Refused, own_transfer, require
from sync_server.rows import MESSAGES, USERS, Row, get_row, rows_where

_PARTIES = {Role.PARAMEDIC, Role.NURSE, Role.COORDINATOR}


def send(ctx: OpContext, op: Op, p: Any) -> int:
    assert isinstance(p, MessageSendPayload)
    require(ctx, _PARTIES, "write on a transfer's thread")
    transfer = _party_transfer(ctx, p.transfer_id)
    if ctx.get(MESSAGES, op.entity_id) is not None:
        raise Refused("A message with this id exists already; send it again as a new message.")
    if p.quick_reply is not None and p.quick_reply not in QUICK_REPLY_BY_KEY:
        raise Refused(f"Unknown quick reply {p.quick_reply!r}: update the app, or type the message.")
    message = {"id": op.entity_id, "transfer_id": transfer["id"], "sender_id": ctx.user.id,
               "sender_role": ctx.user.role, "text": p.text, "quick_reply": p.quick_reply, "urgent": p.urgent,
               "sent_at": min(p.sent_at, ctx.now), "received_at": ctx.now, "reads": [], "version": 1}
    ctx.insert(MESSAGES, message)
    _publish(ctx, message, transfer)
    return 1


def read(ctx: OpContext, op: Op, p: Any) -> int:
    """Marks each message read (and acknowledged, if asked) by the user, once; their own messages and marks
    already made change nothing. Returns how many messages changed."""
    assert isinstance(p, MessageReadPayload)
    require(ctx, _PARTIES, "mark messages read")
    found = []
    for message_id in sorted(set(p.message_ids)):  # one lock order for every reader (PostgreSQL: no deadlock)
        message = ctx.get(MESSAGES, message_id, for_update=True)
        if message is None:
            raise Refused("A message marked read is not on the server.")
        found.append((message, _party_transfer(ctx, message["transfer_id"])))
    changed = 0
    for message, transfer in found:
        # The device's time, never in the future, never before the server had the message.
        at = max(min(p.at or ctx.now, ctx.now), message["received_at"])
        reads = _marked(ctx, message, acknowledge=p.acknowledge, at=at)
        if reads is not None:
            _publish(ctx, ctx.update(MESSAGES, message, {"reads": reads, "version": message["version"] + 1}),
                     transfer)
            changed += 1
    return changed


def _marked(ctx: OpContext, message: Row, *, acknowledge: bool, at: datetime) -> list[dict[str, Any]] | None:
    """The message's marks with this user's read (and acknowledgement) at ``at``, or None when nothing changes."""
    if message["sender_id"] == ctx.user.id:
        return None
    now = at.isoformat()
    reads = [dict(mark) for mark in message["reads"]]
    mine = next((mark for mark in reads if mark["user_id"] == ctx.user.id), None)
    if mine is None:
        mine = {"user_id": ctx.user.id, "name": ctx.user.display_name, "role": ctx.user.role, "read_at": now,
                "acknowledged_at": None}
        reads.append(mine)
    elif not acknowledge or mine["acknowledged_at"] is not None or not message["urgent"]:
        return None
    if acknowledge and message["urgent"]:
        mine["acknowledged_at"] = now
    return reads


def _party_transfer(ctx: OpContext, transfer_id: str) -> Row:
    """The transfer, if this user is one of its thread's parties (a crew's own, deferred while unknown)."""
    transfer = own_transfer(ctx, transfer_id)
    if ctx.role is Role.NURSE and transfer["destination_hospital_id"] != ctx.user.hospital_id:
        raise Refused("This transfer is no longer coming to your hospital: its thread is with the new one.")
    return transfer


def message_data(ctx: OpContext, m: Row) -> dict[str, Any]:
    sender = get_row(ctx.conn, USERS, m["sender_id"])
    side = side_of(Role(m["sender_role"]))
    return {"id": m["id"], "transfer_id": m["transfer_id"], "text": m["text"], "quick_reply": m["quick_reply"],
            "urgent": bool(m["urgent"]), "sender_id": m["sender_id"],
            "sender_name": sender["display_name"] if sender else "?", "sender_side": side.value if side else "",
            "sent_at": m["sent_at"].isoformat(), "received_at": m["received_at"].isoformat(),
            "reads": [_mark_data(mark) for mark in m["reads"]], "version": m["version"]}


def _mark_data(mark: dict[str, Any]) -> dict[str, Any]:
    side = side_of(Role(mark["role"]))
    return {"user_id": mark["user_id"], "name": mark["name"], "side": side.value if side else "",
            "read_at": mark["read_at"], "acknowledged_at": mark["acknowledged_at"]}


def _publish(ctx: OpContext, message: Row, transfer: Row) -> None:
    ctx.publish(MESSAGE_ENTITY, message_data(ctx, message), hospital_id=transfer["destination_hospital_id"],
                owner_user_id=transfer["requested_by"])


def republish_messages(ctx: OpContext, transfer: Row) -> None:
    """A redirected transfer's thread goes to its new hospital too (the feed is scoped by hospital)."""
    for message in rows_where(ctx.conn, MESSAGES, "transfer_id", transfer["id"]):
        _publish(ctx, message, transfer)
