"""The bed board: every bed of the ward as a tile coloured by status, changed by tap or by key.

Tap a bed for the list of statuses; or move to a bed (Tab / arrows) and press its key (A, O, C, D, B,
I, X). A change is saved on this device at once and sent when online; "waiting" and a refusal with
its reason show on the bed itself.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QMenu, QPushButton, QScrollArea, QToolTip, QVBoxLayout, QWidget

from emsync_desktop.domain.beds import SET_BY_HAND, STATUS_KEYS, BedChangeRefused, BedStatus
from emsync_desktop.services.bed_board import BedBoard, BedBoardService, BedView
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme, bed_colour

TILE_PX = 132  # a tile's width with its spacing: columns follow the width the board has
_KEY_OF = {status: key for key, status in STATUS_KEYS.items()}


ARROWS = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}


class BedTile(QPushButton):
    status_key = Signal(str, object)  # bed id, BedStatus
    arrow = Signal(str, int, int)  # bed id, dx, dy: move the keyboard to the neighbouring bed on screen

    def __init__(self, bed: BedView, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        self.setMinimumSize(124, 66)
        self.setAutoDefault(True)  # Return opens the statuses menu when the tile has focus, as Space does
        self.show_bed(bed)

    def show_bed(self, bed: BedView) -> None:
        """This tile's bed as it is now (a status change redraws the tile, not the board)."""
        self.bed, theme = bed, self._theme
        marks = (" ⏳" if bed.waiting else "") + (" ⚠" if bed.problem else "")
        self.setText(f"{bed.label}{marks}\n{bed.status.short_label}")
        self.setToolTip(bed.problem or ("Waiting to be sent" if bed.waiting else bed.status.label))
        self.setAccessibleName(f"Bed {bed.label}: {bed.status.label}")
        background, text = bed_colour(theme, bed.status)
        border = f"3px solid {theme.warning}" if bed.problem else f"2px solid {theme.border}"
        self.setStyleSheet(f"QPushButton {{background:{background}; color:{text}; font-size:14px; font-weight:700;"
                           f" border:{border}; border-radius:8px; padding:4px;}}"
                           f"QPushButton:focus {{border:3px solid {theme.text};}}")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        status = STATUS_KEYS.get(event.text().upper())
        if status is not None:
            self.status_key.emit(self.bed.id, status)
            return
        step = ARROWS.get(Qt.Key(event.key()))
        if step is not None and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.arrow.emit(self.bed.id, *step)
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None:  # the focused bed is always on screen, the board scrolling to it
            parent.ensureWidgetVisible(self, 8, 24)


class BedBoardView(QWidget):
    changed = Signal()  # a change was saved on this device (sync may send it)
    shown = Signal()  # the tiles were rebuilt (a new board, or a new width)

    def __init__(self, relay: TaskRelay, service: BedBoardService, theme: Theme,
                 on_local_change: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay = relay
        self._service = service
        self._on_local_change = on_local_change
        self._theme = theme
        self.menu: QMenu | None = None  # the statuses menu last opened
        self._columns = 6
        self._board: BedBoard | None = None
        self.tiles: dict[str, BedTile] = {}
        self._headings: dict[str, QLabel] = {}  # unit -> its "ICU · 2 free of 10" line
        self.legend = QLabel("  ".join(_legend_entry(theme, s, f"{s.label} ({_KEY_OF[s]})") for s in SET_BY_HAND)
                             + "  " + _legend_entry(theme, BedStatus.RESERVED, "Reserved (hold)"))
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
        self._relay.submit(self._service.board, on_result=self._on_board, owner=self)

    def _on_board(self, board: BedBoard) -> None:
        """A board like the one shown is not drawn again (each sync brings one: redrawing it jumped the
        board back to its top every few seconds)."""
        if board != self._board:
            self._show(board)

    def _same_beds(self, board: BedBoard) -> bool:
        return self._board is not None and [b.id for b in board.beds] == [b.id for b in self._board.beds]

    def _update_in_place(self, board: BedBoard) -> None:
        """Same beds, new states: tiles and unit headings change, the board keeps its scroll and focus."""
        self._board = board
        for bed in board.beds:
            self.tiles[bed.id].show_bed(bed)
        for unit, heading in self._headings.items():
            self._set_heading(heading, unit, board)
        self.shown.emit()

    def set_status(self, bed_id: str, status: BedStatus) -> None:
        self._relay.submit(self._service.set_status, bed_id, status, on_result=self._saved,
                           on_error=partial(self._refused, bed_id), owner=self)

    def _saved(self, board: BedBoard) -> None:
        self.message.setText("")
        self._on_board(board)
        self._on_local_change()
        self.changed.emit()

    def _refused(self, bed_id: str, error: BaseException) -> None:
        """Said at the top of the board and beside the bed (the top may be scrolled out of view)."""
        why = str(error) if isinstance(error, BedChangeRefused) else f"Could not save: {error}"
        tile = self.tiles.get(bed_id)
        text = f"Bed {tile.bed.label}: {why}" if tile is not None else why
        self.message.setText(text)
        if tile is not None and tile.isVisible():
            QToolTip.showText(tile.mapToGlobal(tile.rect().bottomLeft()), text, tile)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        columns = max(2, (event.size().width() - 24) // TILE_PX)
        if columns != self._columns:
            self._columns = columns
            if self._board is not None:
                self._show(self._board, regrid=True)

    def _show(self, board: BedBoard, *, regrid: bool = False) -> None:
        """Draw ``board``: in place when only states changed, else (or ``regrid``: new columns) anew."""
        if not regrid and self._same_beds(board) and len(self.tiles) == len(board.beds):
            self._update_in_place(board)
            return
        self._board = board
        self._headings = {}
        focused = next((bed_id for bed_id, tile in self.tiles.items() if tile.hasFocus()), None)
        _clear(self._units)
        self.tiles = {}
        for unit in board.units():
            beds = [b for b in board.beds if b.unit == unit]
            heading = QLabel()
            heading.setObjectName("subheading")
            self._set_heading(heading, unit, board)
            self._headings[unit] = heading
            grid = QGridLayout()
            for i, bed in enumerate(beds):
                tile = BedTile(bed, self._theme)
                tile.clicked.connect(lambda _c=False, t=tile: self._menu(t))
                tile.status_key.connect(self.set_status)
                tile.arrow.connect(self._step)
                grid.addWidget(tile, i // self._columns, i % self._columns)
                self.tiles[bed.id] = tile
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 8, 0, 0)
            box_layout.addWidget(heading)
            box_layout.addLayout(grid)
            self._units.addWidget(box)
        if focused in self.tiles:
            self.tiles[focused].setFocus()
        self.shown.emit()

    @staticmethod
    def _set_heading(heading: QLabel, unit: str, board: BedBoard) -> None:
        beds = [b for b in board.beds if b.unit == unit]
        free = sum(b.status is BedStatus.AVAILABLE for b in beds)
        heading.setText(f"{unit} · {free} free of {len(beds)}")

    def _menu(self, tile: BedTile) -> None:
        """The statuses of one bed, rows tall enough to tap; the letter of each works as a key, and closing
        the menu (Esc included) gives the focus back to the bed, so the next status key still works."""
        menu = StatusMenu(self)
        menu.addSection(f"Bed {tile.bed.label}: {tile.bed.status.label}")  # which bed, as the menu may cover it
        for status in SET_BY_HAND:
            action = menu.addAction(f"{status.label}   ({_KEY_OF[status]})")
            action.setData(status.value)
            action.setEnabled(status is not tile.bed.status)
            action.triggered.connect(lambda _c=False, s=status: self.set_status(tile.bed.id, s))
        bed_id = tile.bed.id  # the tile itself is replaced when the board redraws after a change
        menu.aboutToHide.connect(lambda: QTimer.singleShot(0, self, lambda: self._focus_bed(bed_id)))
        self.menu = menu
        menu.popup(tile.mapToGlobal(tile.rect().bottomLeft()))
        first = next((a for a in menu.actions() if a.isEnabled() and a.data()), None)
        if first is not None:  # a row is highlighted at once: arrow keys and Return work from the start
            menu.setActiveAction(first)

    def _step(self, bed_id: str, dx: int, dy: int) -> None:
        """The keyboard to the nearest bed on screen in that direction (across units going up or down)."""
        tile = self.tiles.get(bed_id)
        if tile is None:
            return
        here = tile.mapTo(self, tile.rect().center())
        best: tuple[int, int, BedTile] | None = None
        for other in self.tiles.values():
            there = other.mapTo(self, other.rect().center())
            along = (there.x() - here.x()) * dx + (there.y() - here.y()) * dy  # distance in that direction
            across = abs((there.y() - here.y()) if dx else (there.x() - here.x()))
            if other is tile or along <= 0 or (dx and across > tile.height() // 2):
                continue
            score = (across, along) if dy else (along, across)
            if best is None or score < best[:2]:
                best = (*score, other)
        if best is not None:
            best[2].setFocus(Qt.FocusReason.TabFocusReason)

    def _focus_bed(self, bed_id: str) -> None:
        tile = self.tiles.get(bed_id)
        if tile is not None:
            tile.setFocus()


class StatusMenu(QMenu):
    def keyPressEvent(self, event: QKeyEvent) -> None:
        status = STATUS_KEYS.get(event.text().upper())
        action = next((a for a in self.actions() if status is not None and a.data() == status.value), None)
        if action is not None:
            if action.isEnabled():
                action.trigger()
            self.close()
            return
        super().keyPressEvent(event)


def _legend_entry(theme: Theme, status: BedStatus, text: str) -> str:
    background, foreground = bed_colour(theme, status)
    return (f"<span style='background:{background}; color:{foreground}; padding:2px 6px; "
            f"border:1px solid {theme.border}'>&nbsp;{html.escape(text).replace(' ', '&nbsp;')}&nbsp;</span>")


def _clear(layout: QVBoxLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()
