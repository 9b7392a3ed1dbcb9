"""Time from process start to the first painted window (run by test_startup_bench).

The parent passes its launch time in EMSYNC_BENCH_T0 (time.time()); this prints
the seconds until the sign-in window has painted and its demo accounts are listed.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from emsync_desktop.services.runner import DbRunner
from emsync_desktop.ui.app import make_qapp, open_context
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import LIGHT, apply_theme


def main() -> None:
    t0 = float(os.environ["EMSYNC_BENCH_T0"])
    app = make_qapp()
    context = open_context(Path(sys.argv[1]), interactive=False)
    assert context is not None
    runner = DbRunner()
    apply_theme(app, LIGHT)
    window = MainWindow(context, TaskRelay(runner), LIGHT)
    window.show()
    while not (window.isVisible() and window.login.demo_buttons):
        app.processEvents()
    window.repaint()
    print(f"{time.time() - t0:.4f}", flush=True)
    runner.shutdown()
    context.close()


if __name__ == "__main__":
    main()
