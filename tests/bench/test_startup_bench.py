"""Benchmarks of the foundation: cold start to first window, and saving a vital.

Run with ``make bench``; results go into docs/BENCHMARKS.md by hand with the machine.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import open_app
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.runner import DbRunner

ROOT = Path(__file__).parents[2]
RUNS = 5


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def launch(data_dir: Path) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "EMSYNC_BENCH_T0": f"{time.time():.6f}",
           "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, str(Path(__file__).with_name("first_window.py")), str(data_dir)],
                         env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


def test_cold_start_to_first_window(tmp_path: Path) -> None:
    fresh = [launch(tmp_path / f"fresh{i}") for i in range(RUNS)]  # creates key, DB, demo network
    existing = [launch(tmp_path / "fresh0") for _ in range(RUNS)]  # data dir already there
    print(f"\nfirst window, new data dir:      median {statistics.median(fresh):.3f} s  max {max(fresh):.3f} s")
    print(f"first window, existing data dir: median {statistics.median(existing):.3f} s  "
          f"max {max(existing):.3f} s")
    assert all(t > 0 for t in fresh + existing)


def test_saving_a_vital(tmp_path: Path) -> None:
    context = open_app(tmp_path / "d", lambda _r: None, demo=True)
    runner = DbRunner()
    try:
        user = next(u for u in demo_users(context.store) if u.role is Role.PARAMEDIC)
        cases = CaseService(context.store, user, context.install.device_id)
        case = cases.open_case()
        direct, queued = [], []
        for i in range(200):
            set_id = new_id()
            start = time.perf_counter()
            cases.set_vital(case.id, set_id, "hr_bpm", str(60 + i % 60))
            direct.append(time.perf_counter() - start)
            start = time.perf_counter()
            runner.call(cases.set_vital, case.id, set_id, "rr_per_min", str(12 + i % 10))
            queued.append(time.perf_counter() - start)
    finally:
        runner.shutdown()
        context.close()
    for label, values in (("save one vital, direct call", direct), ("save one vital via DB thread", queued)):
        for span, sample in (("sets 1-30", values[:30]), ("sets 1-200", values)):
            print(f"\n{label} ({span}): p50 {percentile(sample, 0.5) * 1000:.2f} ms  "
                  f"p99 {percentile(sample, 0.99) * 1000:.2f} ms  (n={len(sample)})")
    assert statistics.median(direct) > 0
