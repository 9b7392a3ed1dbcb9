"""Case list with search and the New case button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from emsync_desktop.domain.local_time import day_and_clock
from emsync_desktop.domain.news2 import News2Band
from emsync_desktop.services.case_views import CaseSummary
from emsync_desktop.ui.paramedic.case_model import CaseEditorModel
from emsync_desktop.ui.theme import TOUCH_PX, Theme
from emsync_desktop.ui.widgets.buttons import touch_button


class CaseListPanel(QWidget):
    def __init__(self, model: CaseEditorModel, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._theme = theme
        self.new_button = touch_button("+  New case", primary=True, tooltip="Open a new patient case (Ctrl+N)")
        # Clicking leaves the focus where it was (the new case then takes it): a button that kept the focus
        # turned every space typed afterwards into another new case.
        self.new_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search cases  (Ctrl+F)")
        self.search.setToolTip("Search by name, ID number, phone or complaint (Ctrl+F); finds closed cases too")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumHeight(TOUCH_PX)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # long lines wrap instead
        self.empty = QLabel("No cases yet.\nPress New case (Ctrl+N) to start one.")
        self.empty.setObjectName("muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.new_button)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        self.new_button.clicked.connect(model.open_new)
        self.search.textChanged.connect(model.list_cases)
        self.list.itemActivated.connect(self._on_activated)
        self.list.itemClicked.connect(self._on_activated)
        model.cases_listed.connect(self._on_cases_listed)
        model.snapshot_changed.connect(self._on_snapshot)
        QShortcut(QKeySequence("Ctrl+N"), self, model.open_new, context=Qt.ShortcutContext.WindowShortcut)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus,
                  context=Qt.ShortcutContext.WindowShortcut)

    def _on_cases_listed(self, cases: list[CaseSummary]) -> None:
        current = self._model.snapshot.id if self._model.snapshot else None
        self.list.clear()
        for case in cases:
            item = QListWidgetItem(self._icon(case.news2_band), self._text(case))
            item.setData(Qt.ItemDataRole.UserRole, case.id)
            item.setSizeHint(item.sizeHint().expandedTo(self.list.sizeHint().boundedTo(item.sizeHint())))
            self.list.addItem(item)
            if case.id == current:
                item.setSelected(True)
        self.empty.setVisible(not cases)
        if not cases and self.search.text():
            self.empty.setText(f"No case matches “{self.search.text()}”.")

    @staticmethod
    def _text(case: CaseSummary) -> str:
        when = day_and_clock(case.updated_at)
        complaint = case.chief_complaint or "complaint not recorded"
        sent = f"\n{case.transfer_text}" if case.transfer_text else ""
        return f"{case.title}\n{complaint}\n{when} · {case.news2_text}{sent}"

    def _icon(self, band: str | None) -> QIcon:
        background, _ = self._theme.band_colour(News2Band(band) if band else None)
        pixmap = QPixmap(16, 16)
        pixmap.fill(QColor(background))
        return QIcon(pixmap)

    def _on_snapshot(self, _snapshot: object) -> None:
        pass

    def _on_activated(self, item: QListWidgetItem) -> None:
        case_id = item.data(Qt.ItemDataRole.UserRole)
        if self._model.snapshot is None or case_id != self._model.snapshot.id:
            self._model.load(case_id)
