"""The admin's Formulary tab: the formulary in force, exported as JSON to edit, and an edited one imported,
checked, named and published to every device.

Files are read and written on a background thread, the store on the DB thread (``TaskRelay``); the file
dialogs and the name are asked on the GUI thread. Publishing queues an op: the sync engine sends it and
``on_synced`` reads the server's answer (applied with its version, or refused with every problem).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.formulary import Drug, Formulary, RouteLimit
from emsync_desktop.domain.formulary_parse import FormularyError
from emsync_desktop.services.formulary_admin import (
    FormularyAdmin,
    PublishAnswer,
    read_formulary_file,
    write_formulary_file,
)
from emsync_desktop.services.formulary_store import FormularyInfo, PublishedFormulary
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.widgets.buttons import touch_button

COLUMNS = ("Drug", "Unit", "Routes", "Adult max", "Child per kg / max", "Source")
ROUTES_COLUMN = 2  # its tooltip names the indication (adrenaline IM: anaphylaxis; IV/IO: cardiac arrest)
NOT_REVIEWED = ("Default formulary, not reviewed by a clinician. Export it, have your medical director check and "
                "edit it, and import it to publish your service's own to every device.")


class FormularyView(QWidget):
    def __init__(self, relay: TaskRelay, admin: FormularyAdmin, nudge: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        """``nudge``: send queued changes now (the sync engine's; a no-op without a server)."""
        super().__init__(parent)
        self._relay, self._admin, self._nudge = relay, admin, nudge
        self._drugs: Formulary = ()
        self._waiting: str | None = None  # the publish op whose answer is awaited
        self.notice = _label("fieldWarning")
        self.source = _label("muted")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)  # edited in the file, then imported
        self.table.horizontalHeader().setStretchLastSection(True)
        self.export_button = touch_button("Export…", tooltip="Save the formulary in force as JSON, to edit")
        self.export_button.clicked.connect(self._choose_export_file)
        self.export_button.setEnabled(False)  # until the formulary in force is read
        self.import_button = touch_button("Import…", tooltip="Check an edited JSON file and publish it")
        self.import_button.clicked.connect(self._choose_import_file)
        self.result = _label("")
        self.problems = QListWidget()
        self.problems.setVisible(False)
        self._lay_out()
        self.refresh()

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        for widget in (self.notice, self.source):
            layout.addWidget(widget)
        layout.addWidget(self.table, 3)
        layout.addLayout(buttons)
        layout.addWidget(self.result)
        layout.addWidget(self.problems, 1)

    def refresh(self) -> None:
        self._relay.submit(self._admin.in_force, on_result=self._show, owner=self)

    def on_synced(self, status: SyncStatus) -> None:
        """A sync cycle ended: a new formulary may be in force, and the server may have answered ours."""
        if "formulary" in status.touched:
            self.refresh()
        if self._waiting is not None:
            self._relay.submit(self._admin.answer, self._waiting, on_result=self._answered, owner=self)

    def _show(self, in_force: tuple[FormularyInfo, PublishedFormulary | None]) -> None:
        info, published = in_force
        self._drugs = info.drugs
        self.export_button.setEnabled(True)
        self.notice.setText(NOT_REVIEWED if published is None else info.source)
        self.notice.setVisible(not info.reviewed)
        by = f" · published by {published.published_by_name}" if published is not None else ""
        self.source.setText(f"In force: {info.source}{by}" if info.reviewed else
                            f"In force: the {len(info.drugs)} drugs shipped with the app.")
        rows = [(drug, limit) for drug in info.drugs for limit in drug.limits]
        self.table.setRowCount(len(rows))
        for r, (drug, limit) in enumerate(rows):
            for c, text in enumerate(_row_texts(drug, limit)):
                item = QTableWidgetItem(text)
                item.setToolTip(limit.indication if c == ROUTES_COLUMN and limit.indication else text)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def _choose_export_file(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, "Export the formulary", "formulary.json", "JSON (*.json)")
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        self._relay.submit_background(write_formulary_file, self._drugs, path, owner=self,
                                      on_result=lambda p: self._say(f"Exported to {p}."),
                                      on_error=lambda e: self._say(f"Not exported: {e}"))

    def _choose_import_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "Import a formulary", "", "JSON (*.json)")
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        """Check the file (background thread); if it is right, ask its name and publish it."""
        self._say(f"Checking {path.name}…")
        self._relay.submit_background(read_formulary_file, path, on_result=self._checked, on_error=self._not_read,
                                      owner=self)

    def ask_label(self) -> str | None:
        """The name every device shows with the dose checks; None: the admin cancelled."""
        text, ok = QInputDialog.getText(self, "Name this formulary", "Name (e.g. service, month, who reviewed it):")
        return text if ok else None

    def _checked(self, drugs: Formulary) -> None:
        label = self.ask_label()
        if label is None:
            self._say("Not published: no name was given.")
            return
        self._relay.submit(self._admin.publish, drugs, label, on_result=self._queued,
                           on_error=lambda e: self._say(f"Not published: {e}", "outcomeRefused"), owner=self)

    def _not_read(self, error: BaseException) -> None:
        if not isinstance(error, FormularyError):
            self._say(f"Not published: {error}", "outcomeRefused")
            return
        count = len(error.problems)
        self._say(f"Not published: {count} problem{'s' if count != 1 else ''} in the file. Fix "
                  f"{'them' if count != 1 else 'it'} and import it again.", "outcomeRefused", error.problems)

    def _queued(self, op_id: str) -> None:
        self._waiting = op_id
        self._say("Publishing: waiting for the sync server's answer (sent as soon as this desk is online)…",
                  "outcomeWaiting")
        self._nudge()

    def _answered(self, answer: PublishAnswer) -> None:
        if answer.state == "pending":
            return
        self._waiting = None
        if answer.state == "applied":
            self._say(f"Published as version {answer.version}: every device uses it from its next sync.", "outcome")
            return
        first, *rest = (answer.reason or "no reason given").splitlines()
        self._say(f"Refused by the server: {first}", "outcomeRefused", [line.removeprefix("- ") for line in rest])

    def _say(self, text: str, name: str = "", problems: tuple[str, ...] | list[str] = ()) -> None:
        self.result.setText(text)
        self.result.setObjectName(name)  # the theme colours it by name
        self.result.style().unpolish(self.result)
        self.result.style().polish(self.result)
        self.problems.clear()
        self.problems.addItems(list(problems))
        self.problems.setVisible(bool(problems))


def _label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def _row_texts(drug: Drug, limit: RouteLimit) -> tuple[str, ...]:
    unit = drug.unit.value
    adult = f"{limit.adult_max_single:g} {unit}" if limit.adult_max_single is not None else "none listed"
    return (drug.name, unit, limit.route_text, adult, _child_text(limit, unit), drug.source)


def _child_text(limit: RouteLimit, unit: str) -> str:
    per_kg = f"{limit.child_per_kg:g} {unit}/kg" if limit.child_per_kg is not None else ""
    cap = f"max {limit.child_max_single:g} {unit}" if limit.child_max_single is not None else ""
    return ", ".join(part for part in (per_kg, cap) if part) or "none listed"
