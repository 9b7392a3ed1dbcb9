"""``python -m sync_server``: run the sync server (SQLite file by default)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from sync_server.config import ACCOUNT_THROTTLE, ADDRESS_THROTTLE
from sync_server.logging_config import configure_logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sync_server", description="EMsync sync server")
    parser.add_argument("--data-dir", type=Path, default=Path(user_data_dir("EMsync-server", "EMsync")))
    parser.add_argument("--db", help="database URL (default: SQLite file in the data dir); "
                                     "postgresql://user@host/db for production")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--hold-minutes", type=float, default=15.0, help="bed holds lapse after this long")
    parser.add_argument("--blob-dir", type=Path, help="where radiograph files are kept (default: DATA_DIR/blobs)")
    parser.add_argument("--demo", action="store_true",
                        help="seed the Kochi demo network and demo accounts (passwords in DEMO-CREDENTIALS.txt)")
    parser.add_argument("--verify-audit", action="store_true", help="check the audit chain and exit")
    parser.add_argument("--add-user", metavar="USERNAME",
                        help="create an account and exit; the password is read from standard input "
                             "(or asked for), never from the command line")
    parser.add_argument("--role", choices=("paramedic", "nurse", "coordinator", "admin"), help="with --add-user")
    parser.add_argument("--name", default="", help="with --add-user: display name")
    parser.add_argument("--hospital", help="with --add-user: the hospital's short name (nurses)")
    parser.add_argument("--unit", help="with --add-user: ambulance unit (paramedics)")
    parser.add_argument("--disable-user", metavar="USERNAME",
                        help="disable an account and exit: refused at once everywhere (sign-in, refresh, every "
                             "request; its open live connections are closed within a second), sessions revoked")
    parser.add_argument("--enable-user", metavar="USERNAME", help="enable a disabled account again and exit")
    parser.add_argument("--login-delay-s", type=float, default=ACCOUNT_THROTTLE.first_delay_s,
                        help="after the free failed sign-ins (5 per account name, 10 per client address), the "
                             "first delay; it doubles with each further failure")
    parser.add_argument("--login-max-delay-s", type=float, default=ACCOUNT_THROTTLE.max_delay_s,
                        help="cap of the delay per account name (a client address is held up to 15 times longer)")
    parser.add_argument("--certfile", help="TLS certificate (PEM) for production")
    parser.add_argument("--keyfile", help="TLS private key (PEM) for production")
    parser.add_argument("--log-format", choices=("json", "text"), default="json",
                        help="log lines on stderr: one JSON object per line (default, for jq and log "
                             "collectors) or plain text; token values in URLs are never written")
    args = parser.parse_args(argv)
    configure_logging(args.log_format)

    from sync_server.app import LIVE_CHANNEL_OPTIONS, create_app
    from sync_server.config import Settings, load_secret
    from sync_server.seed import seed_demo_users, seed_network

    args.data_dir.mkdir(parents=True, exist_ok=True)
    db_url = args.db or f"sqlite:///{args.data_dir / 'server.db'}"
    app = create_app(Settings(db_url=db_url, secret=load_secret(args.data_dir), hold_minutes=args.hold_minutes,
                              blob_dir=args.blob_dir or args.data_dir / "blobs", **_throttles(args)))
    if args.verify_audit:
        from sync_server.audit import verify_audit_chain

        with app.state.sessions() as session:
            check = verify_audit_chain(session)
        print(json.dumps({"events": check.events, "ok": check.ok, "first_broken_id": check.first_broken_id}))
        return 0 if check.ok else 1
    if args.add_user:
        return _add_user(app, args)
    if args.disable_user or args.enable_user:
        return _set_disabled(app, args.disable_user or args.enable_user, disabled=bool(args.disable_user))
    if args.demo:
        with app.state.write_sessions.begin() as session:
            seed_network(session)
            seed_demo_users(session, args.data_dir / "DEMO-CREDENTIALS.txt")
    import uvicorn

    uvicorn.run(app, host=args.host, port=args.port, ssl_certfile=args.certfile, ssl_keyfile=args.keyfile,
                log_config=None, log_level="info", **LIVE_CHANNEL_OPTIONS)  # keeps configure_logging's
    return 0


def _add_user(app: Any, args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from sync_server.models import Hospital, User
    from sync_server.seed import add_user, seed_network

    if not args.role:
        print("--add-user needs --role (paramedic, nurse, coordinator or admin).", file=sys.stderr)
        return 2
    password = _read_password()
    if len(password) < 10:
        print("Password too short: use at least 10 characters.", file=sys.stderr)
        return 2
    username = args.add_user.strip().lower()
    with app.state.write_sessions.begin() as session:
        seed_network(session)  # the hospital registry (a no-op once present)
        if session.scalar(select(func.count()).select_from(User).where(User.username == username)):
            print(f"An account named {username!r} exists already.", file=sys.stderr)
            return 1
        if args.hospital and not session.scalar(select(Hospital).where(Hospital.short_name == args.hospital)):
            print(f"No hospital with short name {args.hospital!r}.", file=sys.stderr)
            return 1
        add_user(session, username=username, password=password, role=args.role, display_name=args.name,
                 hospital_short_name=args.hospital, ambulance_unit=args.unit)
    print(f"Account {username!r} ({args.role}) created.")
    return 0


def _throttles(args: argparse.Namespace) -> dict[str, Any]:
    account = replace(ACCOUNT_THROTTLE, first_delay_s=args.login_delay_s, max_delay_s=args.login_max_delay_s)
    address = replace(ADDRESS_THROTTLE, first_delay_s=args.login_delay_s, max_delay_s=15 * args.login_max_delay_s,
                      forget_after_s=max(ADDRESS_THROTTLE.forget_after_s, 15 * args.login_max_delay_s))
    return {"account_throttle": account, "address_throttle": address}


def _set_disabled(app: Any, username: str, *, disabled: bool) -> int:
    from datetime import UTC, datetime

    from sync_server.accounts import find_user, set_disabled
    from sync_server.seed import ensure_system_user

    with app.state.write_sessions.begin() as session:
        user = find_user(session, username)
        if user is None or user.username == "system":
            print(f"No account named {username!r}.", file=sys.stderr)
            return 1
        changed = set_disabled(session, user, disabled, by=ensure_system_user(session), now=datetime.now(UTC))
    state = "disabled" if disabled else "enabled"
    print(f"Account {user.username!r} {state}." if changed else f"Account {user.username!r} was {state} already.")
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass("Password for the new account: ")
    return sys.stdin.readline().rstrip("\n")


if __name__ == "__main__":
    sys.exit(main())
