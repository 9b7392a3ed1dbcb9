"""The roster builder and the ward's staffing (issue 26), for the nurse in charge: the next 2-4 weeks built by CP-SAT
from the staff, rules and requests (``services.roster_solver``, on its own thread, with progress and a Stop), shown
nurse by day (E, L, N), with what it could not keep and why, or which rules clash; beside it the staffing red flags
and the next three days' expected patients against the nurses rostered. A roster built is saved at once."""

from __future__ import annotations

import contextlib
import html
import threading
from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.roster import Nurse, Roster, RosterProblem, RosterStatus, Rules, shift_counts
from emsync_desktop.domain.shifts import SHIFTS
from emsync_desktop.services.rosters import RosterBook, SavedRoster
from emsync_desktop.services.staffing import Staffing
from emsync_desktop.ui.blood_bank.parts import OutcomeLine
from emsync_desktop.ui.nurse.roster_dialogs import RequestsDialog, RulesDialog, StaffDialog, shift_letter
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import Theme, attention_colour
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.date_field import touch_date_field
from emsync_desktop.ui.widgets.frame import card

SOLVE_SECONDS = 10.0


class RosterView(QWidget):
    progressed = Signal(float, int, int)  # from the solver's thread: seconds, cost, bound

    def __init__(self, relay: TaskRelay, book: RosterBook, staffing: Callable[[SavedRoster | None], Staffing],
                 theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._book, self._staffing, self._theme = relay, book, staffing, theme
        self._saved: SavedRoster | None = None
        self._stop: threading.Event | None = None
        self._just_built = False  # the notes show the build's broken rules and why (not kept with the roster)
        self.progressed.connect(self._on_progress)
        self.destroyed.connect(lambda: self._stop.set() if self._stop else None)
        self.first_day = touch_date_field(_qdate(_next_monday(date.today())), "ddd dd MMM yyyy")
        self.weeks = QComboBox()
        self.weeks.addItems(["2 weeks", "3 weeks", "4 weeks"])
        self.weeks.setCurrentIndex(2)
        self.staff_button, self.rules_button = touch_button("Staff…"), touch_button("Rules…")
        self.requests_button = touch_button("Requests…")
        self.build = touch_button("Build roster", primary=True, tooltip="OR-Tools CP-SAT, up to 10 s")
        self.stop = touch_button("Stop", tooltip="Stop looking; the roster found so far is shown, not saved")
        self.stop.setEnabled(False)
        self.keep = touch_button("Save this roster", tooltip="Save the roster the stopped build found")
        self.keep.setVisible(False)
        self.keep.clicked.connect(self._keep_stopped)
        self._unsaved: tuple[RosterProblem, Roster] | None = None
        self.staff_button.clicked.connect(self._edit_staff)
        self.rules_button.clicked.connect(self._edit_rules)
        self.requests_button.clicked.connect(self._edit_requests)
        self.build.clicked.connect(self._build)
        self.stop.clicked.connect(self._stop_solving)
        self.outcome = OutcomeLine()
        self.grid = QTableWidget(0, 0)
        self.grid.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.grid.setCornerButtonEnabled(False)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.notes = QLabel("No roster built yet: check Staff, Rules and Requests, then Build roster.")
        self.staffing_text = QLabel("Reading the ward's staffing…")
        for label in (self.notes, self.staffing_text):
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout()

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("From"))
        top.addWidget(self.first_day)
        top.addWidget(self.weeks)
        for button in (self.staff_button, self.rules_button, self.requests_button, self.build, self.stop, self.keep):
            top.addWidget(button)
        top.addStretch(1)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(card("Staffing", self.staffing_text))
        side_layout.addWidget(card("Roster", self.notes), 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(side)
        row = QHBoxLayout()
        row.addWidget(self.grid, 3)
        row.addWidget(scroll, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.outcome)
        layout.addLayout(row, 1)

    def refresh(self) -> None:
        self._relay.submit(self._book.saved, on_result=self._on_saved, owner=self)

    def _on_saved(self, saved: SavedRoster | None) -> None:
        self._saved = saved
        if saved is not None and saved.roster.shifts and not self._just_built:
            self._show_grid(saved.problem, saved.roster)
            self.notes.setText(_status_html(saved.roster) + "<p>Saved on this PC.</p>")
        self._relay.submit(self._staffing, saved, on_result=self._show_staffing, owner=self)

    def _problem(self) -> RosterProblem:
        """On the DB thread: the staff, rules and requests as saved, for the dates chosen."""
        first = self.first_day.date().toPython()
        assert isinstance(first, date)
        days = 7 * (self.weeks.currentIndex() + 2)
        return RosterProblem(first, days, self._book.staff(), self._book.rules(), self._book.requests(first, days))

    def _build(self) -> None:
        self._relay.submit(self._problem, on_result=self._solve, owner=self)

    def _solve(self, problem: RosterProblem) -> None:
        problems = problem.problems()
        if problems:
            self.outcome.refuse(" ".join(problems))
            return
        self._stop = threading.Event()
        self._unsaved = None
        self.keep.setVisible(False)
        self.build.setEnabled(False)
        self.stop.setEnabled(True)
        self.outcome.wait(f"Building the roster for {len(problem.nurses)} nurses, {problem.days} days…")
        stop = self._stop
        self._relay.submit_background(lambda: _solve_roster(problem, stop, self._emit),
                                      on_result=lambda roster: self._on_solved(problem, roster),
                                      on_error=self._on_failed, owner=self)

    def _emit(self, seconds: float, cost: int, bound: int) -> None:
        with contextlib.suppress(RuntimeError):  # the view is gone: its destroyed signal has set the stop
            self.progressed.emit(seconds, cost, bound)

    def _on_progress(self, seconds: float, cost: int, bound: int) -> None:
        self.outcome.wait(f"Found a roster after {seconds:.1f} s; looking for a better one (its cost {cost}, lower is "
                          f"better; none can cost less than {bound})…")

    def _stop_solving(self) -> None:
        if self._stop is not None:
            self._stop.set()
            self.stop.setEnabled(False)

    def _on_solved(self, problem: RosterProblem, roster: Roster) -> None:
        self.build.setEnabled(True)
        self.stop.setEnabled(False)
        self.notes.setText(_status_html(roster))
        if roster.status in (RosterStatus.INFEASIBLE, RosterStatus.UNKNOWN):
            self.outcome.refuse("No roster built: see why on the right. The last roster is kept.")
            return
        self._show_grid(problem, roster)
        self._just_built = True
        if self._stop is not None and self._stop.is_set():  # stopped: maybe worse than the saved one; ask
            self._unsaved = (problem, roster)
            self.keep.setVisible(True)
            self.outcome.wait(f"Stopped after {roster.seconds:.1f} s: this roster is shown, not saved (the saved one "
                              "is kept). Save this roster, or Build again and let it finish.")
            return
        self.outcome.say(f"Roster built in {roster.seconds:.1f} s and saved on this PC.")
        self._save(problem, roster)

    def _keep_stopped(self) -> None:
        if self._unsaved is not None:
            self._save(*self._unsaved)
            self.outcome.say("The stopped build's roster is saved on this PC.")

    def _save(self, problem: RosterProblem, roster: Roster) -> None:
        self._unsaved = None
        self.keep.setVisible(False)
        self._relay.submit(self._book.save, problem, roster, on_result=lambda _: self.refresh(), owner=self)

    def _on_failed(self, error: BaseException) -> None:
        self.build.setEnabled(True)
        self.stop.setEnabled(False)
        if not isinstance(error, ValueError):
            raise error
        self.outcome.refuse(str(error))

    def _show_grid(self, problem: RosterProblem, roster: Roster) -> None:
        self.grid.clear()
        self.grid.setRowCount(len(problem.nurses) + len(SHIFTS))
        self.grid.setColumnCount(problem.days)
        self.grid.setHorizontalHeaderLabels([f"{d:%a}\n{d:%d}" for d in problem.dates])
        labels = [f"{n.name} ({n.grade.value})" for n in problem.nurses] + [f"{s.value} (RN)" for s in SHIFTS]
        self.grid.setVerticalHeaderLabels(labels)
        for row, nurse in enumerate(problem.nurses):
            for day, shift in enumerate(roster.shifts.get(nurse.id, [])):
                self.grid.setItem(row, day, QTableWidgetItem(shift_letter(shift)))
        for day in range(problem.days):
            counts = shift_counts(roster, day, problem.nurses)
            for i, shift in enumerate(SHIFTS):
                nurses, registered = counts[shift]
                item = QTableWidgetItem(f"{nurses} ({registered})")
                if registered < problem.rules.min_registered and problem.rules.cover.get(shift, 0):
                    background, text = attention_colour(self._theme, "danger")
                    item.setBackground(QColor(background))
                    item.setForeground(QColor(text))
                self.grid.setItem(len(problem.nurses) + i, day, item)

    def _show_staffing(self, staffing: Staffing) -> None:
        self.staffing_text.setText(_staffing_html(staffing))

    def _edit_staff(self) -> None:
        self._relay.submit(self._book.staff, on_result=self._open_staff, owner=self)

    def _open_staff(self, staff: tuple[Nurse, ...]) -> None:
        dialog = StaffDialog(staff, self)
        if dialog.exec():
            self._relay.submit(self._book.save_staff, dialog.staff, on_result=self._said("Staff saved."), owner=self)

    def _edit_rules(self) -> None:
        self._relay.submit(self._book.rules, on_result=self._open_rules, owner=self)

    def _open_rules(self, rules: Rules) -> None:
        dialog = RulesDialog(rules, self)
        if dialog.exec():
            self._relay.submit(self._book.save_rules, dialog.rules(rules), on_result=self._said("Rules saved."),
                               owner=self)

    def _edit_requests(self) -> None:
        self._relay.submit(self._problem, on_result=self._open_requests, owner=self)

    def _open_requests(self, problem: RosterProblem) -> None:
        dialog = RequestsDialog(problem.nurses, problem.requests, problem.first_day, problem.days, self)
        if dialog.exec():
            self._relay.submit(self._book.save_requests, tuple(dialog.requests),
                               on_result=self._said(f"{len(dialog.requests)} requests saved."), owner=self)

    def _said(self, text: str) -> Callable[[object], None]:
        return lambda _: self.outcome.say(text)


def _solve_roster(problem: RosterProblem, stop: threading.Event,
                  progress: Callable[[float, int, int], None]) -> Roster:
    """On the solver's thread. OR-Tools (with pandas) is imported here, at the first build: half a second the
    nurse's workspace does not spend at sign-in."""
    from emsync_desktop.services.roster_solver import solve_roster

    return solve_roster(problem, seconds=SOLVE_SECONDS, progress=progress, cancelled=stop)


def _status_html(roster: Roster) -> str:
    e = html.escape
    if roster.status is RosterStatus.INFEASIBLE:
        clash = "".join(f"<li>{e(rule)}</li>" for rule in roster.infeasible)
        return ("<b>No roster can keep all of these rules together:</b>"
                f"<ul>{clash}</ul>Relax one of them (Rules…), move leave (Requests…) or add staff (Staff…).")
    if roster.status is RosterStatus.UNKNOWN:
        return "<b>No roster was found in time.</b> Try again, or relax the cover."
    proven = f"proven the best for these rules (cost {roster.cost})" if roster.status is RosterStatus.OPTIMAL else (
        f"not proven the best: its cost is {roster.cost} and no roster can cost less than {roster.bound} "
        f"(gap {roster.gap:.0%})")
    parts = [f"<b>Every hard rule kept</b>; {e(proven)}. Built in {roster.seconds:.1f} s. The cost adds up what "
             "was not kept below (lower is better)."]
    if roster.broken:
        items = "".join(f"<li>{e(b.what)} (cost {b.cost}){': ' + e(b.why) if b.why else ''}</li>"
                        for b in roster.broken[:12])
        more = f"<p>and {len(roster.broken) - 12} more.</p>" if len(roster.broken) > 12 else ""
        parts.append(f"<p>Not kept:</p><ul>{items}</ul>{more}")
    return "".join(parts)


def _staffing_html(s: Staffing) -> str:
    e = html.escape
    flags = "".join(f"<li><b>{e(f.when)}</b>: {e(f.text)}</li>" for f in s.flags)
    parts = [f"<p style='font-weight:600'>⚠ Red flags</p><ul>{flags}</ul>" if flags else "<p>No red flags.</p>"]
    known = [o for o in s.outlook if o.expected is not None or o.nurses is not None]
    rows = "".join(f"<tr><td>{e(o.slot.label)}</td><td>{_range(o.expected, o.up_to)}</td>"
                   f"<td>{'' if o.nurses is None else o.nurses}</td>"
                   f"<td>{_range(_per(o.expected, o.nurses), _per(o.up_to, o.nurses), 1)}</td></tr>" for o in known)
    if known:
        parts.append("<p>Patients expected per shift (the network's forecast of this hospital's beds in use: likely, "
                     "and the upper figure it may reach) against nurses rostered. A day shift above 8 patients per "
                     "nurse at the upper figure is a red flag.</p><table cellpadding='3'><tr><th align='left'>Shift"
                     f"</th><th>Patients</th><th>Nurses</th><th>Per nurse</th></tr>{rows}</table>")
    if s.synthetic:
        parts.append("<p>The forecast is fitted on the demo's made-up history.</p>")
    if all(o.expected is None for o in s.outlook):
        parts.append("<p>No forecast of patients synced yet: the server fits one once this hospital has 20 days of "
                     "history.</p>")
    if all(o.nurses is None for o in s.outlook):
        parts.append("<p>No roster covers the next three days: build one for the ratio of patients to nurses.</p>")
    return "".join(parts)


def _per(patients: float | None, nurses: int | None) -> float | None:
    return None if patients is None or not nurses else patients / nurses


def _range(likely: float | None, upper: float | None, decimals: int = 0) -> str:
    """"47 to 56", "" when unknown."""
    if likely is None or upper is None:
        return ""
    return f"{likely:.{decimals}f} to {upper:.{decimals}f}"


def _next_monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
