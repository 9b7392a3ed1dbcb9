"""The bed board: every bed of the ward as a tile coloured by status, changed by tap or by key.

Tap a bed for the list of statuses; or move to a bed (Tab / arrows) and press its key (A, O, C, D, B,
I, X). A change is saved on this device at once and sent when online; "waiting" and a refusal with
its reason show on the bed itself.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QMenu, QPushButton, QVBoxLayout, QWidget

from emsync_desktop.domain.beds import SET_BY_HAND, STATUS_KEYS, BedChangeRefused, BedStatus
from emsync_desktop.services.bed_board import BedBoard, BedBoardService, BedView
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme

COLUMNS = 6
_KEY_OF = {status: key for key, status in STATUS_KEYS.items()}
# (background, text) per status; the same hues by day and night, deep enough for white text
STATUS_COLOURS = {
    BedStatus.AVAILABLE: ("#1e7b34", "#ffffff"), BedStatus.RESERVED: ("#0b5cad", "#ffffff"),
    BedStatus.OCCUPIED: ("#5b6675", "#ffffff"), BedStatus.CLEANING: ("#c77700", "#ffffff"),
    BedStatus.PENDING_DISCHARGE: ("#8a5a00", "#ffffff"), BedStatus.BLOCKED: ("#2b2f36", "#ffffff"),
    BedStatus.ISOLATION: ("#6a3fa0", "#ffffff"), BedStatus.OUT_OF_SERVICE: ("#b3261e", "#ffffff"),
}


class BedTile(QPushButton):
    status_key = Signal(str, object)  # bed id, BedStatus

    def __init__(self, bed: BedView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bed = bed
        marks = (" ⏳" if bed.waiting else "") + (" ⚠" if bed.problem else "")
        self.setText(f"{bed.label}{marks}\n{bed.status.short_label}")
        self.setToolTip(bed.problem or ("Waiting to be sent" if bed.waiting else bed.status.label))
        self.setAccessibleName(f"Bed {bed.label}: {bed.status.label}")
        self.setMinimumSize(124, 66)
        background, text = STATUS_COLOURS[bed.status]
        border = "3px solid #ffd27a" if bed.problem else "2px solid rgba(0,0,0,0.15)"
        self.setStyleSheet(f"QPushButton {{background:{background}; color:{text}; font-size:16px; font-weight:700;"
                           f" border:{border}; border-radius:8px; padding:4px;}}"
                           "QPushButton:focus {border:3px solid #ffffff; outline: 2px solid #17202a;}")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        status = STATUS_KEYS.get(event.text().upper())
        if status is not None:
            self.status_key.emit(self.bed.id, status)
            return
        super().keyPressEvent(event)


class BedBoardView(QWidget):
    changed = Signal()  # a change was saved on this device (sync may send it)

    def __init__(self, relay: TaskRelay, service: BedBoardService, theme: Theme,
                 on_local_change: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay = relay
        self._service = service
        self._on_local_change = on_local_change
        self.tiles: dict[str, BedTile] = {}
        self.legend = QLabel("  ".join(f"<span style='background:{STATUS_COLOURS[s][0]}; color:#fff;"
                                       f" padding:2px 6px; border-radius:4px'>{s.label} ({_KEY_OF[s]})</span>"
                                       for s in SET_BY_HAND) + "  <span style='background:#0b5cad; color:#fff;"
                                       " padding:2px 6px; border-radius:4px'>Reserved (hold)</span>")
        self.legend.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self._units = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.legend)
        layout.addWidget(self.message)
        layout.addLayout(self._units)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        self._relay.submit(self._service.board, on_result=self._show, owner=self)

    def set_status(self, bed_id: str, status: BedStatus) -> None:
        self._relay.submit(self._service.set_status, bed_id, status, on_result=self._saved,
                           on_error=self._refused, owner=self)

    def _saved(self, board: BedBoard) -> None:
        self.message.setText("")
        self._show(board)
        self._on_local_change()
        self.changed.emit()

    def _refused(self, error: BaseException) -> None:
        self.message.setText(str(error) if isinstance(error, BedChangeRefused) else f"Could not save: {error}")

    def _show(self, board: BedBoard) -> None:
        focused = next((bed_id for bed_id, tile in self.tiles.items() if tile.hasFocus()), None)
        _clear(self._units)
        self.tiles = {}
        for unit in board.units():
            beds = [b for b in board.beds if b.unit == unit]
            free = sum(b.status is BedStatus.AVAILABLE for b in beds)
            heading = QLabel(f"{unit} · {free} free of {len(beds)}")
            heading.setObjectName("subheading")
            grid = QGridLayout()
            for i, bed in enumerate(beds):
                tile = BedTile(bed)
                tile.clicked.connect(lambda _c=False, t=tile: self._menu(t))
                tile.status_key.connect(self.set_status)
                grid.addWidget(tile, i // COLUMNS, i % COLUMNS)
                self.tiles[bed.id] = tile
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 8, 0, 0)
            box_layout.addWidget(heading)
            box_layout.addLayout(grid)
            self._units.addWidget(box)
        if focused in self.tiles:
            self.tiles[focused].setFocus()

    def _menu(self, tile: BedTile) -> None:
        menu = QMenu(self)
        for status in SET_BY_HAND:
            action = menu.addAction(f"{status.label}   ({_KEY_OF[status]})")
            action.setEnabled(status is not tile.bed.status)
            action.triggered.connect(lambda _c=False, s=status: self.set_status(tile.bed.id, s))
        menu.popup(tile.mapToGlobal(tile.rect().bottomLeft()))


def _clear(layout: QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()
