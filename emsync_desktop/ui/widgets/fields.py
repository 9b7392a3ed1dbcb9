"""Input widgets that save themselves.

``commit(text)`` is emitted when the user finishes a value (Enter, Tab, focus
out, a choice clicked) and after a short pause in typing, so there is nothing
to forget to save. The owner answers with ``show_result`` to show an inline error
(value refused, field keeps the typed text) or warning (value saved, re-check it).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.ui.theme import TOUCH_PX

TYPING_PAUSE_MS = 600


class _Messages(QLabel):
    """One line under a field, its space kept whether or not it shows: a message appearing while a person
    types never moves the fields around it. A long message is shortened with '…'; the whole of it is the
    tooltip and the accessible description."""

    def __init__(self) -> None:
        super().__init__()
        self._full = ""
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self.setFixedHeight(self.fontMetrics().height() + 4)
        self.hide()

    def show_message(self, error: str | None, warning: str | None) -> None:
        text = error or warning
        self.setObjectName("fieldError" if error else "fieldWarning")
        self.setStyleSheet("")  # re-polish for the new object name
        self._full = ("⚠ " if warning and not error else "✖ ") + text if text else ""
        self.setToolTip(self._full)
        self.setAccessibleDescription(self._full)
        self._fit()
        self.setVisible(bool(text))

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, max(self.width(), 40)))


class ProblemLine(QLabel):
    """The whole of the newest message of a group of fields (a field's own line is one short line), in
    space kept for two wrapped lines, so it can be read and nothing moves when it appears. Errors before
    warnings; a field's message goes when the field is fixed."""

    LINES = 2

    def __init__(self) -> None:
        super().__init__()
        self._by_field: dict[str, tuple[bool, str]] = {}  # field name -> (is error, text), newest last
        self.setWordWrap(True)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        self.setFixedHeight(self.LINES * self.fontMetrics().lineSpacing() + 6)
        self.hide()

    def report(self, name: str, error: str | None, warning: str | None) -> None:
        self._by_field.pop(name, None)
        if error or warning:
            self._by_field[name] = (bool(error), str(error or warning))
        self._show_newest()

    def clear_all(self) -> None:
        self._by_field.clear()
        self._show_newest()

    def _show_newest(self) -> None:
        newest = sorted(self._by_field.values(), key=lambda item: item[0])[-1:]  # stable: newest error wins
        error, text = newest[0] if newest else (False, "")
        self.setObjectName("fieldError" if error else "fieldWarning")
        self.setStyleSheet("")  # re-polish for the new object name
        self.setText(("✖ " if error else "⚠ ") + text if text else "")
        self.setVisible(bool(text))


class _AutoSavingInput(QWidget):
    """Label, editor and message line; commits after a typing pause or when the user moves on."""

    commit = Signal(str, str)  # field name, text

    def __init__(self, name: str, label: QLabel, edit: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._last_committed: str | None = None
        self.messages = _Messages()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(label)
        layout.addWidget(edit)
        layout.addWidget(self.messages)
        self._pause = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._pause.timeout.connect(self._emit_commit)

    def text(self) -> str:
        raise NotImplementedError

    def _show_text(self, text: str) -> None:
        raise NotImplementedError

    def _has_focus(self) -> bool:
        raise NotImplementedError

    def set_text(self, text: str) -> None:
        """Show a stored value without saving it again; what the user is typing is left alone. A focused
        field the user has not changed shows the new value too: left stale, moving on from it would save
        the stale text over the stored one."""
        untouched = self.text() == (self._last_committed or "")
        if not self._has_focus() or self._last_committed is None or untouched:
            self._pause.stop()
            self._show_text(text)
        self._last_committed = text

    def reset(self, text: str = "") -> None:
        """Show ``text`` for a newly opened record, clearing any message."""
        self._pause.stop()
        self._show_text(text)
        self._last_committed = text
        self.show_result(None, None)

    def show_result(self, error: str | None, warning: str | None) -> None:
        self.messages.show_message(error, warning)

    def flush(self) -> None:
        """Commit now whatever is typed (used before switching case or signing out)."""
        if self._pause.isActive():
            self._emit_commit()

    def _on_typed(self) -> None:
        if self.text() != self._last_committed:
            self._pause.start()

    def _emit_commit(self) -> None:
        self._pause.stop()
        text = self.text()
        if text != self._last_committed:
            self._last_committed = text
            self.commit.emit(self.name, text)


PLACEHOLDER_PAD_PX = 12  # the editor's padding and frame on each side (theme: 9 px and 1 px, or 8 px and 2 px focused)


class SavingField(_AutoSavingInput):
    """A labelled one-line input. ``name`` is the field name the store uses."""

    def __init__(self, name: str, label: str, unit: str = "", placeholder: str = "",
                 parent: QWidget | None = None) -> None:
        self.label = QLabel(f"{label}" + (f" <span style='color:gray'>({unit})</span>" if unit else ""))
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.setMinimumHeight(TOUCH_PX)
        self.edit.ensurePolished()  # measured in the theme's font
        if placeholder:  # the hint is read whole ('YYYY-MM-DD' was cut to 'YYYY-MM-')
            self.edit.setMinimumWidth(self.edit.fontMetrics().horizontalAdvance(placeholder) + 2 * PLACEHOLDER_PAD_PX)
        self.edit.setAccessibleName(label)
        super().__init__(name, self.label, self.edit, parent)
        self.edit.textEdited.connect(lambda _t: self._on_typed())
        self.edit.editingFinished.connect(self._emit_commit)
        self.edit.returnPressed.connect(self._move_on)

    def _move_on(self) -> None:
        """Enter saves (``editingFinished``) and moves to the next field, as Tab does."""
        self.edit.focusNextChild()

    def text(self) -> str:
        return self.edit.text()

    def _show_text(self, text: str) -> None:
        self.edit.setText(text)

    def _has_focus(self) -> bool:
        return self.edit.hasFocus()

    def show_result(self, error: str | None, warning: str | None) -> None:
        self.edit.setProperty("invalid", bool(error))
        self.edit.setProperty("warned", bool(warning) and not error)
        self.edit.style().unpolish(self.edit)
        self.edit.style().polish(self.edit)
        super().show_result(error, warning)


class SavingTextArea(_AutoSavingInput):
    """Multi-line text that saves after a pause and when focus leaves."""

    def __init__(self, name: str, label: str, placeholder: str = "", parent: QWidget | None = None) -> None:
        self.edit = QPlainTextEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(TOUCH_PX * 2)
        self.edit.setAccessibleName(label)
        super().__init__(name, QLabel(label), self.edit, parent)
        self.edit.textChanged.connect(self._on_typed)
        self.edit.installEventFilter(self)

    def text(self) -> str:
        return self.edit.toPlainText()

    def _show_text(self, text: str) -> None:
        self.edit.blockSignals(True)
        self.edit.setPlainText(text)
        self.edit.blockSignals(False)

    def _has_focus(self) -> bool:
        return self.edit.hasFocus()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.edit and event.type() == QEvent.Type.FocusOut:
            self._emit_commit()
        return False


class ChoiceField(QWidget):
    """Touch-sized segmented buttons; clicking the chosen one again clears it (not recorded). Every button
    is a Tab stop and Return or Space presses it: they are in no QButtonGroup, which would leave only one
    of them in the Tab order and (not being exclusive) no arrow keys either."""

    commit = Signal(str, str)

    def __init__(self, name: str, label: str, choices: list[tuple[str, str, str]],
                 parent: QWidget | None = None) -> None:
        """``choices``: (value, button text, tooltip)."""
        super().__init__(parent)
        self.name = name
        self._value = ""
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        row.setSpacing(4)
        for value, text, tip in choices:
            button = QPushButton(text)
            button.setCheckable(True)
            button.setToolTip(tip)
            button.ensurePolished()  # the style sheet's padding counts in its size hint
            # never narrower than its text ("Other" was cut to "th" in a tight grid column)
            button.setMinimumSize(max(TOUCH_PX, button.sizeHint().width()), TOUCH_PX)
            button.setAccessibleName(f"{label}: {tip or text}")
            button.setAutoDefault(True)  # Return presses it when focused, as Space does
            self.buttons[value] = button
            button.clicked.connect(lambda _c=False, v=value: self._on_click(v))
            row.addWidget(button)
        row.addStretch(1)
        self.messages = _Messages()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(QLabel(label))
        layout.addLayout(row)
        layout.addWidget(self.messages)

    def value(self) -> str:
        return self._value

    def set_value(self, value: str) -> None:
        self._value = value
        for key, button in self.buttons.items():
            button.setChecked(key == value)

    def reset(self, value: str = "") -> None:
        self.set_value(value)
        self.show_result(None, None)

    def show_result(self, error: str | None, warning: str | None) -> None:
        self.messages.show_message(error, warning)

    def flush(self) -> None:
        pass

    def _on_click(self, value: str) -> None:
        new = "" if value == self._value else value
        self.set_value(new)
        self.commit.emit(self.name, new)


def label_with(text: str, object_name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(object_name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def touch_line(placeholder: str, accessible_name: str, text: str = "") -> QLineEdit:
    """A one-line input sized for a gloved finger, with its hint and the name a screen reader says."""
    edit = QLineEdit(text)
    edit.setPlaceholderText(placeholder)
    edit.setMinimumHeight(TOUCH_PX)
    edit.setAccessibleName(accessible_name)
    return edit
