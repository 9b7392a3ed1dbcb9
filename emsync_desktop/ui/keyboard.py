"""Keyboard reach (issue 18): Tab goes from control to control and always out again.

Qt's defaults, left alone, trapped a keyboard user: a table moves Tab from cell to cell (and around
forever), and scroll areas and charts take Tab without showing it. ``tidy_focus_chain`` fixes a widget
tree once it is built; push buttons press on Return where they are made (``setAutoDefault``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QGraphicsView, QScrollArea, QWidget

WEB_VIEW = "QWebEngineView"  # by class name: QtWebEngine is not imported just to test for it


def tidy_focus_chain(root: QWidget) -> None:
    """Tables leave on Tab (arrows move inside them); scroll areas, charts and web pages are no Tab stops
    (the map is used by mouse or touch; its hospitals are picked from the list with the keyboard)."""
    for view in root.findChildren(QAbstractItemView):
        view.setTabKeyNavigation(False)
    for area in root.findChildren(QWidget):
        if isinstance(area, (QScrollArea, QGraphicsView)) or _is_web_view(area):
            keep_out_of_focus(area)


def keep_out_of_focus(widget: QWidget) -> None:
    """Neither Tab nor a click gives ``widget`` (or what is inside a web view: its page's render widget)
    the keyboard, so window shortcuts (Ctrl+1…6, Ctrl+N) keep working after a tap on the map. Controls
    inside a scroll area keep their own focus."""
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if _is_web_view(widget):
        for child in widget.findChildren(QWidget):
            child.setFocusPolicy(Qt.FocusPolicy.NoFocus)


def _is_web_view(widget: QWidget) -> bool:
    return any(cls.__name__ == WEB_VIEW for cls in type(widget).mro())
