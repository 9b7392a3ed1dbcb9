"""What a person sees at a window size: controls off screen, cut text and targets too small to tap.

Used by tests/ui/test_screen_fit.py; kept apart so a screenshot script can print the same report.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QLabel,
    QLineEdit,
    QScrollArea,
    QTabBar,
    QTableView,
    QWidget,
)

TOUCH_PX = 44


def _scrolled(widget: QWidget) -> bool:
    """Inside a scroll area's viewport: off screen is fine there (it scrolls on purpose)."""
    parent = widget.parentWidget()
    while parent is not None:
        grand = parent.parentWidget()
        if isinstance(grand, QAbstractScrollArea) and grand.viewport() is parent:
            return True
        parent = grand
    return False


def _shown(widget: QWidget) -> bool:
    return widget.isVisible() and widget.width() > 0 and widget.height() > 0


def _name(widget: QWidget) -> str:
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""  # type: ignore[attr-defined]
    return f"{type(widget).__name__}({str(text)[:40]!r})" if text else type(widget).__name__


def problems(window: QWidget) -> list[str]:
    """Every visible control outside the window, cut short of its text, or smaller than a fingertip."""
    found: list[str] = []
    frame = QRect(0, 0, window.width(), window.height())
    for widget in window.findChildren(QWidget):
        if not _shown(widget) or isinstance(widget, QTabBar) or widget.window() is not window:
            continue
        scrolled = _scrolled(widget)
        place = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
        if not scrolled and isinstance(widget, (QAbstractButton, QLineEdit, QLabel)) and not frame.contains(place):
            found.append(f"off screen: {_name(widget)} at {place.getRect()}")
        found += _cut(widget) + _small(widget) + _sideways(widget)
    return found


def _sideways(widget: QWidget) -> list[str]:
    """A form or panel that scrolls sideways hides half of its fields (tables may: they have columns)."""
    if isinstance(widget, QScrollArea) and widget.horizontalScrollBar().maximum() > 0:
        return [f"scrolls sideways: {type(widget.widget()).__name__} needs "
                f"{widget.horizontalScrollBar().maximum()} px more"]
    return []


def _cut_cells(table: QTableView) -> list[str]:
    """Cells whose text does not fit their column (shown with '…'), where the table does not wrap."""
    model, found = table.model(), []
    if model is None or table.wordWrap():
        return []
    metrics = table.fontMetrics()
    for row in range(min(model.rowCount(), 30)):
        for column in range(model.columnCount()):
            if table.isColumnHidden(column):
                continue
            text = str(model.index(row, column).data() or "")
            if text and table.columnWidth(column) < metrics.horizontalAdvance(text) + 12:
                found.append(f"cell cut: {text[:40]!r} in a {table.columnWidth(column)} px column")
    return found


def _cut(widget: QWidget) -> list[str]:
    if isinstance(widget, QTableView):
        return _cut_cells(widget)
    text_widget = isinstance(widget, QAbstractButton) or (isinstance(widget, QLabel) and not widget.wordWrap()
                                                          and not widget.pixmap())
    if text_widget and widget.text() and widget.width() + 2 < widget.sizeHint().width():  # type: ignore[attr-defined]
        return [f"cut: {_name(widget)} {widget.width()} < {widget.sizeHint().width()} px"]
    if isinstance(widget, QLineEdit) and widget.placeholderText():
        needed = widget.fontMetrics().horizontalAdvance(widget.placeholderText()) + 20
        if widget.width() < needed:
            return [f"placeholder cut: {widget.placeholderText()[:40]!r} {widget.width()} < {needed} px"]
    return []


def _small(widget: QWidget) -> list[str]:
    small = widget.height() < TOUCH_PX or widget.width() < TOUCH_PX
    if isinstance(widget, (QAbstractButton, QLineEdit)) and widget.isEnabled() and small:
        return [f"small target: {_name(widget)} {widget.width()}x{widget.height()}"]
    return []
