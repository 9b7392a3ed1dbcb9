"""Incoming transfers of the nurse's hospital: summary, SBAR, accept / reject with a reason."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QInputDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from emsync_desktop.domain.lifecycle import TransferState, is_active_transfer
from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.positions import live_eta_text
from emsync_desktop.domain.record_card import record_card_lines
from emsync_desktop.domain.record_summary import ecg_attachments
from emsync_desktop.geo.routing import FallbackRouter
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.messages import ThreadCount, message_button_text
from emsync_desktop.services.ward import AmbulanceFix, IncomingTransfer, WardService, eta_countdown
from emsync_desktop.ui.live_etas import LiveEtas
from emsync_desktop.ui.nurse.approach_maps import ApproachMaps
from emsync_desktop.ui.nurse.ecg_open import EcgOpener
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button

NEXT_STEPS = {
    "PENDING": [("Accept", TransferState.ACCEPTED), ("Reject…", TransferState.REJECTED)],
    "ACCEPTED": [("Mark arrived (bed occupied)", TransferState.ARRIVED)],
    "EN_ROUTE": [("Mark arrived (bed occupied)", TransferState.ARRIVED)],
    "ARRIVED": [("Complete handover", TransferState.ARRIVED)],  # the crew marked arrival at the door
}


COUNTDOWN_MS = 5_000  # "updated 20 s ago" stays true to within a few seconds


class IncomingTransfersView(QWidget):
    critical_arrived = Signal(str, str)  # a critical transfer not seen before: its id, what the alert says
    transfers_shown = Signal(list)  # [(transfer id, "patient · unit")], each time the list is redrawn
    cards_shown = Signal()  # the cards were rebuilt
    open_thread = Signal(str)  # the Messages button of a transfer's card

    def __init__(self, relay: TaskRelay, service: WardService, on_local_change: Callable[[], None],
                 parent: QWidget | None = None, ecg: EcgOpener | None = None,
                 router: FallbackRouter | None = None, maps_dir: Path | None = None, night: bool = False) -> None:
        """``ecg``: opens the crew's attached ECGs (an 'Open ECG' button on the card); None: no buttons.
        ``router``: recomputes each ambulance's arrival from its reported position (off the GUI thread); None:
        straight-line estimates, labelled so. ``maps_dir``: the data dir, for a small map of the approach on each
        card of an ambulance on its way (``ApproachMaps``); None: no maps."""
        super().__init__(parent)
        self._relay = relay
        self._service = service
        self._on_local_change = on_local_change
        self._ecg = ecg
        self.list = QVBoxLayout()
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        if ecg is not None:
            ecg.failed.connect(self.message.setText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(self.list)
        layout.addStretch(1)
        self.cards: dict[str, QFrame] = {}
        self.moved_cards: dict[str, QFrame] = {}  # redirected away from this hospital, until dismissed
        self._countdowns: dict[str, tuple[QLabel, IncomingTransfer]] = {}
        self._live_labels: dict[str, QLabel] = {}
        self.message_buttons: dict[str, QPushButton] = {}
        self._message_counts: dict[str, ThreadCount] = {}
        self.live = LiveEtas(relay, router, self)  # per transfer, from its newest position (kept across redraws)
        self._shelf = QWidget(self)
        self._shelf.hide()
        self.approach = ApproachMaps(relay, maps_dir, self._shelf, night) if maps_dir is not None else None
        self._mapped: list[str] = []
        self._fixes: dict[str, AmbulanceFix] = {}
        self.live.changed.connect(self._tick)
        self._seen_critical: set[str] = set()
        self._dismissed: set[str] = set()  # redirected-away notices the nurse has read
        self._deciding: str | None = None  # the transfer whose card a decision was started from
        self._pending: set[str] = set()  # transfers still waiting for this ward's answer
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(COUNTDOWN_MS)
        self.refresh()

    def refresh(self) -> None:
        self._relay.submit(self._service.incoming_and_redirected, on_result=self._show, owner=self)

    def _show(self, transfers: list[IncomingTransfer]) -> None:
        """Rebuild the cards; the keyboard stays on the card it was on (or goes to the first card), so a
        nurse who pressed Accept or Acknowledge can go on without a mouse."""
        had_focus = self._card_with_focus() or self._deciding
        self._deciding = None
        if self.approach is not None:
            self.approach.park()
            self._fixes = {t.id: t.ambulance for t in transfers if t.ambulance is not None and t.moved_away is None
                           and is_active_transfer(TransferState(t.state))}
            self._mapped = self.approach.keep_only(list(self._fixes))
        while self.list.count():
            item = self.list.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.cards = {}
        self.moved_cards = {}
        self._pending = {t.id for t in transfers if t.state == "PENDING" and t.moved_away is None}
        self._countdowns = {}
        self._live_labels = {}
        self.message_buttons = {}
        self.live.update({t.id: t.ambulance for t in transfers if t.moved_away is None})
        if not transfers:
            empty = QLabel("No incoming transfers.")
            empty.setObjectName("muted")
            self.list.addWidget(empty)
        self.transfers_shown.emit([(t.id, f"{t.summary or 'Patient'} · {t.unit}") for t in transfers
                                   if t.moved_away is None])
        for transfer in transfers:
            if transfer.moved_away is not None and transfer.id in self._dismissed:
                continue
            if transfer.moved_away is not None:
                self.moved_cards[transfer.id] = self._moved_card(transfer)
                self.list.addWidget(self.moved_cards[transfer.id])
                continue
            card = self._card(transfer)
            self.cards[transfer.id] = card
            self.list.addWidget(card)
            if transfer.critical and transfer.state == "PENDING" and transfer.id not in self._seen_critical:
                self._seen_critical.add(transfer.id)
                due = f"due {clock(transfer.eta_due)}" if transfer.eta_due else "no ETA given"  # never stale
                self.critical_arrived.emit(transfer.id, f"{transfer.summary or 'Patient'} · {transfer.unit} · {due}")
        self._tick()
        if had_focus is not None:
            self._focus_card(had_focus)
        self.cards_shown.emit()

    def focus_first_card(self) -> bool:
        """The keyboard to the first card's first button (Ctrl+I); False when there is none."""
        cards = {**self.cards, **self.moved_cards}
        if not cards:
            return False
        self._focus_card(next(iter(cards)))
        return True

    def focused_or_first(self) -> str | None:
        """The transfer whose card has the keyboard, else the first card's (Ctrl+M opens its thread)."""
        focused = self._card_with_focus()
        return focused or next(iter(self.cards), None)

    def pending_ids(self) -> set[str]:
        """Transfers still waiting for this ward's answer."""
        return set(self._pending)

    def _card_with_focus(self) -> str | None:
        """The transfer whose card holds the keyboard ("" for a card that is gone), or None."""
        focused = QApplication.focusWidget()
        if focused is None or not self.isAncestorOf(focused):
            return None
        cards = {**self.cards, **self.moved_cards}
        return next((tid for tid, card in cards.items() if card.isAncestorOf(focused)), "")

    def _focus_card(self, transfer_id: str) -> None:
        cards = {**self.cards, **self.moved_cards}
        card = cards.get(transfer_id) or next(iter(cards.values()), None)
        buttons = card.findChildren(QPushButton) if card is not None else []
        if buttons:
            buttons[0].setFocus()

    def _card(self, t: IncomingTransfer) -> QFrame:
        card = QFrame()
        card.setObjectName("card")
        layout = QVBoxLayout(card)
        severity = f" · {t.severity}" if t.severity else ""
        waiting = "" if t.sync_state == "synced" else " · waiting to send"
        title = QLabel(f"<b>{t.summary or 'Patient'}</b> · {t.unit}{severity} · <b>{t.state}</b>{waiting}")
        title.setWordWrap(True)
        title_row = QHBoxLayout()
        title_row.addWidget(title, 1)
        layout.addLayout(title_row)
        if is_active_transfer(TransferState(t.state)):  # an ambulance that arrived reports no more positions
            live = QLabel()
            live.setObjectName("subheading")
            live.setWordWrap(True)  # "updated 20 s ago, offline road graph" must never widen the card
            layout.addWidget(live)
            self._live_labels[t.id] = live
        if self.approach is not None and t.id in self._mapped:
            layout.addWidget(self.approach.map_for(t.id))
        eta = QLabel()
        eta.setObjectName("muted")
        eta.setWordWrap(True)
        layout.addWidget(eta)
        self._countdowns[t.id] = (eta, t)
        if t.bed:
            layout.addWidget(QLabel(f"Bed: <b>{t.bed}</b>" + (" — on accepting, keep it or choose another"
                                                            if t.state == "PENDING" else "")))
        if t.handoff:
            sbar = QLabel(f"<b>S</b> {t.handoff['situation']}<br><b>R</b> {t.handoff['recommendation']}")
            sbar.setWordWrap(True)
            layout.addWidget(sbar)
        record = _record_label(t)
        if record is not None:
            layout.addWidget(record)
        if t.handoff and t.acknowledged:
            layout.addWidget(QLabel(f"✔ Handoff acknowledged by {t.acknowledged}"))
        if t.sync_reason:
            refused = QLabel(f"✖ {t.sync_reason}")
            refused.setObjectName("fieldError")
            layout.addWidget(refused)
        row = QHBoxLayout()
        if t.handoff_id and not t.acknowledged:
            ack = touch_button("Acknowledge handoff")
            ack.clicked.connect(partial(self.acknowledge, t.handoff_id))
            row.addWidget(ack)
        for text, target in NEXT_STEPS.get(t.state, []):
            button = touch_button(text, primary=target is TransferState.ACCEPTED)
            button.clicked.connect(partial(self._decide, t.id, target))
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        # Top right, but made after the decisions: Ctrl+I and Tab reach Accept first.
        messages = touch_button("Messages", tooltip="The thread with the crew and the desk (Ctrl+M opens the newest)")
        messages.clicked.connect(partial(self.open_thread.emit, t.id))
        self.message_buttons[t.id] = messages
        self._label_messages(t.id)
        title_row.addWidget(messages, 0, Qt.AlignmentFlag.AlignTop)
        ecgs = ecg_attachments(t.record.procedures)
        if ecgs and self._ecg is not None:  # after the decisions: Ctrl+I still lands on Accept
            layout.addLayout(self._ecg.buttons(ecgs))
        return card

    def show_message_counts(self, counts: dict[str, ThreadCount]) -> None:
        """Each card's Messages button says how many are new, and whether an urgent one waits."""
        self._message_counts = counts
        for transfer_id in self.message_buttons:
            self._label_messages(transfer_id)

    def _label_messages(self, transfer_id: str) -> None:
        self.message_buttons[transfer_id].setText(message_button_text(self._message_counts.get(transfer_id)))

    def _moved_card(self, t: IncomingTransfer) -> QFrame:
        """A transfer redirected away from this hospital: where it went, by whom, why; dismissed by the nurse."""
        card = QFrame()
        card.setObjectName("card")
        layout = QHBoxLayout(card)
        words = QLabel(f"<b>{t.summary or 'Patient'}</b> · {t.unit} — no longer coming here.<br>↪ {t.moved_away}")
        words.setWordWrap(True)
        layout.addWidget(words, 1)
        dismiss = touch_button("Dismiss")
        dismiss.clicked.connect(partial(self._dismiss, t.id))
        layout.addWidget(dismiss)
        return card

    def _dismiss(self, transfer_id: str) -> None:
        self._dismissed.add(transfer_id)
        self.refresh()

    def _tick(self) -> None:
        now = utc_now()
        for label, transfer in self._countdowns.values():
            label.setText(f"By the crew's ETA at sending: {eta_countdown(transfer.eta_due, now)}")
        for transfer_id, label in self._live_labels.items():
            label.setText(f"Ambulance: {live_eta_text(self.live.get(transfer_id), now)}")
        if self.approach is not None:
            for transfer_id in self._mapped:
                self.approach.show(transfer_id, self._fixes[transfer_id], self.live.get(transfer_id), now)

    def _decide(self, transfer_id: str, target: TransferState) -> None:
        self._deciding = transfer_id  # its card keeps the keyboard when redrawn, even after a dialog
        reason = ""
        if target is TransferState.REJECTED:
            text, ok = QInputDialog.getText(self, "Reject transfer", "Reason (the crew sees it):")
            if not ok:
                return
            reason = text
        if target is TransferState.ACCEPTED:
            self._relay.submit(self._service.free_beds, transfer_id, on_result=partial(self._choose_bed, transfer_id),
                               owner=self)
            return
        self.decide(transfer_id, target, reason)

    def _choose_bed(self, transfer_id: str, free: list[tuple[str, str]]) -> None:
        """Confirm the held bed or choose a free one (no choice to make when nothing else is free)."""
        held = next((t.bed for label, t in self._countdowns.values() if t.id == transfer_id and t.bed), None)
        options = ([f"Keep {held}"] if held else []) + [f"Bed {label} (free)" for _id, label in free]
        if len(options) <= 1:
            self.decide(transfer_id, TransferState.ACCEPTED, bed_id=free[0][0] if free and not held else None)
            return
        choice, ok = QInputDialog.getItem(self, "Accept transfer", "Bed for this patient:", options, 0, False)
        if not ok:
            return
        index = options.index(choice) - (1 if held else 0)
        self.decide(transfer_id, TransferState.ACCEPTED, bed_id=free[index][0] if index >= 0 else None)

    def acknowledge(self, handoff_id: str) -> None:
        self._relay.submit(self._service.acknowledge, handoff_id, on_result=self._decided,
                           on_error=lambda e: self.message.setText(str(e)), owner=self)

    def decide(self, transfer_id: str, target: TransferState, reason: str = "", bed_id: str | None = None) -> None:
        self._relay.submit(self._service.decide, transfer_id, target, reason, bed_id, on_result=self._decided,
                           on_error=lambda e: self.message.setText(str(e)), owner=self)

    def _decided(self, _result: object) -> None:
        self.message.setText("")
        self._on_local_change()
        self.refresh()


def _record_label(t: IncomingTransfer) -> QLabel | None:
    """What the crew gave and did, allergies and weight: a few plain-text lines (typed names stay text)."""
    lines = record_card_lines(t.record)
    if not lines:
        return None
    label = QLabel("\n".join(lines))
    label.setObjectName("recordLines")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label
