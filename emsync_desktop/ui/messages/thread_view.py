"""A transfer's thread: the messages, quick replies for this user's side, a line to type on (Enter sends).

Everything touching the database goes through the relay (off the GUI thread). While the view is shown, what
others wrote is marked read (``MessageService.mark_read``); urgent messages still need their Acknowledge.
A message that cannot be sent as typed keeps its text in the box, with the reason under it."""

from __future__ import annotations

import logging
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.messages import MAX_TEXT_CHARS, QUICK_REPLIES, MessageProblem
from emsync_desktop.services.messages import MessageService, Thread
from emsync_desktop.ui.messages.bubble import message_bubble
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button

log = logging.getLogger(__name__)
MAX_PASTE_CHARS = 5_000
RESEND_PAUSE_MS = 800
DRAFT_SAVE_MS = 400


class MessageThreadView(QWidget):
    changed = Signal()  # a message or a mark was queued: worth a sync now

    def __init__(self, relay: TaskRelay, service: MessageService, user_id: str, transfer_id: str,
                 parent: QWidget | None = None, *, in_dialog: bool = False) -> None:
        """``in_dialog``: Enter goes to the dialog, whose default button is Send (connecting the line's Enter as
        well would send twice)."""
        super().__init__(parent)
        self._relay, self._service, self._user_id = relay, service, user_id
        self.transfer_id = transfer_id
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # the crew's chief complaint: never read as markup
        self.title.setObjectName("subheading")
        self.title.setWordWrap(True)
        self._bubbles = QVBoxLayout()
        self._bubbles.addStretch(1)  # messages sit at the bottom, newest last, as in every chat
        holder = QWidget()
        holder.setObjectName("cardPage")
        holder.setLayout(self._bubbles)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setWidget(holder)
        self._thread: Thread | None = None  # as shown
        self._follow_newest = True
        self.scroller.verticalScrollBar().rangeChanged.connect(self._on_range)
        self.entry = QLineEdit()
        self.entry.setMaxLength(MAX_PASTE_CHARS)  # never cut at the limit unseen: a longer text is refused, kept
        self.entry.setPlaceholderText("Type a message; Enter sends")
        self.urgent = QCheckBox("Urgent")
        self.send_button = touch_button("Send", primary=True)
        self.send_button.clicked.connect(self._send_typed)
        if in_dialog:
            self.send_button.setDefault(True)
        else:
            self.entry.returnPressed.connect(self._send_typed)
        self.problem = QLabel()
        self.problem.setObjectName("fieldError")
        self.problem.setWordWrap(True)
        self.acknowledge_buttons: dict[str, QWidget] = {}
        self.quick_buttons: list[QPushButton] = []
        self._sending = False  # a send in flight, and a moment after: a double tap or Enter-Enter sends once
        self.entry.textChanged.connect(self._on_typing)
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_SAVE_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self.count = QLabel()
        self.count.setObjectName("muted")
        self._lay_out()
        self.refresh()
        relay.submit(service.draft, transfer_id, on_result=self._restore_draft, owner=self)

    def _lay_out(self) -> None:
        quick = QHBoxLayout()
        side = self._service.side
        for reply in QUICK_REPLIES.get(side, ()) if side is not None else ():
            button = touch_button(("⚠ " if reply.urgent else "") + reply.text,
                                  tooltip="Sent as urgent: the others must acknowledge it" if reply.urgent else "")
            button.clicked.connect(partial(self._send, "", reply.key))
            quick.addWidget(button)
            self.quick_buttons.append(button)
        quick.addStretch(1)
        entry = QHBoxLayout()
        entry.addWidget(self.entry, 1)
        entry.addWidget(self.count)
        entry.addWidget(self.urgent)
        entry.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.scroller, 1)
        layout.addLayout(quick)
        layout.addLayout(entry)
        layout.addWidget(self.problem)
        if side is None:
            for widget in (self.entry, self.urgent, self.send_button):
                widget.setEnabled(False)

    def refresh(self) -> None:
        self._relay.submit(self._service.thread, self.transfer_id, on_result=self._show, owner=self)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()  # read now: what came while it was hidden is marked read once on screen

    def _show(self, thread: Thread) -> None:
        """Redraw only when something changed; follow the newest message only when one came, or when the reader
        was at the bottom already (someone scrolled up to an older message keeps it in view)."""
        if thread == self._thread:
            self._mark_read_if_shown()
            return
        had = {m.id for m in self._thread.messages} if self._thread else set()
        bar = self.scroller.verticalScrollBar()
        follow = self._thread is None or bar.value() >= bar.maximum() - 4 or any(
            m.id not in had for m in thread.messages)
        self._thread = thread
        self.title.setText(thread.title)
        while self._bubbles.count() > 1:
            item = self._bubbles.takeAt(1)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.acknowledge_buttons = {}
        for message in thread.messages:
            bubble, acknowledge = message_bubble(message, self._user_id, self._service.side)
            if acknowledge is not None:
                acknowledge.clicked.connect(partial(self._acknowledge, message.id))
                self.acknowledge_buttons[message.id] = acknowledge
            self._bubbles.addWidget(bubble)
        if not thread.messages:
            empty = QLabel("No messages yet. A quick reply or a line typed below goes to everyone on this transfer.")
            empty.setObjectName("muted")
            empty.setWordWrap(True)
            self._bubbles.addWidget(empty)
        if not thread.can_write:
            self.send_button.setEnabled(False)
        self._follow_newest = follow
        self._mark_read_if_shown()

    def _mark_read_if_shown(self) -> None:
        """Read means in front of someone: the window is shown and is the one in use (one left open behind
        others, or on an empty ward PC, must not tell the crew "read")."""
        if self.isVisible() and self.window().isActiveWindow():
            self._relay.submit(self._service.mark_read, self.transfer_id, on_result=self._on_marked, owner=self)

    def _on_range(self, _low: int, high: int) -> None:
        """The bubbles were laid out (the scroll range is known only now): to the newest, if following."""
        if self._follow_newest:
            self.scroller.verticalScrollBar().setValue(high)
            self._follow_newest = False

    def _on_marked(self, count: int) -> None:
        if count:
            self.changed.emit()

    def _send_typed(self) -> None:
        self._send(self.entry.text(), None)

    def _send(self, text: str, quick_reply: str | None) -> None:
        if self._sending:
            return
        self._set_sending(True)
        self.problem.setText("")
        self._relay.submit(self._service.send, self.transfer_id, text, quick_reply, self.urgent.isChecked(),
                           on_result=partial(self._on_sent, text if quick_reply is None else None),
                           on_error=self._on_refused, owner=self)

    def _on_sent(self, typed: str | None, _message_id: str) -> None:
        """``typed``: the line that was sent; cleared only if the box still holds it (typing went on meanwhile)."""
        if typed is not None and self.entry.text() == typed:
            self.entry.clear()
        self.urgent.setChecked(False)
        QTimer.singleShot(RESEND_PAUSE_MS, self, lambda: self._set_sending(False))
        self.refresh()
        self.changed.emit()

    def _set_sending(self, sending: bool) -> None:
        self._sending = sending
        for button in (*self.quick_buttons, self.send_button):
            button.setEnabled(not sending and (self._thread is None or self._thread.can_write))

    def _restore_draft(self, text: str) -> None:
        if text and not self.entry.text():
            self.entry.setText(text)

    def save_draft(self) -> None:
        """Keep what is in the box now (typing saves it a moment after the last key; hiding the window at once)."""
        self._draft_timer.stop()
        self._relay.submit(self._service.save_draft, self.transfer_id, self.entry.text(), on_result=lambda _r: None)

    def hideEvent(self, event: QHideEvent) -> None:
        self.save_draft()
        super().hideEvent(event)

    def _on_typing(self, text: str) -> None:
        """A count once the line is long, red past the limit; a problem shown goes once the text changes; the
        draft is kept a moment after the last key."""
        self._draft_timer.start()
        self.problem.setText("")
        length = len(text)
        self.count.setText(f"{length}/{MAX_TEXT_CHARS}" if length > MAX_TEXT_CHARS - 100 else "")
        self.count.setObjectName("fieldError" if length > MAX_TEXT_CHARS else "muted")
        self.count.style().unpolish(self.count)
        self.count.style().polish(self.count)

    def _on_refused(self, error: BaseException) -> None:
        self._set_sending(False)
        if isinstance(error, MessageProblem):
            self.problem.setText(str(error))
        else:  # the text stays in the box: nothing typed is lost
            log.error("message not saved", exc_info=error)
            self.problem.setText(f"Not saved ({type(error).__name__}); your text is still here: try Send again.")
        self.entry.setFocus(Qt.FocusReason.OtherFocusReason)

    def _acknowledge(self, message_id: str) -> None:
        self._relay.submit(self._service.acknowledge, message_id, on_result=lambda _done: self._acknowledged(),
                           owner=self)

    def _acknowledged(self) -> None:
        self.refresh()
        self.changed.emit()
        self.entry.setFocus(Qt.FocusReason.OtherFocusReason)  # its button is gone: the keyboard goes on from here
