"""Export the open case's handoff: FHIR JSON (built on the DB thread) and PDF (Qt's own PDF writer).

The PDF is laid out on the GUI thread into memory (a short document: milliseconds) and written to disk
off it; both land in ``<data dir>/exports/`` and the path is reported back.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.services.exports import export_handoff_fhir, exports_dir, write_atomically
from emsync_desktop.store.database import Store
from emsync_desktop.ui.tasks import TaskRelay


class HandoffExports:
    def __init__(self, relay: TaskRelay, store: Store, user: UserInfo, data_dir: Path) -> None:
        self._relay = relay
        self._store = store
        self._user = user
        self._data_dir = data_dir

    def fhir(self, case_id: str, done: Callable[[object], None]) -> None:
        self._relay.submit(export_handoff_fhir, self._store, case_id, self._user, self._data_dir,
                           on_result=done, on_error=done)

    def pdf(self, snapshot: CaseSnapshot, done: Callable[[object], None]) -> None:
        data = handoff_pdf(snapshot, self._user.display_name)
        target = exports_dir(self._data_dir) / f"handoff-{snapshot.id}.pdf"
        self._relay.submit_background(write_atomically, target, data, on_result=done, on_error=done)


def handoff_pdf(snapshot: CaseSnapshot, author: str) -> bytes:
    """The SBAR on an A4 page, with who wrote it and that model output is decision support."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(18, 18, 18, 18)))
    writer.setTitle(f"Handoff — {snapshot.title}")
    writer.setCreator("EMsync Desktop")
    document = QTextDocument()
    document.setHtml(_handoff_html(snapshot, author))
    document.print_(writer)
    del writer  # finishes the PDF
    data: QByteArray = buffer.data()
    return bytes(data.data())


def _handoff_html(snapshot: CaseSnapshot, author: str) -> str:
    sbar = snapshot.sbar
    parts = [f"<h2>Paramedic handoff (SBAR)</h2><p><b>{html.escape(snapshot.title)}</b> · by "
             f"{html.escape(author)}</p>"]
    for title, body in (("Situation", sbar.situation), ("Background", sbar.background),
                        ("Assessment", sbar.assessment), ("Recommendation", sbar.recommendation)):
        text = "<br/>".join(html.escape(line) for line in body.splitlines())
        parts.append(f"<h3>{title}</h3><p>{text}</p>")
    parts.append("<p><i>Scores and model output are decision support, not a diagnosis.</i></p>")
    return "".join(parts)
