"""The ward's task board (issue 26): every open task, escalated and overdue first, then by priority and due time,
with the shift's finished work below; the chosen task with what can be done to it now. A claim is the server's to
decide; a refused one says who has the task. The nurse in charge ticks "I am in charge" and is told, on screen and
by a desktop notification, of every task that escalates (stat and urgent work nobody claimed in time). The board
re-reads itself every 30 s, so lateness and escalation follow the clock without a sync."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QSystemTrayIcon,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.ward_tasks import (
    OPEN_STATES,
    TaskKind,
    TaskState,
    is_escalated,
    is_overdue,
    lateness_text,
)
from emsync_desktop.services.handover import Handover
from emsync_desktop.services.ward_tasks import TaskBoard, TaskInputProblem, TaskView, WardTaskService
from emsync_desktop.ui.blood_bank.parts import OutcomeLine, record_table
from emsync_desktop.ui.nurse.handover_dialog import HandoverDialog
from emsync_desktop.ui.nurse.task_dialog import NewTaskDialog, observations_score
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import TOUCH_PX, Theme, attention_colour
from emsync_desktop.ui.widgets.buttons import touch_button
from emsync_desktop.ui.widgets.frame import card

_COLUMNS = ["Priority", "Task", "Where", "Due", "State", "Who"]
_STRETCHED = (1,)
REFRESH_MS = 30_000


class TaskBoardView(QWidget):
    escalations_changed = Signal(int)  # how many open tasks are escalated now (the tab's title counts them)

    def __init__(self, relay: TaskRelay, service: WardTaskService, user_id: str, theme: Theme,
                 on_local_change: Callable[[], None], handover: Callable[[], Handover] | None = None,
                 data_dir: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relay, self._service, self._user_id, self._theme = relay, service, user_id, theme
        self._gather_handover, self._data_dir = handover, data_dir
        self._on_local_change = on_local_change
        self._board: TaskBoard | None = None
        self._shown_id: str | None = None  # the task the detail (and the outcome line) is about
        self._told: set[str] = set()  # escalations the nurse in charge has been notified of
        self._tray: QSystemTrayIcon | None = None
        self.table = record_table(_COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in _STRETCHED:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_chosen)
        self.escalation = QLabel()
        self.escalation.setObjectName("criticalAlert")
        self.escalation.setWordWrap(True)
        self.escalation.setVisible(False)
        self.in_charge = QCheckBox("I am the nurse in charge this shift")
        self.in_charge.setToolTip("Escalated tasks (stat and urgent work nobody claimed in time) notify you")
        self.in_charge.setMinimumHeight(TOUCH_PX)  # the whole line is what a finger taps
        self.in_charge.toggled.connect(self._on_in_charge)
        self.summary = QLabel()
        self.new = touch_button("New task…", tooltip="A task for your ward (Ctrl+N)")
        self.new.clicked.connect(self._new_task)
        self.handover = touch_button("Handover…", tooltip="The shift handover: open tasks, incoming transfers, "
                                     "beds, patients with a high NEWS2; saved as PDF")
        self.handover.clicked.connect(self._open_handover)
        if handover is None or data_dir is None:
            self.handover.hide()  # never setVisible(True) here: a button with no parent yet would open as a window
        self.detail = QLabel("Choose a task.")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.claim = touch_button("Claim", primary=True, tooltip="Take the task: only one nurse can")
        self.start = touch_button("Start")
        self.done = touch_button("Done")
        self.hold = touch_button("On hold…")
        self.hand_back = touch_button("Hand back", tooltip="Put the task back in the queue for someone else")
        self.cancel = touch_button("Cancel…")
        self.failed = touch_button("Could not do…")
        self._buttons = {self.claim: TaskState.ACCEPTED, self.start: TaskState.IN_PROGRESS,
                         self.done: TaskState.COMPLETED, self.hold: TaskState.ON_HOLD,
                         self.hand_back: TaskState.REQUESTED, self.cancel: TaskState.CANCELLED,
                         self.failed: TaskState.FAILED}
        for button, target in self._buttons.items():
            button.clicked.connect(lambda _=False, t=target: self._move(t))
        self.outcome = OutcomeLine()
        self.outcome.setMinimumHeight(3 * self.outcome.fontMetrics().lineSpacing())  # the buttons above never move
        self.outcome.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self._build_layout()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(REFRESH_MS)
        self._enable(None)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.in_charge)
        top.addWidget(self.handover)
        top.addWidget(self.new)
        actions = QGridLayout()
        for index, button in enumerate(self._buttons):
            actions.addWidget(button, index // 2, index % 2)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.detail, 1)
        side_layout.addLayout(actions)
        side_layout.addWidget(self.outcome)
        row = QHBoxLayout()
        row.addWidget(self.table, 3)
        row.addWidget(card("Task", side), 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.escalation)
        layout.addLayout(row, 1)

    def refresh(self) -> None:
        self._relay.submit(self._service.in_charge_now, on_result=self._show_in_charge, owner=self)
        self._relay.submit(self._service.board, on_result=self._on_board, owner=self)

    def _show_in_charge(self, in_charge: bool) -> None:
        """As saved for this shift (kept across a theme change or a restart; a new shift asks again)."""
        if in_charge != self.in_charge.isChecked():
            self.in_charge.blockSignals(True)
            self.in_charge.setChecked(in_charge)
            self.in_charge.blockSignals(False)
            self._show_escalations()

    def _on_in_charge(self, in_charge: bool) -> None:
        self._relay.submit(self._service.set_in_charge, in_charge, on_result=lambda _: None, owner=self)
        self._show_escalations()

    def chosen(self) -> TaskView | None:
        rows = self.table.selectionModel().selectedRows()
        tasks = self._board.tasks if self._board else []
        return tasks[rows[0].row()] if rows and rows[0].row() < len(tasks) else None

    def _on_board(self, board: TaskBoard) -> None:
        was = self.chosen()
        self._board = board
        self.table.setRowCount(len(board.tasks))
        for row, task in enumerate(board.tasks):
            for column, text in enumerate(_cells(task, board, self._user_id)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self._colour(item, task, board)
                self.table.setItem(row, column, item)
        ids = [t.id for t in board.tasks]
        if was is not None and was.id in ids:
            self.table.selectRow(ids.index(was.id))
        elif board.tasks and self.chosen() is None:
            self.table.selectRow(0)
        open_count = sum(1 for t in board.tasks if t.state in OPEN_STATES)
        self.summary.setText(f"{open_count} open · {len(board.overdue)} overdue · {len(board.escalated)} escalated")
        self._show_escalations()
        self._show_chosen()
        self.escalations_changed.emit(len(board.escalated))

    def _colour(self, item: QTableWidgetItem, task: TaskView, board: TaskBoard) -> None:
        kind = "danger" if is_escalated(task.times, board.now) else "caution" if (
            is_overdue(task.times, board.now) or task.sync_state in ("rejected", "conflict")) else None
        if kind is not None:
            background, text = attention_colour(self._theme, kind)
            item.setBackground(QColor(background))
            item.setForeground(QColor(text))

    def _show_escalations(self) -> None:
        escalated = self._board.escalated if self._board else []
        shown = bool(escalated) and self.in_charge.isChecked()
        self.escalation.setVisible(shown)
        if not shown:
            return
        names = "; ".join(f"{t.priority.label} {t.title} ({t.where}), made {clock(t.created_at)}"
                          for t in escalated[:3])
        more = f" and {len(escalated) - 3} more" if len(escalated) > 3 else ""
        self.escalation.setText(f"⚠ Escalated to you, nurse in charge: nobody has claimed {names}{more}.")
        fresh = [t for t in escalated if t.id not in self._told]
        self._told.update(t.id for t in fresh)
        if fresh and QSystemTrayIcon.isSystemTrayAvailable():
            if self._tray is None:
                self._tray = QSystemTrayIcon(self.windowIcon(), self)
                self._tray.show()
            self._tray.showMessage("EMsync: task escalated", f"{fresh[0].priority.label}: {fresh[0].title} "
                                   f"({fresh[0].where}) is not claimed", QSystemTrayIcon.MessageIcon.Warning, 15_000)

    def _show_chosen(self) -> None:
        task = self.chosen()
        if task is None or task.id != self._shown_id or (self.outcome.objectName() == "outcomeWaiting"
                                                           and task.sync_state != "pending"):
            self.outcome.clear()  # what was said was about another task, or the server has answered
        self._shown_id = task.id if task else None
        now = self._board.now if self._board else None
        self.detail.setText(_detail_html(task, now) if task and now else "No task yet. Make one with New task…")
        self._enable(task)

    def _enable(self, task: TaskView | None) -> None:
        waiting = task is None or task.state not in OPEN_STATES  # offline, moves queue in order behind the last
        mine = task is not None and task.claimed_by == self._user_id
        state = task.state if task else None
        self.claim.setEnabled(not waiting and state is TaskState.REQUESTED)
        self.start.setEnabled(not waiting and mine and state in (TaskState.ACCEPTED, TaskState.ON_HOLD))
        self.done.setEnabled(not waiting and mine and state is not TaskState.REQUESTED)
        self.hold.setEnabled(not waiting and mine and state in (TaskState.ACCEPTED, TaskState.IN_PROGRESS))
        self.hand_back.setEnabled(not waiting and mine and state is not TaskState.REQUESTED)
        self.failed.setEnabled(self.hand_back.isEnabled())
        self.cancel.setEnabled(not waiting)

    def _new_task(self) -> None:
        dialog = NewTaskDialog(self._service.beds(), self)
        if dialog.exec():
            self._run(self._service.create, dialog.new_task())

    def _open_handover(self) -> None:
        if self._gather_handover is not None:
            self._relay.submit(self._gather_handover, on_result=self._show_handover, owner=self)

    def _show_handover(self, handover: Handover) -> None:
        assert self._data_dir is not None
        HandoverDialog(self._relay, handover, self._data_dir, self).exec()

    def _move(self, target: TaskState) -> None:
        task = self.chosen()
        if task is None:
            return
        reason, news2, single_three = "", None, False
        if target in (TaskState.CANCELLED, TaskState.FAILED, TaskState.ON_HOLD):
            asked = {TaskState.CANCELLED: "Why is it no longer needed?", TaskState.FAILED: "Why could it not be done?",
                     TaskState.ON_HOLD: "What is it waiting for?"}[target]
            reason, ok = QInputDialog.getText(self, task.title, asked)
            if not ok:
                return
        if target is TaskState.COMPLETED and task.kind is TaskKind.OBSERVATIONS:
            score = observations_score(self, task.title)
            if score is None:
                return
            news2, single_three = score
        self._run(lambda: self._service.move(task.id, target, reason=reason, news2=news2,
                                             news2_single_three=single_three))

    def _run(self, action: Callable[..., object], *args: object) -> None:
        self.table.setFocus()  # the button about to be disabled must not hand the keyboard on
        self._enable(None)
        self._relay.submit(action, *args, on_result=self._on_saved, on_error=self._on_problem, owner=self)

    def _on_saved(self, _: object) -> None:
        self.outcome.wait("Saved; waiting for the server's answer…")
        self._on_local_change()
        self.refresh()

    def _on_problem(self, error: BaseException) -> None:
        if not isinstance(error, TaskInputProblem):
            raise error
        self.outcome.refuse(str(error))
        self._show_chosen()


def _cells(task: TaskView, board: TaskBoard, user_id: str) -> list[str]:
    if task.state in OPEN_STATES:
        due = lateness_text(task.times, board.now) or (clock(task.due_at) if task.due_at else "")
    else:
        due = f"{task.state.label.lower()} {clock(task.updated_at)}"  # closed: when, not when it was due
    priority = f"⚠ {task.priority.label}" if is_escalated(task.times, board.now) else task.priority.label
    state = "sending…" if task.sync_state == "pending" else (
        "refused: see task" if task.sync_state in ("rejected", "conflict") else task.state.label)
    who = "you" if task.claimed_by == user_id else task.claimed_by_name or "—"
    return [priority, task.title, task.where, due, state, who]


def _detail_html(task: TaskView, now: datetime) -> str:
    lines = [f"<b>{_escape(task.title)}</b>", f"{task.priority.label} · {task.state.label} · {_escape(task.where)}"]
    if task.patient:
        lines.append(f"Patient: {_escape(task.patient)}")
    if task.due_at:
        lines.append(f"Due {clock(task.due_at)} ({lateness_text(task.times, now) or 'closed'})")
    if is_escalated(task.times, now):
        lines.append("<b>⚠ Escalated: nobody has claimed it in time</b>")
    lines.append(f"Made by {_escape(task.created_by_name)} at {clock(task.created_at)}")
    if task.claimed_by_name:
        lines.append(f"Claimed by {_escape(task.claimed_by_name)}")
    if task.note:
        lines.append(f"Note: {_escape(task.note)}")
    if task.reason:
        lines.append(f"Reason: {_escape(task.reason)}")
    if task.news2 is not None:
        lines.append(f"NEWS2 recorded: {task.news2}")
    if task.sync_state in ("rejected", "conflict"):
        lines.append(f"<b>✖ Refused by the server:</b> {_escape(task.sync_reason or 'no reason given')}")
    return "<br>".join(lines)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
