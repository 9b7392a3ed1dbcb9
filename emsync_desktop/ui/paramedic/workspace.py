"""The paramedic workspace: case list | case form + vitals | NEWS2 + SBAR."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.geo.position import PositionSource
from emsync_desktop.ml.card_ocr import CardReader
from emsync_desktop.services.card_intake import CardIntakeService
from emsync_desktop.services.case_closing import CaseClosing
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.case_views import CaseSnapshot
from emsync_desktop.services.hospital_ranking import HospitalRankingService
from emsync_desktop.services.messages import MessageService
from emsync_desktop.services.transfers import CrewNews, TransferService
from emsync_desktop.sync.blobs import BLOBS_DIR
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.sync.protocol import RECORD_ENTITIES
from emsync_desktop.ui.intake.card_intake_dialog import CardIntakeDialog
from emsync_desktop.ui.intake.kept_cards import KeptCardsDialog
from emsync_desktop.ui.messages.center import MessageCenter
from emsync_desktop.ui.paramedic.case_ending import CaseEndingBar
from emsync_desktop.ui.paramedic.case_form import CaseForm
from emsync_desktop.ui.paramedic.case_list import CaseListPanel
from emsync_desktop.ui.paramedic.case_model import CaseEditorModel
from emsync_desktop.ui.paramedic.drug_dialog import DrugDialog
from emsync_desktop.ui.paramedic.handoff_exports import HandoffExports
from emsync_desktop.ui.paramedic.history_form import HistoryForm
from emsync_desktop.ui.paramedic.nemsis_export import NemsisCaseExport
from emsync_desktop.ui.paramedic.news_banner import NewsBanner
from emsync_desktop.ui.paramedic.position_reporter import PositionReporter
from emsync_desktop.ui.paramedic.procedure_dialog import ProcedureDialog
from emsync_desktop.ui.paramedic.record_model import RecordModel
from emsync_desktop.ui.paramedic.sbar_panel import SbarPanel
from emsync_desktop.ui.paramedic.scores_panel import ScoresPanel
from emsync_desktop.ui.paramedic.timeline_strip import TimelineStrip
from emsync_desktop.ui.paramedic.transfer_panel import TransferPanel
from emsync_desktop.ui.paramedic.treatments_panel import TreatmentsPanel
from emsync_desktop.ui.paramedic.triage_panel import TriagePanel
from emsync_desktop.ui.paramedic.vitals_panel import VitalsPanel
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.elided_label import ElidedLabel
from emsync_desktop.ui.widgets.fields import SavingField
from emsync_desktop.ui.widgets.map_panel import MapPanel

RECORD_FEED_ENTITIES = {*RECORD_ENTITIES.values(), "formulary"}  # pulled changes the Record tabs show


class ParamedicWorkspace(QWidget):
    def __init__(self, model: CaseEditorModel, theme: Theme, relay: TaskRelay, transfers: TransferService,
                 on_local_change: Callable[[], None], ranking: HospitalRankingService | None, data_dir: Path,
                 position_source: PositionSource | None = None, exports: HandoffExports | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.case_list = CaseListPanel(model, theme)
        self.form = CaseForm(model)
        self._theme = theme
        self.intake = CardIntakeService(transfers.store, transfers.user, CardReader())  # models load at first use
        self.form.read_card_requested.connect(self.open_card_intake)
        self.form.match.link_requested.connect(self._link_case)
        self.form.card_images_requested.connect(self._show_card_images)
        model.saved.connect(self._look_for_same_patient)
        self.vitals = VitalsPanel(model, theme)
        self.scores = ScoresPanel(model, theme)
        self.nemsis = NemsisCaseExport(model, relay, transfers.store)
        self.sbar = SbarPanel(model, exports, self.nemsis)
        self.triage = TriagePanel(model, theme)
        self.title = ElidedLabel()  # a title growing as the complaint is typed never moves the panels
        self.title.setObjectName("heading")
        self.record = RecordModel(relay, RecordService(transfers.store, transfers.user, blob_dir=data_dir / BLOBS_DIR),
                                  model)
        self.timeline = TimelineStrip(self.record)
        self.treatments = TreatmentsPanel(self.record)
        self.history = HistoryForm(self.record)
        self.tabs = QTabWidget()
        self.transfer = TransferPanel(model, relay, transfers, transfers.store, on_local_change, ranking,
                                      position_source)
        self.map = MapPanel(relay, data_dir, night=theme.name == "dark")
        self.reporter = PositionReporter(lambda: self.transfer.chooser.source, transfers.store, transfers.user.id,
                                         relay, on_local_change, self)
        self.pages: dict[str, QWidget] = {
            "Vitals": _scrolling(self.vitals), "Patient": _scrolling(self.form), "Record": self.treatments,
            "History": _scrolling(self.history), "Hospital": _scrolling(self.transfer), "Map": self.map}
        for title, page in self.pages.items():
            self.tabs.addTab(page, title)
        self.transfer.chooser.scene_changed.connect(self.map.show_scene)
        self.map.hospital_picked.connect(self.transfer.pick)
        self.map.send_requested.connect(self._send_from_map)
        self.transfer.send_state.connect(self.map.set_send_state)
        self.treatments.give_drug_requested.connect(self.open_drug_entry)
        self.treatments.procedure_requested.connect(self.open_procedure_entry)
        shortcuts: list[tuple[str, Callable[[], None]]] = [
            ("Ctrl+6", lambda: self._go_to("Map", self.map.send)),
            ("Ctrl+1", lambda: self._go_to("Patient", self.form.fields["chief_complaint"])),
            ("Ctrl+2", lambda: self._go_to("Vitals", self.vitals.fields["hr_bpm"])),
            ("Ctrl+3", lambda: self._go_to("Hospital", self.transfer.hospitals)),
            ("Ctrl+7", lambda: self._go_to("Record", self.treatments.give_drug)),
            ("Ctrl+8", lambda: self._go_to("History", self.history.signs)),
            ("Ctrl+G", self.open_drug_entry), ("Ctrl+R", self.open_procedure_entry),
            ("Ctrl+I", self.open_card_intake)]
        for key, action in shortcuts:
            QShortcut(QKeySequence(key), self, action, context=Qt.ShortcutContext.WindowShortcut)
        model.flush_requested.connect(self.flush)
        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(8, 4, 4, 4)
        self.ending = CaseEndingBar(model, relay, CaseClosing(transfers.store, transfers.user))
        editor_layout.addWidget(self.tabs, 1)
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(_scrolling(self.triage, horizontal=False), "Triage")
        self.side_tabs.addTab(self.sbar, "SBAR")
        _shortcut_tips(self.tabs, ["Ctrl+2", "Ctrl+1", "Ctrl+7", "Ctrl+8", "Ctrl+3", "Ctrl+6"])
        _shortcut_tips(self.side_tabs, ["Ctrl+4", "Ctrl+5"])
        QShortcut(QKeySequence("Ctrl+4"), self, lambda: self.side_tabs.setCurrentIndex(0),
                  context=Qt.ShortcutContext.WindowShortcut)
        QShortcut(QKeySequence("Ctrl+5"), self, lambda: self.side_tabs.setCurrentIndex(1),
                  context=Qt.ShortcutContext.WindowShortcut)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(_scrolling(self.scores, horizontal=False))  # squeezed, it would clip its rows
        right.addWidget(self.side_tabs)
        right.setSizes([330, 570])
        case_view = QSplitter(Qt.Orientation.Horizontal)
        case_view.addWidget(editor)
        case_view.addWidget(right)
        case_view.setStretchFactor(0, 5)
        case_view.setStretchFactor(1, 3)
        case_view.setSizes([800, 520])
        self.empty = QLabel("No case open.\n\nPress “New case” (Ctrl+N) or pick a case from the list.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("muted")
        case_page = QWidget()  # the timeline strip spans the whole case: eight steps need the width
        case_layout = QVBoxLayout(case_page)
        case_layout.setContentsMargins(8, 6, 4, 0)
        self.give_drug = touch_button("Drug given…", primary=True, tooltip="Record a drug given (Ctrl+G): "
                                      "tap the drug, check the dose, Record")
        self.give_drug.clicked.connect(self.open_drug_entry)
        self.do_procedure = touch_button("Procedure…", tooltip="Record a procedure done (Ctrl+R)")
        self.do_procedure.clicked.connect(self.open_procedure_entry)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.give_drug)
        header.addWidget(self.do_procedure)
        header.addWidget(self.ending)
        case_layout.addLayout(header)
        case_layout.addWidget(self.timeline)
        case_layout.addWidget(case_view, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(case_page)
        outer = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(self.case_list)
        outer.addWidget(self.stack)
        outer.setSizes([270, 1330])
        outer.setStretchFactor(1, 1)
        self.news = NewsBanner()
        self.news.open_case.connect(self._open_case_with_news)
        self.messages = MessageCenter(relay, MessageService(transfers.store, transfers.user), transfers.user.id,
                                      on_local_change, self, current=lambda: self.transfer.thread_transfer)
        self.transfer.open_thread.connect(self.messages.open_thread)
        self.messages.counts_changed.connect(self.transfer.show_message_counts)
        banners = QVBoxLayout()  # inset like the ward's and the desk's (the split below runs edge to edge)
        banners.setContentsMargins(8, 0, 8, 0)
        banners.addWidget(self.news)
        banners.addWidget(self.messages.banner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(banners)
        layout.addWidget(outer)
        self._shown_case: str | None = None
        self._relay = relay
        self._transfers = transfers
        self._on_local_change = on_local_change
        self._news_seen: dict[str, str] | None = None  # transfer id -> its latest step told (None: not read yet)
        model.snapshot_changed.connect(self._on_snapshot)
        model.list_cases()
        self._check_news()

    def _check_news(self) -> None:
        self._relay.submit(self._transfers.crew_news, on_result=self._on_news, owner=self)

    def _on_news(self, items: list[CrewNews]) -> None:
        """Tell the crew, whichever tab they are on, of decisions that arrived since the last look (what
        was already decided at sign-in is in the case list, not a banner)."""
        first_look = self._news_seen is None
        seen = self._news_seen or {}
        fresh = [n for n in items if seen.get(n.transfer_id) != n.step_at]
        self._news_seen = {n.transfer_id: n.step_at for n in items}
        if fresh and not first_look:
            self.news.show_news(fresh[-1], more=len(fresh) - 1)
        for redirected in (n for n in fresh if n.kind == "moved" and not first_look):
            self._follow_redirect(redirected)

    def _follow_redirect(self, news: CrewNews) -> None:
        """A coordinator sent the patient elsewhere: give that ward an ETA from here, and drive there."""
        eta = self.transfer.chooser.eta_to(news.hospital_id)
        if eta is not None:
            self._relay.submit(self._transfers.update_eta, news.transfer_id, eta,
                               on_result=lambda _r: self._on_local_change(), owner=self)
        self.transfer.chooser.start_drive(news.hospital_id)

    def _open_case_with_news(self, case_id: str) -> None:
        self.model.load(case_id)
        self.show_tab("Hospital")

    def show_tab(self, title: str) -> None:
        self.tabs.setCurrentWidget(self.pages[title])

    def _go_to(self, tab: str, first: QWidget) -> None:
        """A tab by its shortcut, with the keyboard in its first field (no case open: nothing to type in)."""
        self.show_tab(tab)
        if self.model.snapshot is not None:
            _focus_in(first)

    def open_drug_entry(self) -> None:
        """Tap 1 of 3: the drug dialog (tap the drug, check the dose, Record)."""
        record, snapshot = self.record.record, self.model.snapshot
        if record is None or snapshot is None or record.case_id != snapshot.id:
            return  # no case open, or its record is still being read (a moment after opening it)
        DrugDialog(self.record, record, snapshot.details.age_years, self.window()).open()

    def open_card_intake(self) -> None:
        """Read an ID or insurance card into the open case (issue 27)."""
        snapshot = self.model.snapshot
        if snapshot is None or snapshot.status != "open":
            self.model.failed.emit("Open a case first (Ctrl+N, or pick one from the list), then read the card into "
                                   "it.")
            return
        self.form.flush()
        d = snapshot.details
        current = {"name": d.name, "sex": "" if d.sex.value == "unknown" else d.sex.value, "id_type": d.id_type,
                   "date_of_birth": d.date_of_birth.isoformat() if d.date_of_birth else "", "id_number": d.id_number,
                   "address": d.address, "insurer": d.insurer, "policy_number": d.policy_number,
                   "age_years": "" if d.age_years is None else str(d.age_years)}
        dialog = CardIntakeDialog(self.intake, self._relay, snapshot.id, self._theme, current, self.window())
        dialog.saved.connect(self._card_saved)
        dialog.warned.connect(self.model.failed)  # the status bar: saved, with something to check
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.card_dialog = dialog

    def _show_card_images(self) -> None:
        snapshot = self.model.snapshot
        if snapshot is not None:
            self._relay.submit(self.intake.kept_images, snapshot.id, owner=self,
                               on_result=lambda images: KeptCardsDialog(images, self.window()).open())

    def _card_saved(self, _snapshot: CaseSnapshot) -> None:
        self.model.reload_snapshot()
        self.model.list_cases()  # the list shows the name the card brought

    def _look_for_same_patient(self, field: str) -> None:
        """A typed ID number, name or date of birth that matches an earlier case offers to link them."""
        snapshot = self.model.snapshot
        if field in ("id_number", "name", "date_of_birth") and snapshot is not None:
            case_id = snapshot.id
            self._relay.submit(self.intake.matches, case_id, owner=self.form.match,
                               on_result=lambda found: self.form.match.show_matches(case_id, found))

    def _link_case(self, earlier_case_id: str) -> None:
        snapshot = self.model.snapshot
        if snapshot is not None:
            self._relay.submit(self.intake.link, snapshot.id, earlier_case_id, owner=self,
                               on_result=lambda _s: self.model.reload_snapshot())

    def open_procedure_entry(self) -> None:
        if self.model.snapshot is not None:
            ProcedureDialog(self.record, self.window()).open()

    def focus_first(self) -> None:
        """Where the keyboard starts after sign-in: the case search (typing there can never open a case)."""
        self.case_list.search.setFocus()

    def on_synced(self, status: SyncStatus) -> None:
        """The sync engine brought or sent something: refresh what it touched."""
        if status.touched & {"transfer", "booking", "handoff", "bed"} or not status.pending:
            self.transfer.refresh()
        if status.touched & {"transfer"}:
            self._check_news()
            self.model.list_cases()  # each case's transfer state is in the list
        if status.touched & {"transfer", *RECORD_FEED_ENTITIES} or not status.pending:
            self.record.refresh()  # a ward's arrival, a colleague's entry, or our entries now sent
        self.messages.on_synced(status)

    def _send_from_map(self) -> None:
        self.transfer.send_selected()
        self.show_tab("Hospital")  # the answer (bed held or refused, with alternatives) shows there

    def flush(self) -> None:
        """Save anything typed but not yet committed (before sign-out or close)."""
        self.form.flush()
        self.vitals.flush()
        self.history.flush()
        self.messages.flush()

    def _on_snapshot(self, snapshot: CaseSnapshot | None) -> None:
        if snapshot is None:
            self.stack.setCurrentIndex(0)
            return
        if snapshot.id != self._shown_case:
            self._shown_case = snapshot.id
            fresh = not snapshot.vitals and not snapshot.details.chief_complaint
            self.show_tab("Patient" if fresh else "Vitals")
            complaint = self.form.fields["chief_complaint"]
            if fresh and isinstance(complaint, SavingField):  # a new case: typing goes into its chief complaint
                QTimer.singleShot(0, self, complaint.edit.setFocus)
        self.stack.setCurrentIndex(1)
        self.title.set_full_text(snapshot.title + (f" — {snapshot.details.chief_complaint}"
                                                   if snapshot.details.chief_complaint else ""))


def _focus_in(widget: QWidget) -> None:
    """The keyboard to ``widget``: a field's editor, or the widget itself."""
    edit = getattr(widget, "edit", None)
    (edit if isinstance(edit, QWidget) else widget).setFocus(Qt.FocusReason.ShortcutFocusReason)


def _shortcut_tips(tabs: QTabWidget, keys: list[str]) -> None:
    """Tab titles stay short enough to fit a 1280 px screen without scroll arrows; the keys are in tooltips
    (and in the README)."""
    for index, key in enumerate(keys):
        tabs.setTabToolTip(index, f"{tabs.tabText(index)} ({key})")


def _scrolling(widget: QWidget, horizontal: bool = True) -> QScrollArea:
    scroll = QScrollArea()
    if not horizontal:  # the content wraps to the width instead
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidgetResizable(True)
    scroll.setWidget(widget)
    return scroll

