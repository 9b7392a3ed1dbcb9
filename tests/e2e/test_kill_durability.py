"""A paramedic's vital survives SIGKILL right after it was entered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from emsync_desktop.domain.roles import Role
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import open_app
from emsync_desktop.services.cases import CaseService

CHILD = Path(__file__).with_name("kill_child.py")
ROOT = Path(__file__).parents[2]


@pytest.mark.slow
def test_vital_entered_then_sigkill_is_there_after_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "laptop"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, str(CHILD), str(data_dir), "137"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("SAVED "), child.stderr.read() if child.stderr else line
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    case_id = line.split()[1]

    context = open_app(data_dir, lambda _r: None, demo=True)  # the lock died with the child
    try:
        user = next(u for u in demo_users(context.store) if u.role is Role.PARAMEDIC)
        case = CaseService(context.store, user, context.install.device_id).load(case_id)
    finally:
        context.close()
    assert [v.vitals.hr_bpm for v in case.vitals] == [137]
    assert case.vitals[0].news2.parts["hr"] == 3  # one parameter: its points, not yet a NEWS2 score
