"""The shift handover of a ward (issue 26): at shift change, what the next shift takes on: open tasks (the late
and escalated first), incoming transfers, beds by state, and the patients whose last NEWS2 was high (5 or more, or a
3 in one parameter) or whose observations are overdue; the tasks done this shift (by when they were done). Made from
what this PC has synced; as HTML for the screen and the PDF (``ui/nurse/handover_dialog.py``).

Runs on the DB thread (``gather_handover``); ``handover_html`` is pure."""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from emsync_desktop.domain.beds import BedStatus
from emsync_desktop.domain.local_time import clock, day_and_clock, to_local, zone_name
from emsync_desktop.domain.news2 import News2Band, band_for
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.domain.shifts import ShiftSlot, next_slot, slot_at
from emsync_desktop.domain.ward_tasks import OPEN_STATES, TaskKind, TaskState, is_escalated, is_overdue, lateness_text
from emsync_desktop.services.bed_board import BedBoard, BedBoardService
from emsync_desktop.services.ward import IncomingTransfer, WardService
from emsync_desktop.services.ward_tasks import TaskView, WardTaskService
from emsync_desktop.store.database import Store

HIGH_NEWS2 = 5


@dataclass(frozen=True)
class WatchedPatient:
    """A bed whose last observations scored high, or whose next set is overdue. ``next_due``: "due 02:03 (in 12
    min)", "overdue 25 min", or "" (none planned)."""

    where: str
    news2: int | None
    band: News2Band | None
    observed_at: datetime | None
    next_due: str
    overdue: bool


@dataclass(frozen=True)
class Handover:
    hospital: str
    made_at: datetime
    ending: ShiftSlot
    starting: ShiftSlot
    open_tasks: list[TaskView]
    escalated_ids: frozenset[str]
    done_this_shift: int
    incoming: list[IncomingTransfer]
    beds: BedBoard
    watched: list[WatchedPatient]


def gather_handover(store: Store, user: UserInfo, now: datetime) -> Handover:
    """Everything the handover shows, read at ``now`` (UTC)."""
    board = WardTaskService(store, user, clock=lambda: now).board()
    local = to_local(now)
    ending = slot_at(local)
    began = ending.start(local)
    open_tasks = [t for t in board.tasks if t.state in OPEN_STATES]
    done = sum(1 for t in board.tasks if t.state is TaskState.COMPLETED and to_local(t.updated_at) >= began)
    return Handover(hospital=BedBoardService(store, user).board().hospital, made_at=now, ending=ending,
                    starting=next_slot(ending), open_tasks=open_tasks,
                    escalated_ids=frozenset(t.id for t in board.escalated), done_this_shift=done,
                    incoming=WardService(store, user, clock=lambda: now).incoming(),
                    beds=BedBoardService(store, user).board(), watched=watched_patients(board.tasks, now))


def watched_patients(tasks: list[TaskView], now: datetime) -> list[WatchedPatient]:
    """Per bed, the newest observations recorded: kept when it scored high or the next set is overdue."""
    observations = [t for t in tasks if t.kind is TaskKind.OBSERVATIONS]
    last_scored: dict[str, TaskView] = {}
    for task in sorted((t for t in observations if t.news2 is not None), key=lambda t: t.updated_at):
        last_scored[task.where] = task
    planned = {t.where: t for t in observations if t.state in OPEN_STATES and t.due_at is not None}
    watched = []
    for where in sorted(set(last_scored) | set(planned)):
        scored, following = last_scored.get(where), planned.get(where)
        overdue = following is not None and is_overdue(following.times, now)
        high = scored is not None and scored.news2 is not None and (scored.news2 >= HIGH_NEWS2
                                                                    or scored.news2_single_three)
        if not (high or overdue):
            continue
        watched.append(WatchedPatient(
            where, scored.news2 if scored else None,
            band_for(scored.news2, scored.news2_single_three) if scored and scored.news2 is not None else None,
            scored.updated_at if scored else None, _due_text(following, now) if following else "", overdue))
    return watched


def _due_text(task: TaskView, now: datetime) -> str:
    """"due 02:03 (in 12 min)" or "overdue 25 min (due 01:40)": a printed handover is read later than it is made."""
    assert task.due_at is not None
    return f"{lateness_text(task.times, now)} (due {clock(task.due_at)})" if is_overdue(task.times, now) else \
        f"due {clock(task.due_at)} ({lateness_text(task.times, now).replace('due ', '')})"


def handover_html(h: Handover) -> str:
    e = html.escape
    title = f"Handover: {h.hospital}, {h.ending.label} to {h.starting.shift.label}"
    made = f"{day_and_clock(h.made_at)} {zone_name(h.made_at)}"
    parts = [f"<h1>{e(title)}</h1>",
             f"<p class='muted'>Made {e(made)} from what this PC had synced. "
             f"{_plural(len(h.open_tasks), 'open task')}, {h.done_this_shift} done this shift.</p>",
             "<h2>Patients to watch (NEWS2)</h2>", _watched(h.watched),
             "<h2>Open tasks</h2>", _tasks(h), "<h2>Incoming transfers</h2>", _incoming(h.incoming),
             "<h2>Beds</h2>", _beds(h.beds)]
    return "<html><body>" + "".join(parts) + "</body></html>"


def _watched(watched: list[WatchedPatient]) -> str:
    if not watched:
        return (f"<p>No patient's last NEWS2 was {HIGH_NEWS2} or more or had a 3 in one parameter, and no "
                "observations are overdue.</p>")
    rows = "".join(f"<tr><td>{html.escape(w.where)}</td><td>{'' if w.news2 is None else w.news2}</td>"
                   f"<td>{html.escape(w.band.label) if w.band else ''}</td>"
                   f"<td>{clock(w.observed_at) if w.observed_at else ''}</td><td>{html.escape(w.next_due)}</td></tr>"
                   for w in watched)
    return ("<table><thead><tr><th>Where</th><th>Last NEWS2</th><th>Band</th><th>Recorded</th>"
            f"<th>Next observations</th></tr></thead>{rows}</table>")


def _tasks(h: Handover) -> str:
    if not h.open_tasks:
        return "<p>No open tasks.</p>"
    now = h.made_at
    rows = "".join(
        f"<tr><td>{'ESCALATED ' if t.id in h.escalated_ids else ''}{html.escape(t.priority.label)}</td>"
        f"<td>{html.escape(t.title)}</td><td>{html.escape(t.where)}</td>"
        f"<td>{html.escape(_due_text(t, now) if t.due_at else 'no due time')}</td>"
        f"<td>{html.escape(t.state.label)}{' by ' + html.escape(t.claimed_by_name) if t.claimed_by_name else ''}</td>"
        "</tr>" for t in h.open_tasks)
    flagged = sum(1 for t in h.open_tasks if is_escalated(t.times, now) or is_overdue(t.times, now))
    note = f"<p><b>{flagged} late or escalated.</b></p>" if flagged else ""
    return (f"{note}<table width='100%'><thead><tr><th>Priority</th><th>Task</th><th>Where</th><th>Due</th>"
            f"<th>State</th></tr></thead>{rows}</table>")


def _incoming(incoming: list[IncomingTransfer]) -> str:
    if not incoming:
        return "<p>No transfer on its way.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(t.severity or 'not triaged')}</td><td>{html.escape(t.unit)}</td>"
        f"<td>{html.escape(t.state)}</td><td>{clock(t.eta_due) if t.eta_due else ''}</td>"
        f"<td>{html.escape(t.bed or '')}</td><td>{html.escape(t.acknowledged or 'not acknowledged')}</td></tr>"
        for t in incoming)
    return ("<table width='100%'><thead><tr><th>Severity</th><th>Unit</th><th>State</th><th>Due</th><th>Bed</th>"
            f"<th>Handoff</th></tr></thead>{rows}</table>")


def _beds(board: BedBoard) -> str:
    statuses = list(BedStatus)
    counts = {unit: Counter(b.status for b in board.beds if b.unit == unit) for unit in board.units()}
    head = "".join(f"<th>{html.escape(s.label)}</th>" for s in statuses)
    rows = "".join(f"<tr><td>{html.escape(unit)}</td>" + "".join(f"<td>{c.get(s, 0)}</td>" for s in statuses)
                   + "</tr>" for unit, c in counts.items())
    return f"<table width='100%'><thead><tr><th>Unit</th>{head}</tr></thead>{rows}</table>"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
