"""Past transfers: look up, on the sync server, the transfers requested on a day (cases that have left this desk's
two days of history) and read one whole: its steps, bed bookings and SBAR handoffs. Read-only; nothing is kept.

Threading: the server is asked on a background thread (``TaskRelay.submit_background``), the names of hospitals and
beds are read on the DB thread; the widgets are touched on the GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.local_time import day_and_clock
from emsync_desktop.services.past_transfers import (
    PastCase,
    PastTransfer,
    PastTransferNames,
    local_day_bounds,
    past_case,
    past_transfers,
)
from emsync_desktop.store.database import Store
from emsync_desktop.sync.protocol import Change, PullResponse
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.date_field import touch_date_field
from emsync_desktop.ui.widgets.frame import card

LookupTransfers = Callable[[datetime, datetime], PullResponse]  # any thread but the GUI's; ValueError says why not
FetchTransfer = Callable[[str], list[Change]]
COLUMNS = ("Requested", "Severity", "To", "Unit", "Last state")


class PastTransfersView(QWidget):
    def __init__(self, relay: TaskRelay, store: Store, lookup: LookupTransfers | None, fetch: FetchTransfer | None,
                 parent: QWidget | None = None) -> None:
        """``lookup``/``fetch``: the sync server's, under the signed-in session (None: this desk has no server)."""
        super().__init__(parent)
        self._relay, self._store, self._lookup, self._fetch = relay, store, lookup, fetch
        self._names: PastTransferNames | None = None
        self._searched = date.today()
        self._opening = False  # a transfer is being fetched for the case pane
        self._found: list[PastTransfer] = []
        self.day = touch_date_field(QDate.currentDate().addDays(-1), "ddd d MMM yyyy")
        self.day.setMaximumDate(QDate.currentDate())
        self.day.setAccessibleName("Day the transfer was requested")
        self.search = touch_button("Search the sync server")
        self.search.clicked.connect(self.search_day)
        for key in ("Return", "Enter"):  # one key from the day to the list, as a hurried hand expects
            QShortcut(QKeySequence(key), self.day, self.search_day,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.status = QLabel("Transfers closed more than two days ago are kept on the sync server, not on this "
                             "desk: pick the day one was requested and search.")
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self.open_selected)
        self.case = QPlainTextEdit()
        self.case.setReadOnly(True)
        self.case.setPlaceholderText("Select a transfer to read it here.")
        self.case.setAccessibleName("The selected transfer")
        self._lay_out()
        if lookup is None:
            self.search.setEnabled(False)
            self.status.setText("This desk is not connected to a sync server: old transfers cannot be looked up.")

    def _lay_out(self) -> None:
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Requested on"))
        controls.addWidget(self.day)
        controls.addWidget(self.search)
        controls.addStretch(1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(card("Transfers that day (newest first)", self.table))
        split.addWidget(card("The transfer", self.case))
        split.setSizes([700, 700])
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)

    def search_day(self) -> None:
        """Look up the day in the date box (one search at a time: Return while one runs does nothing)."""
        if self._lookup is None or not self.search.isEnabled():
            return
        self.day.setMaximumDate(QDate.currentDate())  # a desk left running past midnight can pick the new day
        day = self.day.date().toPython()
        assert isinstance(day, date)
        self._searched = day
        self.search.setEnabled(False)
        self.status.setText("Searching the sync server…")
        self._relay.submit(PastTransferNames, self._store, on_result=self._search_with, on_error=self._failed,
                           owner=self)

    def _search_with(self, names: PastTransferNames) -> None:
        assert self._lookup is not None
        self._names = names
        self._relay.submit_background(self._lookup, *local_day_bounds(self._searched), on_result=self._show_found,
                                      on_error=self._failed, owner=self)

    def _show_found(self, page: PullResponse) -> None:
        assert self._names is not None
        self.search.setEnabled(True)
        self._found = past_transfers(page.changes, self._names)
        self.case.clear()
        self.table.setRowCount(len(self._found))
        for row, transfer in enumerate(self._found):
            for column, text in enumerate(_cells(transfer)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        day = f"{self._searched:%d %b %Y}".lstrip("0")
        more = f" (the newest {len(self._found)} shown)" if page.more else ""
        self.status.setText(f"{len(self._found)} transfers requested on {day}{more}." if self._found else
                            f"No transfer requested on {day} that this account may see.")
        if self._found:
            self.table.setFocus()

    def open_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or self._fetch is None or self._names is None:
            return
        transfer = self._found[rows[0].row()]
        self.case.setPlainText(f"Opening the transfer to {transfer.destination}…")
        self._opening = True
        self._relay.submit_background(_fetch_case, self._fetch, transfer.id, self._names, on_result=self._show_case,
                                      on_error=self._failed, owner=self)

    def _show_case(self, case: PastCase) -> None:
        selected = self.table.selectionModel().selectedRows()
        if not selected or self._found[selected[0].row()].id != case.transfer.id:
            return  # another transfer was picked meanwhile
        self._opening = False
        self.case.setPlainText(case_text(case))

    def _failed(self, error: BaseException) -> None:
        self.search.setEnabled(self._lookup is not None)
        self.status.setText(f"Could not look it up: {error}")
        if self._opening:
            self._opening = False
            self.case.clear()  # the placeholder says to select a transfer again


def _fetch_case(fetch: FetchTransfer, transfer_id: str, names: PastTransferNames) -> PastCase:
    """Background thread: the whole transfer from the server (``names`` were read before, on the DB thread)."""
    return past_case(transfer_id, fetch(transfer_id), names)


def _cells(transfer: PastTransfer) -> tuple[str, ...]:
    when = day_and_clock(transfer.requested_at) if transfer.requested_at else "—"
    return when, transfer.severity, transfer.destination, transfer.unit, transfer.state


def case_text(case: PastCase) -> str:
    t = case.transfer
    sections = (("Steps", case.steps or ("No step recorded.",)), ("Bed", case.bookings or ("No bed was booked.",)),
                ("Handoff", case.handoffs or ("No SBAR handoff was sent.",)))
    head = f"{t.severity} transfer to {t.destination}, {t.unit}: {t.state}\n{t.summary or '(no summary)'}"
    return "\n\n".join([head, *(f"{title}\n" + "\n".join(lines) for title, lines in sections)])
