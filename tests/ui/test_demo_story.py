"""The README's demo story works literally: the buttons it names exist, and the nurse it names works at
the hospital it tells the paramedic to pick."""

from __future__ import annotations

import re
from pathlib import Path

from pytestqt.qtbot import QtBot

from emsync_desktop.ui.main_window import MainWindow

README = (Path(__file__).parents[2] / "README.md").read_text()


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_readme_names_the_demo_buttons_and_the_nurses_hospital(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: "nurse" in window.login.demo_buttons)
    buttons = {_words(b.text()) for b in window.login.demo_buttons.values()}
    named = re.findall(r"pick \*([^*]+)\*", README)
    assert named and all(any(b.startswith(_words(n)) for b in buttons) for n in named), (named, buttons)
    nurse = _words(window.login.demo_buttons["nurse"].text())
    assert nurse.endswith("· Lourdes") and "tap **Lourdes**" in README
