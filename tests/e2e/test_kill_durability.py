"""A paramedic's vital, and the case record (stamp, drug, history), survive SIGKILL right after entry."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from emsync_desktop.domain.roles import Role
from emsync_desktop.domain.timeline import TimelineStep
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import open_app
from emsync_desktop.services.case_record import RecordService
from emsync_desktop.services.cases import CaseService
from emsync_desktop.store.models import OutboxOp

CHILD = Path(__file__).with_name("kill_child.py")
ROOT = Path(__file__).parents[2]


def _drive_then_kill(data_dir: Path, what: str) -> str:
    """Run the child app on ``data_dir`` until it says SAVED, SIGKILL it; returns the case id."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, str(CHILD), str(data_dir), what], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("SAVED "), child.stderr.read() if child.stderr else line
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return line.split()[1]


@pytest.mark.slow
def test_vital_entered_then_sigkill_is_there_after_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "laptop"
    case_id = _drive_then_kill(data_dir, "137")

    context = open_app(data_dir, lambda _r: None, demo=True)  # the lock died with the child
    try:
        user = next(u for u in demo_users(context.store) if u.role is Role.PARAMEDIC)
        case = CaseService(context.store, user, context.install.device_id).load(case_id)
    finally:
        context.close()
    assert [v.vitals.hr_bpm for v in case.vitals] == [137]
    assert case.vitals[0].news2.parts["hr"] == 3  # one parameter: its points, not yet a NEWS2 score


@pytest.mark.slow
def test_record_entries_then_sigkill_are_there_with_their_ops_after_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "laptop"
    case_id = _drive_then_kill(data_dir, "record")

    context = open_app(data_dir, lambda _r: None, demo=True)
    try:
        user = next(u for u in demo_users(context.store) if u.role is Role.PARAMEDIC)
        record = RecordService(context.store, user)
        stamps, drugs, history = record.timeline(case_id), record.medications(case_id), record.history(case_id)
        with context.store.sessions.begin() as session:
            kinds = sorted(session.scalars(select(OutboxOp.kind).where(OutboxOp.kind.like("record.%"))).all())
    finally:
        context.close()
    assert [s.step for s in stamps] == [TimelineStep.CALL_RECEIVED]
    assert [d.dose_text for d in drugs] == ["Aspirin 300 mg PO"]
    assert history is not None and history.history.allergies.items == ("penicillin",)
    assert kinds == ["record.history", "record.medication", "record.timeline"]  # each will still be sent
