"""Start EMsync Desktop. ``python main.py --help`` lists the options."""

import multiprocessing

from emsync_desktop.cli import main

if __name__ == "__main__":
    # The demo server's forecasting runs in spawned worker processes; a frozen app is its own interpreter.
    multiprocessing.freeze_support()
    raise SystemExit(main())
