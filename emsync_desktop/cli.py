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


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes, e.g. 5") from None
    if not 0 <= value <= 24 * 60:
        raise argparse.ArgumentTypeError("give between 0 (never lock) and 1440 minutes")
    return value


def _lock_default() -> float:
    text = os.environ.get("EMSYNC_LOCK_MINUTES", "")
    try:
        return _minutes(text) if text else 5.0
    except argparse.ArgumentTypeError:
        return 5.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="main.py",
        description="EMsync Desktop: offline-first emergency coordination (demo mode on embedded defaults). "
                    "Without a command it opens the app. Road data: main.py roads import EXTRACT.osm.pbf",
    )
    parser.add_argument("--version", action="version", version=f"EMsync Desktop {__version__}")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help=f"folder for all local data (default: {default_data_dir()})")
    parser.add_argument("--theme", choices=("light", "dark"), default=None,
                        help="colour theme; dark is for night use (default: last used, else light)")
    parser.add_argument("--server", metavar="URL[,URL...]", default=os.environ.get("EMSYNC_SERVER_URL"),
                        help="sync server to use, e.g. https://emsync.example.org:8765; several addresses of "
                             "one server cluster, separated by commas, are tried in order and the device fails "
                             "over to the next when one stops answering (default: $EMSYNC_SERVER_URL, same form; "
                             "a demo install without it runs its own)")
    parser.add_argument("--ca-file", type=Path, metavar="CA.pem", default=None,
                        help="trust only this certificate authority (PEM) for the sync server's TLS certificate, "
                             "e.g. your organisation's private CA (default: $EMSYNC_CA_FILE, else the system's "
                             "authorities); certificates are always verified")
    parser.add_argument("--gps", type=Path, metavar="DEVICE_OR_FILE",
                        help="GPS as NMEA 0183: a serial device (e.g. /dev/ttyUSB0) or a file a logger writes; "
                             "without it the demo uses a start point and simulates the drive")
    parser.add_argument("--lock-minutes", type=_minutes, default=_lock_default(), metavar="MINUTES",
                        help="lock the screen after this many minutes without input (default: 5, or "
                             "$EMSYNC_LOCK_MINUTES; 0 never locks)")
    parser.add_argument("--offline", action="store_true",
                        help="demo without the embedded sync server: everything stays on this device")
    parser.add_argument("--screenshot", type=Path, metavar="FILE",
                        help="render a role's workspace offscreen with demo data to a PNG and exit")
    parser.add_argument("--role", choices=[r.value for r in Role], default=Role.PARAMEDIC.value,
                        help="with --screenshot: whose workspace to render (default: paramedic)")
    parser.add_argument("--tab", choices=("vitals", "patient", "record", "history", "hospital", "map", "trends",
                                          "tasks", "roster"),
                        default=None, help="with --screenshot: which tab to show (paramedic: vitals, patient, record, "
                        "history, hospital, map; coordinator: trends; nurse: tasks, roster (the demo ward's roster "
                        "built))")
    parser.add_argument("--xray", type=Path, metavar="FILE",
                        help="with --screenshot --role nurse: analyse this radiograph on the Chest X-ray tab")
    parser.add_argument("--card", type=Path, metavar="FILE",
                        help="with --screenshot (paramedic): read this ID or insurance card photo into a new "
                        "case and render the card dialog; exit 1 if no field was read")
    parser.add_argument("--size", default="1600x900", metavar="WxH",
                        help="with --screenshot: window size in pixels (default: 1600x900)")
    _add_roads_command(parser.add_subparsers(dest="command", title="commands", metavar="COMMAND"))
    return parser


def _add_roads_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``roads import EXTRACT.osm.pbf``. ``--data-dir`` goes before or after the command; the one given
    after wins (its SUPPRESS default leaves one given before in place)."""
    roads = commands.add_parser("roads", help="offline road data for routing",
                                description="Offline road data for routing.")
    actions = roads.add_subparsers(dest="roads_command", required=True, metavar="ACTION")
    imp = actions.add_parser("import", help="build routing tiles from an OpenStreetMap extract (.osm.pbf)",
                             description="Build routing tiles from an OpenStreetMap extract into the data dir. "
                                         "Valhalla's build output goes to DATA_DIR/logs/roads-import.log.")
    imp.add_argument("extract", type=Path, help="a regional extract, e.g. kerala-latest.osm.pbf")
    imp.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help=f"default: {default_data_dir()}")


def pin_ca_file(ca_file: Path) -> None:
    """Every connection to the sync server (HTTP and live channel) trusts only this CA (``sync.tls``)."""
    from emsync_desktop.sync.tls import CA_FILE_ENV

    os.environ[CA_FILE_ENV] = str(ca_file.resolve())


def import_roads_command(extract: Path, data_dir: Path) -> int:
    """``main.py roads import``: steps and the outcome on stdout, a failure's reason on stderr."""
    from emsync_desktop.geo.roads import RoadImportError, import_roads

    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        roads = import_roads(extract, data_dir, progress=lambda line: print(line, flush=True))
    except RoadImportError as exc:
        print(f"Road import failed: {exc}", file=sys.stderr)
        return 1
    print(f"Routing tiles from {roads.source} are in {roads.tiles_dir.parent}; the app uses them at its next route.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    data_dir: Path = args.data_dir or default_data_dir()
    if args.ca_file is not None:
        if not args.ca_file.is_file():
            parser.error(f"--ca-file {args.ca_file}: no such file")
        pin_ca_file(args.ca_file)
    if args.server:
        from emsync_desktop.sync.servers import parse_server_urls

        try:
            args.server = ",".join(parse_server_urls(args.server))
        except ValueError as exc:
            parser.error(f"--server: {exc}")
    if args.command == "roads":
        return import_roads_command(args.extract, data_dir)
    if args.screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Chromium (QtWebEngine) refuses to start as root without this.
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
    from emsync_desktop.ui.app import run_app, take_screenshot

    if args.screenshot is not None:
        width, _, height = args.size.partition("x")
        return take_screenshot(data_dir, args.screenshot, Role(args.role), (int(width), int(height)), args.theme,
                               args.tab, args.xray, args.card)
    return run_app(data_dir, args.theme, offline=args.offline, server_url=args.server, gps=args.gps,
                   lock_minutes=args.lock_minutes)


if __name__ == "__main__":
    sys.exit(main())
