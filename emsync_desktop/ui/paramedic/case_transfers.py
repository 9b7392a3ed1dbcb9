"""The transfers of the open case: state, whether the server has them, and a refusal with its reason
and the nearest hospitals that still have a bed (one tap sends the case there)."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from emsync_desktop.domain.transfer_news import latest_news
from emsync_desktop.services.transfers import TransferView
from emsync_desktop.ui.widgets.buttons import touch_button

NEWS_STYLES = {"good": "outcome", "bad": "outcomeRefused", "moved": "outcomeWaiting"}
SYNC_WORDS = {"pending": "waiting to send", "synced": "sent", "rejected": "refused", "conflict": "needs attention"}


class CaseTransfersList(QWidget):
    send_to_requested = Signal(str)  # hospital id of an alternative the paramedic tapped

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(0, 0, 0, 0)

    def show_transfers(self, transfers: list[TransferView]) -> None:
        """Newest first; replaces what was shown."""
        while self._rows.count():
            item = self._rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if not transfers:
            none = QLabel("None yet. Choose the unit and hospital above.")
            none.setObjectName("muted")
            self._rows.addWidget(none)
        for view in reversed(transfers):
            self._rows.addWidget(self._row(view))

    def _row(self, view: TransferView) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 4, 0, 4)
        bed = f" · bed {view.booking_state}" if view.booking_state else ""
        line = QLabel(f"<b>{view.hospital}</b> · {view.unit} · transfer {view.state}{bed} · "
                      f"{SYNC_WORDS.get(view.sync_state, view.sync_state)}")
        line.setWordWrap(True)
        layout.addWidget(line)
        news = latest_news(view.history)
        if news is not None:
            kind, words = news
            said = QLabel(words)
            said.setObjectName(NEWS_STYLES[kind])
            said.setWordWrap(True)
            layout.addWidget(said)
        if view.handoff_acknowledged:
            layout.addWidget(QLabel(f"✔ Handoff read by {view.handoff_acknowledged}"))
        elif view.handoff_versions and view.active:
            unread = QLabel(f"Handoff not yet read at {view.hospital}")
            unread.setObjectName("muted")
            layout.addWidget(unread)
        reason = view.booking_reason or view.sync_reason
        if reason:
            why = QLabel(f"✖ {reason}")
            why.setObjectName("fieldError")
            why.setWordWrap(True)
            layout.addWidget(why)
        if view.booking_state == "REJECTED" and view.alternatives:
            layout.addWidget(QLabel("Free beds nearby (tap to send the case there):"))
            for alt in view.alternatives:
                button = touch_button(f"{alt['name']} — {alt['free_beds']} {alt['unit']} free, {alt['distance_km']} km")
                button.setStyleSheet("text-align: left; padding-left: 12px;")
                button.clicked.connect(partial(self.send_to_requested.emit, alt["hospital_id"]))
                layout.addWidget(button)
        return box


