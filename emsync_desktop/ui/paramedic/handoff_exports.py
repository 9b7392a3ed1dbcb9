"""Export the open case's handoff: FHIR JSON (built on the DB thread) and PDF (Qt's own PDF writer, of
the page services/handoff_page makes).

The PDF is laid out on the GUI thread into memory (a short document: milliseconds) and written to disk
off it; both land in ``<data dir>/exports/`` and the path is reported back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.exports import export_handoff_fhir, exports_dir, write_atomically
from emsync_desktop.services.handoff_doc import HandoffDocument, handoff_document
from emsync_desktop.services.handoff_page import handoff_html
from emsync_desktop.store.database import Store
from emsync_desktop.ui.tasks import TaskRelay


class HandoffExports:
    def __init__(self, relay: TaskRelay, store: Store, user: UserInfo, data_dir: Path) -> None:
        self._relay = relay
        self._store = store
        self._user = user
        self._data_dir = data_dir

    def fhir(self, case_id: str, done: Callable[[object], None], include_phone: bool = False) -> None:
        export = partial(export_handoff_fhir, include_phone=include_phone)
        self._relay.submit(export, self._store, case_id, self._user, self._data_dir, on_result=done, on_error=done)

    def pdf(self, case_id: str, done: Callable[[object], None]) -> None:
        """Read the handoff (DB thread), lay it out (GUI thread), write it (background)."""
        def write(document: HandoffDocument) -> None:
            data = handoff_pdf(document, self._user.display_name)
            target = exports_dir(self._data_dir) / f"handoff-{case_id}.pdf"
            self._relay.submit_background(write_atomically, target, data, on_result=done, on_error=done)

        self._relay.submit(handoff_document, self._store, case_id, on_result=write, on_error=done)


def handoff_pdf(document: HandoffDocument, author: str, now: datetime | None = None) -> bytes:
    """The SBAR and the case record on A4 pages (services/handoff_page), with who wrote it and that model
    output is decision support. ``now``: when the case record is read as of (now if None)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(18, 18, 18, 18)))
    writer.setTitle(f"Handoff — {document.snapshot.title}")
    writer.setCreator("EMsync Desktop")
    page = QTextDocument()
    page.setHtml(handoff_html(document, author, now or utc_now()))
    page.print_(writer)
    del writer  # finishes the PDF
    data: QByteArray = buffer.data()
    return bytes(data.data())
