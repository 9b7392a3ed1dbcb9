"""The proposed fields of a card, to confirm or correct (issue 27). One row per field: a tick to use it, its value
(editable), and where it came from with its confidence; a flagged field (a check digit or plausibility rule failed)
shows why and is not ticked: it is used only if the person ticks it or corrects it. A field the case already holds
with another value says so and is not ticked either: nothing typed is overwritten unasked."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QWheelEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QLineEdit, QWidget

from emsync_desktop.domain.card_reading import CardField, IdType, Proposal, Source
from emsync_desktop.ui.theme import TOUCH_PX

_SHORT = {Source.ZONE: "zone", Source.CODE: "barcode", Source.TEXT: "print"}
_SEXES = [("", "—"), ("female", "Female"), ("male", "Male"), ("other", "Other")]


class _ChoiceBox(QComboBox):
    """A drop-down the mouse wheel does not change while the list scrolls past it (only once it has focus)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


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
            editor = _ChoiceBox()
            for value, text in _SEXES if name is CardField.SEX else [("", "—")] + [(k.value, k.label) for k in IdType]:
                editor.addItem(text, value)
            editor.activated.connect(lambda _i, n=name: self._corrected(n))
        else:
            editor = QLineEdit()
            editor.textEdited.connect(lambda _t, n=name: self._corrected(n))
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
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and isinstance(watched, QLineEdit)):
            self._next_editor(watched)  # Enter moves on to the next value, as in the case form; Ctrl+S saves
            return True
        return False

    def _next_editor(self, editor: QWidget) -> None:
        order = list(self.editors.values())
        following = order[order.index(editor) + 1:] if editor in order else []
        if following:
            following[0].setFocus(Qt.FocusReason.TabFocusReason)

    def _corrected(self, name: CardField) -> None:
        self.use[name].setChecked(True)
        self._say(name, "Corrected by you: it is saved as typed.", "muted")

    def clear(self) -> None:
        """Every row empty and unticked, saying nothing (while a card is read, or after a file that was not one)."""
        for name in CardField:
            self._set_value(name, "")
            self.use[name].setChecked(False)
            self._say(name, "", "muted")

    def warned(self) -> int:
        return sum(1 for label in self.details.values() if label.objectName() == "fieldWarning")

    def show_proposals(self, proposals: tuple[Proposal, ...], current: Mapping[str, str] | None = None,
                       clashes: Mapping[str, str] | None = None) -> None:
        """``current``: what the case holds now (field -> text), to say when a proposal would replace it.
        ``clashes``: field -> why the proposal disagrees with something else in the case (e.g. its typed age)."""
        by_name = {p.field: p for p in proposals}
        for name in CardField:
            proposal = by_name.get(name)
            held = (current or {}).get(name.value, "")
            self._set_value(name, proposal.value if proposal else "")
            replaces = bool(proposal and held and held.casefold() != proposal.value.casefold())
            clash = (clashes or {}).get(name.value, "") if proposal else ""
            self.use[name].setChecked(proposal is not None and proposal.flag is None and not replaces and not clash)
            self._describe(name, proposal, self._shown(name, held) if replaces else "", clash)

    def _shown(self, name: CardField, value: str) -> str:
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            return editor.itemText(max(0, editor.findData(value))) or value
        return value

    def _set_value(self, name: CardField, value: str) -> None:
        editor = self.editors[name]
        editor.blockSignals(True)
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(value)))
        else:
            editor.setText(value)
            editor.setCursorPosition(0)
        editor.blockSignals(False)

    def _describe(self, name: CardField, proposal: Proposal | None, held: str, clash: str = "") -> None:
        if proposal is None:
            self._say(name, "Not found on the card", "muted")
        elif proposal.flag:
            self._say(name, f"⚠ {proposal.flag}", "fieldWarning")
        elif clash:
            self._say(name, f"⚠ {clash}", "fieldWarning")
        elif held:
            self._say(name, f"⚠ The case has {held!r}: tick to replace it with the card's.", "fieldWarning")
        else:
            checked = f" · ✓ {proposal.verified}" if proposal.verified else ""
            self._say(name, f"{proposal.confidence:.0%} sure · {_SHORT[proposal.source]}{checked}", "muted")
            self.details[name].setToolTip(f"Read from the card's {proposal.source.value}")

    def _say(self, name: CardField, text: str, kind: str) -> None:
        label = self.details[name]
        label.setText(text)
        label.setObjectName(kind)
        label.style().unpolish(label)  # the colour follows the new object name
        label.style().polish(label)

    def show_error(self, name: str, error: str) -> None:
        self._say(CardField(name), f"✖ {error}", "fieldError")

    def values(self) -> dict[str, str]:
        """The ticked fields' values, as the case's fields take them (an emptied field is not used)."""
        out = {}
        for name, use in self.use.items():
            editor = self.editors[name]
            value = str(editor.currentData()) if isinstance(editor, QComboBox) else editor.text().strip()
            if use.isChecked() and value:
                out[name.value] = value
        return out
