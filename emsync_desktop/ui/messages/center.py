"""Messages for one signed-in user: the banner (on every tab), the thread windows, and the counts each role's
screen shows beside its transfers. Each workspace owns one and calls ``on_synced``; all reads and writes go
through the relay (off the GUI thread)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from emsync_desktop.services.messages import MessageService, Notice, ThreadCount
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.sync.protocol import MESSAGE_ENTITY
from emsync_desktop.ui.messages.banner import MessageBanner
from emsync_desktop.ui.messages.thread_window import MessageThreadWindow
from emsync_desktop.ui.tasks import TaskRelay


class MessageCenter(QObject):
    counts_changed = Signal(dict)  # transfer id -> ThreadCount

    def __init__(self, relay: TaskRelay, service: MessageService, user_id: str, on_local_change: Callable[[], None],
                 host: QWidget, current: Callable[[], str | None] = lambda: None) -> None:
        """``host``: the workspace; thread windows are its children. Ctrl+M opens the banner's thread, else
        ``current()``'s: the transfer the screen is on (the crew's open case, the desk's selected row)."""
        super().__init__(host)
        self._relay, self._service, self._user_id = relay, service, user_id
        self._on_local_change = on_local_change
        self._host = host
        self._current = current
        self.banner = MessageBanner()
        self.banner.open_thread.connect(self.open_thread)
        self.banner.acknowledge.connect(self._acknowledge)
        self.banner.mark_read.connect(self._mark_read)
        self.windows: dict[str, MessageThreadWindow] = {}
        self.notices: list[Notice] = []
        self.counts: dict[str, ThreadCount] = {}
        self._pending = 0  # the outbox's waiting ops at the last sync report
        QShortcut(QKeySequence("Ctrl+M"), host, self._open_banner_thread, context=Qt.ShortcutContext.WindowShortcut)
        self.refresh()

    def refresh(self) -> None:
        self._relay.submit(self._service.notices, on_result=self._on_notices, owner=self)
        self._relay.submit(self._service.counts, on_result=self._on_counts, owner=self)

    def on_synced(self, status: SyncStatus) -> None:
        """New messages or marks came (ours come back through the feed too): the banner, the counts and any open
        thread follow. A new transfer can be the one a banner or a count is about (its title)."""
        answered = status.pending < self._pending  # ops of ours answered: a message delivered, or refused
        self._pending = status.pending
        if status.touched & {MESSAGE_ENTITY, "transfer"} or answered:
            self.refresh()
        if status.touched & {MESSAGE_ENTITY} or answered:
            for window in self.windows.values():
                if window.isVisible():
                    window.view.refresh()

    def flush(self) -> None:
        """Keep every open thread's typed line (before sign-out or the screen is rebuilt)."""
        for window in self.windows.values():
            window.view.save_draft()

    def open_thread(self, transfer_id: str) -> None:
        window = self.windows.get(transfer_id)
        if window is None:
            window = MessageThreadWindow(self._relay, self._service, self._user_id, transfer_id, self._host)
            window.view.changed.connect(self._changed_here)
            self.windows[transfer_id] = window
        window.show_in_front()

    def _open_banner_thread(self) -> None:
        transfer_id = self.notices[0].message.transfer_id if self.notices else self._current()
        if transfer_id is not None:
            self.open_thread(transfer_id)

    def _on_notices(self, notices: list[Notice]) -> None:
        self.notices = notices
        self.banner.show_notices(notices)

    def _on_counts(self, counts: dict[str, ThreadCount]) -> None:
        self.counts = counts
        self.counts_changed.emit(counts)

    def _acknowledge(self, message_id: str) -> None:
        self._relay.submit(self._service.acknowledge, message_id, on_result=lambda _r: self._changed_here(),
                           owner=self)

    def _mark_read(self, transfer_id: str) -> None:
        self._relay.submit(self._service.mark_read, transfer_id, on_result=lambda _r: self._changed_here(),
                           owner=self)

    def _changed_here(self) -> None:
        self.refresh()
        self._on_local_change()
