"""Command line: parse options, then hand over to the Qt app (imported lazily)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from emsync_desktop import __version__
from emsync_desktop.domain.roles import Role
from emsync_desktop.services.paths import default_data_dir


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="EMsync Desktop: offline-first emergency coordination (demo mode on embedded defaults).",
    )
    parser.add_argument("--version", action="version", version=f"EMsync Desktop {__version__}")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help=f"folder for all local data (default: {default_data_dir()})")
    parser.add_argument("--theme", choices=("light", "dark"), default=None,
                        help="colour theme; dark is for night use (default: last used, else light)")
    parser.add_argument("--server", metavar="URL", default=os.environ.get("EMSYNC_SERVER_URL"),
                        help="sync server to use, e.g. https://emsync.example.org:8765 (default: "
                             "$EMSYNC_SERVER_URL; a demo install without it runs its own)")
    parser.add_argument("--offline", action="store_true",
                        help="demo without the embedded sync server: everything stays on this device")
    parser.add_argument("--screenshot", type=Path, metavar="FILE",
                        help="render a role's workspace offscreen with demo data to a PNG and exit")
    parser.add_argument("--role", choices=[r.value for r in Role], default=Role.PARAMEDIC.value,
                        help="with --screenshot: whose workspace to render (default: paramedic)")
    parser.add_argument("--size", default="1600x900", metavar="WxH",
                        help="with --screenshot: window size in pixels (default: 1600x900)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data_dir: Path = args.data_dir or default_data_dir()
    if args.screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium (QtWebEngine) refuses to start as root without this.
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
    from emsync_desktop.ui.app import run_app, take_screenshot

    if args.screenshot is not None:
        width, _, height = args.size.partition("x")
        return take_screenshot(data_dir, args.screenshot, Role(args.role), (int(width), int(height)), args.theme)
    return run_app(data_dir, args.theme, offline=args.offline, server_url=args.server)


if __name__ == "__main__":
    sys.exit(main())
