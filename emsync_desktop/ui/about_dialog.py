"""About EMsync: the app's version, the models it runs, and the licences of the third-party components.

The notices are not written by hand: ``installers/emsync.spec`` generates THIRD-PARTY-NOTICES.txt at build
time from the distributions the build contains, and puts it in the bundle. A source run has none and says
so. Reading the files happens on a background thread (``show_about``); the dialog only shows them.
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QFormLayout, QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from emsync_desktop import __version__
from emsync_desktop.ml.registry import ModelUnavailable, default_models_dir, load_manifest
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button

NOTICES_FILE = "THIRD-PARTY-NOTICES.txt"
SOURCE_RUN_NOTICE = ("This copy runs from source. The licences of the third-party components are collected "
                     f"into {NOTICES_FILE} when the app is built (make dist), from exactly what the build "
                     "contains, and an installed copy shows them here.")


@dataclass(frozen=True)
class AboutInfo:
    app_version: str
    runtime: str  # Qt, PySide6 and Python versions
    triage_models: str
    imaging_model: str
    notices: str | None  # None: no notices file (a source run)


def notices_path() -> Path | None:
    """Where a built copy keeps its notices (None when running from source)."""
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) / NOTICES_FILE if bundle else None


def load_about(data_dir: Path) -> AboutInfo:
    """Everything the dialog shows. Reads files: call it off the GUI thread."""
    try:
        triage = load_manifest(default_models_dir()).get("triage", {})
        triage_line = f"{triage.get('version', 'no version recorded')} ({len(triage.get('models', {}))} models)"
    except ModelUnavailable as exc:
        triage_line = str(exc)
    try:
        from emsync_desktop.services.model_import import active_imaging_model  # numpy: not at start-up

        imaging_line = active_imaging_model(data_dir)
    except (ModelUnavailable, KeyError) as exc:
        imaging_line = f"No usable imaging model: {exc}"
    path = notices_path()
    notices = path.read_text("utf-8", errors="replace") if path is not None and path.is_file() else None
    runtime = f"Qt {qVersion()} · PySide6 {PySide6.__version__} · Python {platform.python_version()}"
    return AboutInfo(__version__, runtime, triage_line, imaging_line, notices)


class AboutDialog(QDialog):
    def __init__(self, info: AboutInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About EMsync")
        self.setMinimumSize(760, 560)
        title = QLabel(f"EMsync Desktop {info.app_version}")
        title.setObjectName("subheading")
        note = QLabel("Decision support, never a diagnosis. Every result names the model version that produced it.")
        note.setObjectName("muted")
        note.setWordWrap(True)
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for label, value in (("Version", info.app_version), ("Runtime", info.runtime),
                             ("Triage models", info.triage_models), ("Imaging model", info.imaging_model)):
            field = QLabel(value)
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, field)
            self.fields[label] = field
        heading = QLabel("Third-party licences")
        heading.setObjectName("subheading")
        self.notices = QPlainTextEdit(info.notices if info.notices is not None else SOURCE_RUN_NOTICE)
        self.notices.setReadOnly(True)
        if info.notices is not None:  # its summary is a table in columns
            self.notices.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.notices.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap if info.notices else
                                     QPlainTextEdit.LineWrapMode.WidgetWidth)
        close = touch_button("Close", primary=True)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        for widget in (title, note):
            layout.addWidget(widget)
        layout.addLayout(form)
        layout.addWidget(heading)
        layout.addWidget(self.notices, 1)
        layout.addLayout(buttons)


def show_about(parent: QWidget, relay: TaskRelay, data_dir: Path) -> None:
    """Read what the dialog shows off the GUI thread, then open it over ``parent``."""
    def opened(info: AboutInfo) -> None:
        dialog = AboutDialog(info, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    relay.submit_background(load_about, data_dir, on_result=opened, owner=parent)
