"""One message in a thread: who wrote it and when, the text (plain: never read as markup), its marks for the
sender, and an Acknowledge button on an urgent one this user's side has not acknowledged."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.messages import Message, Side, awaits_acknowledgement, sender_mark
from emsync_desktop.ui.widgets.buttons import touch_button


def message_bubble(message: Message, user_id: str, side: Side | None) -> tuple[QFrame, QPushButton | None]:
    """The bubble, and its Acknowledge button when this user's side still owes an acknowledgement."""
    mine = message.sender_id == user_id
    bubble = QFrame()
    bubble.setObjectName("bubbleUrgent" if message.urgent else "bubbleMine" if mine else "bubbleTheirs")
    layout = QVBoxLayout(bubble)
    layout.setContentsMargins(10, 6, 10, 6)
    who = "You" if mine else f"{escape(message.sender_name)} ({message.sender_side.value})"
    urgent = " · <b>URGENT</b>" if message.urgent else ""
    header = QLabel(f"<b>{who}</b> · {clock(message.sent_at)}{urgent}")
    header.setObjectName("muted")
    text = QLabel(message.text)
    text.setTextFormat(Qt.TextFormat.PlainText)
    text.setWordWrap(True)
    text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    layout.addWidget(header)
    layout.addWidget(text)
    line = sender_mark(message) if mine else _acknowledged_line(message)
    if not line:  # another's ordinary message: nothing to say under it
        return bubble, None
    row = QHBoxLayout()
    marks = QLabel(line)
    marks.setObjectName("fieldError" if message.state not in ("pending", "synced") else "muted")
    marks.setWordWrap(True)
    row.addWidget(marks, 1)
    button = None
    if side is not None and not mine and awaits_acknowledgement(message, side):
        button = touch_button("Acknowledge", primary=True)
        row.addWidget(button)
    layout.addLayout(row)
    return bubble, button


def _acknowledged_line(message: Message) -> str:
    """What a reader is told of an urgent message's acknowledgements (nothing for an ordinary one)."""
    if not message.urgent:
        return ""
    acks = [m for m in message.reads if m.acknowledged_at is not None]
    if not acks:
        return "Not acknowledged yet"
    return "Acknowledged by " + ", ".join(f"{m.name} ({m.side.value}) {clock(m.acknowledged_at)}"
                                          for m in acks if m.acknowledged_at is not None)
