"""The shift handover (issue 26): open tasks with the late and escalated named, the patients whose last NEWS2 was
high or whose observations are overdue, incoming transfers and beds by state; read back from the PDF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.domain.shifts import next_slot
from emsync_desktop.domain.ward_tasks import Priority
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.handover import gather_handover, handover_html
from emsync_desktop.services.ward_tasks import NewTask, WardTaskService
from emsync_desktop.sync.local import store_changes
from emsync_desktop.sync.protocol import Change

NOW = datetime(2026, 12, 6, 14, 50, tzinfo=UTC)


@pytest.fixture
def nurse(app_context: AppContext) -> UserInfo:
    return next(u for u in demo_users(app_context.store) if u.role is Role.NURSE)


def observations(nurse: UserInfo, bed: Any, *, state: str, news2: int | None, due: datetime) -> dict[str, Any]:
    """An observations task as the server publishes it."""
    return {"id": new_id(), "hospital_id": nurse.hospital_id, "unit": bed.unit, "bed_id": bed.id,
            "bed_label": bed.label, "patient": "", "title": "Observations", "note": "", "kind": "observations",
            "priority": "urgent", "state": state, "due_at": due.isoformat(),
            "created_at": (due - timedelta(hours=1)).isoformat(), "created_by_name": "EMsync", "claimed_by": None,
            "claimed_by_name": None, "reason": "", "source_id": None, "news2": news2, "news2_single_three": False,
            "updated_at": due.isoformat(), "version": 2}


def stored(app_context: AppContext, *tasks: dict[str, Any]) -> None:
    store_changes(app_context.store, [Change(seq=i + 1, entity="ward_task", entity_id=t["id"], version=2, data=t)
                                      for i, t in enumerate(tasks)], len(tasks))


def test_high_news2_and_overdue_observations_are_watched(app_context: AppContext, nurse: UserInfo) -> None:
    beds = WardTaskService(app_context.store, nurse).beds()
    stored(app_context,
           observations(nurse, beds[0], state="completed", news2=7, due=NOW - timedelta(hours=2)),
           observations(nurse, beds[1], state="completed", news2=1, due=NOW - timedelta(hours=2)),
           observations(nurse, beds[2], state="requested", news2=None, due=NOW - timedelta(minutes=20)))
    handover = gather_handover(app_context.store, nurse, NOW)
    watched = {w.where: (w.news2, w.overdue) for w in handover.watched}
    assert watched == {f"bed {beds[0].label}": (7, False), f"bed {beds[2].label}": (None, True)}
    overdue = next(w for w in handover.watched if w.overdue)
    assert overdue.next_due.startswith("overdue 20 min (due ")


def test_the_handover_names_the_shifts_and_the_late_tasks(app_context: AppContext, nurse: UserInfo) -> None:
    WardTaskService(app_context.store, nurse, clock=lambda: NOW - timedelta(hours=1)).create(
        NewTask("Suction, bed 2", "ICU", Priority.STAT, None))
    handover = gather_handover(app_context.store, nurse, NOW)
    assert handover.starting == next_slot(handover.ending)
    text = handover_html(handover)
    assert "1 open task," in text and "ESCALATED STAT" in text and "1 late or escalated" in text
    assert "Incoming transfers" in text and "Pending discharge" in text


def test_a_single_red_parameter_is_watched_and_work_done_counts_when_done(app_context: AppContext,
                                                                          nurse: UserInfo) -> None:
    beds = WardTaskService(app_context.store, nurse).beds()
    red = observations(nurse, beds[0], state="completed", news2=2, due=NOW - timedelta(hours=9))
    red |= {"news2_single_three": True, "updated_at": (NOW - timedelta(minutes=5)).isoformat()}  # made last shift
    stored(app_context, red)
    handover = gather_handover(app_context.store, nurse, NOW)
    assert [(w.where, w.news2) for w in handover.watched] == [(f"bed {beds[0].label}", 2)]
    assert handover.done_this_shift == 1
