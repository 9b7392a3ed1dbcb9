"""The proposed fields of a card, to confirm or correct (issue 27). One row per field: a tick to use it, its value
(editable), and where it came from with its confidence; a flagged field (a check digit or plausibility rule failed)
shows why and is not ticked: it is used only if the person ticks it or corrects it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from emsync_desktop.domain.card_reading import CardField, IdType, Proposal, Source
from emsync_desktop.ui.theme import TOUCH_PX

_SHORT = {Source.ZONE: "zone", Source.CODE: "barcode", Source.TEXT: "print"}
_SEXES = [("", "—"), ("female", "Female"), ("male", "Male"), ("other", "Other")]


class ProposalForm(QWidget):
    field_focused = Signal(object)  # CardField | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.use: dict[CardField, QCheckBox] = {}
        self.editors: dict[CardField, QLineEdit | QComboBox] = {}
        self.details: dict[CardField, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(0)
        grid.setColumnStretch(1, 1)
        for row, name in enumerate(CardField):
            self._add_row(grid, row * 2, name)

    def _add_row(self, grid: QGridLayout, row: int, name: CardField) -> None:
        use = QCheckBox(name.label)
        use.setMinimumHeight(TOUCH_PX)
        use.setToolTip(f"Save the {name.label.lower()} to the case")
        editor: QLineEdit | QComboBox
        if name in (CardField.SEX, CardField.ID_TYPE):
            editor = QComboBox()
            for value, text in _SEXES if name is CardField.SEX else [("", "—")] + [(k.value, k.label) for k in IdType]:
                editor.addItem(text, value)
            editor.currentIndexChanged.connect(lambda _i, n=name: self.use[n].setChecked(True))
        else:
            editor = QLineEdit()
            editor.textEdited.connect(lambda _t, n=name: self.use[n].setChecked(True))
        editor.setMinimumHeight(TOUCH_PX)
        editor.setAccessibleName(name.label)
        editor.installEventFilter(self)
        detail = QLabel("")
        detail.setObjectName("muted")
        detail.setWordWrap(True)
        grid.addWidget(use, row, 0)
        grid.addWidget(editor, row, 1)
        grid.addWidget(detail, row + 1, 1)
        self.use[name], self.editors[name], self.details[name] = use, editor, detail

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:
            self.field_focused.emit(next((n for n, e in self.editors.items() if e is watched), None))
        return False

    def show_proposals(self, proposals: tuple[Proposal, ...]) -> None:
        by_name = {p.field: p for p in proposals}
        for name in CardField:
            proposal = by_name.get(name)
            self._set_value(name, proposal.value if proposal else "")
            self.use[name].setChecked(proposal is not None and proposal.flag is None)
            self._describe(name, proposal)

    def _set_value(self, name: CardField, value: str) -> None:
        editor = self.editors[name]
        editor.blockSignals(True)
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(value)))
        else:
            editor.setText(value)
            editor.setCursorPosition(0)
        editor.blockSignals(False)

    def _describe(self, name: CardField, proposal: Proposal | None) -> None:
        label = self.details[name]
        if proposal is None:
            label.setText("Not found on the card")
            label.setObjectName("muted")
        elif proposal.flag:
            label.setText(f"⚠ {proposal.flag}")
            label.setObjectName("fieldWarning")
        else:
            checked = f" · ✓ {proposal.verified}" if proposal.verified else ""
            label.setText(f"{proposal.confidence:.0%} sure · {_SHORT[proposal.source]}{checked}")
            label.setToolTip(f"Read from the card's {proposal.source.value}")
            label.setObjectName("muted")
        label.setStyleSheet("")  # re-polish for the new object name

    def show_error(self, name: str, error: str) -> None:
        label = self.details[CardField(name)]
        label.setText(f"✖ {error}")
        label.setObjectName("fieldError")
        label.setStyleSheet("")

    def values(self) -> dict[str, str]:
        """The ticked fields' values, as the case's fields take them."""
        out = {}
        for name, use in self.use.items():
            if use.isChecked():
                editor = self.editors[name]
                out[name.value] = str(editor.currentData()) if isinstance(editor, QComboBox) else editor.text().strip()
        return out
