"""Open a crew's 12-lead ECG from the incoming-transfer card with the system's viewer.

The file comes from this PC's blob store, else from the sync server, on a background thread (it may wait
on the network); the viewer opens a copy under ``<data dir>/viewer`` named by the file's kind
(``services.ecg_files``). A file not on the server yet (the crew's device sends it after the record) is
said in words, never an empty viewer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QPushButton

from emsync_desktop.domain.ecg_file import EcgAttachment
from emsync_desktop.domain.local_time import clock
from emsync_desktop.services.ecg_files import VIEWER_DIR, viewer_copy
from emsync_desktop.sync.blobs import BLOBS_DIR
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button


class EcgOpener(QObject):
    failed = Signal(str)  # why an ECG did not open, and what to do
    opened = Signal(str)  # the path of the copy handed to the viewer

    def __init__(self, relay: TaskRelay, data_dir: Path, fetch_blob: Callable[[str], bytes] | None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relay = relay
        self._blob_dir = data_dir / BLOBS_DIR
        self._viewer_dir = data_dir / VIEWER_DIR
        self._fetch_blob = fetch_blob

    def buttons(self, attachments: Sequence[EcgAttachment]) -> QHBoxLayout:
        """One 'Open ECG 07:48' button per attached ECG, in a row."""
        row = QHBoxLayout()
        for attachment in attachments:
            when = f" {clock(attachment.done_at)}" if attachment.done_at else ""
            button = touch_button(f"Open ECG{when}", tooltip=f"{attachment.name} ({attachment.size_text}), "
                                                             "opened with this PC's viewer")
            button.clicked.connect(partial(self.open, attachment, button))
            row.addWidget(button)
        row.addStretch(1)
        return row

    def open(self, attachment: EcgAttachment, button: QPushButton | None = None, _checked: bool = False) -> None:
        if button is not None:
            button.setEnabled(False)  # one fetch at a time; enabled again when it is done
        self._relay.submit_background(viewer_copy, self._blob_dir, self._viewer_dir, attachment, self._fetch_blob,
                                      on_result=partial(self._show, button),
                                      on_error=partial(self._refused, button), owner=self)

    def _show(self, button: QPushButton | None, path: Path) -> None:
        _enable(button)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.failed.emit(f"No program on this PC opens {path.suffix} files: ask IT to install a viewer. "
                             f"The ECG is at {path}.")
            return
        self.opened.emit(str(path))

    def _refused(self, button: QPushButton | None, error: BaseException) -> None:
        _enable(button)
        self.failed.emit(str(error) if isinstance(error, ValueError) else
                         f"The ECG could not be opened: {type(error).__name__}: {error}")


def _enable(button: QPushButton | None) -> None:
    if button is not None and shiboken6.isValid(button):  # the card may have been rebuilt meanwhile
        button.setEnabled(True)
