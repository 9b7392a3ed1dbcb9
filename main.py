"""Start EMsync Desktop. ``python main.py --help`` lists the options."""

from emsync_desktop.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
