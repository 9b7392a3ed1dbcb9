"""The shift handover on screen and as a PDF (issue 26): read on the DB thread (``services.handover``), shown as the
document itself, saved into the exports folder (written on the DB thread, atomically) with the path said."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QHBoxLayout, QTextBrowser, QVBoxLayout, QWidget

from emsync_desktop.services.exports import exports_dir, write_atomically
from emsync_desktop.services.handover import Handover, handover_html
from emsync_desktop.ui.blood_bank.parts import OutcomeLine
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import print_stylesheet
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.pdf import file_stamp, html_pdf


def write_handover_pdf(handover: Handover, data_dir: Path) -> Path:
    """The handover's PDF in the exports folder, named by local time; returns its path. Any thread."""
    pdf = html_pdf(handover_html(handover), f"EMsync handover {handover.hospital}")
    return write_atomically(exports_dir(data_dir) / f"handover-{file_stamp(handover.made_at)}.pdf", pdf)


class HandoverDialog(QDialog):
    def __init__(self, relay: TaskRelay, handover: Handover, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._handover, self._data_dir = relay, handover, data_dir
        self.setWindowTitle(f"Handover: {handover.ending.shift.label} to {handover.starting.shift.label}")
        self.resize(980, 680)
        self.page = QTextBrowser()
        self.page.document().setDefaultStyleSheet(print_stylesheet())
        self.page.setHtml(handover_html(handover))
        self.save = touch_button("Save as PDF", primary=True, tooltip="Into the exports folder, to print or send")
        self.save.clicked.connect(self._save)
        self.close_button = touch_button("Close")
        self.close_button.clicked.connect(self.accept)
        self.outcome = OutcomeLine()
        row = QHBoxLayout()
        row.addWidget(self.outcome, 1)
        row.addWidget(self.save)
        row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page, 1)
        layout.addLayout(row)

    def _save(self) -> None:
        self.save.setEnabled(False)
        self.outcome.wait("Writing the PDF…")
        self._relay.submit(write_handover_pdf, self._handover, self._data_dir, on_result=self._on_saved,
                           on_error=self._on_failed, owner=self)

    def _on_saved(self, path: Path) -> None:
        self.save.setEnabled(True)
        self.outcome.say(f"Saved: {path}")

    def _on_failed(self, error: BaseException) -> None:
        if not isinstance(error, OSError):
            raise error
        self.save.setEnabled(True)
        self.outcome.refuse(f"Could not write the PDF ({error.strerror or error}): check the disk has room.")
