"""``python -m sync_server``: run the sync server (SQLite file by default)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from sync_server.config import ACCOUNT_THROTTLE, ADDRESS_THROTTLE, DEFAULT_BLOB_QUOTA_MB
from sync_server.logging_config import configure_logging
from sync_server.transport import Transport, choose_transport

COMMANDS = ("migrate", "backup", "restore", "network-import")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] and argv[0] in COMMANDS:
        return _maintenance(argv)
    args = _parser().parse_args(argv)
    return _run(args, argv)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="emsync-server", description="EMsync sync server (runs it; "
                                     "'emsync-server migrate|backup|restore --help' for the maintenance commands)")
    parser.add_argument("--data-dir", type=Path, default=Path(user_data_dir("EMsync-server", "EMsync")))
    parser.add_argument("--db", help="database URL (default: SQLite file in the data dir); "
                                     "postgresql://user@host/db for production")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--hold-minutes", type=float, default=15.0, help="bed holds lapse after this long")
    parser.add_argument("--blob-dir", type=Path, help="where radiograph files are kept (default: DATA_DIR/blobs)")
    parser.add_argument("--blob-quota-mb", type=int, default=DEFAULT_BLOB_QUOTA_MB,
                        help="radiograph files one account may send, in all, in MiB (default: %(default)s)")
    parser.add_argument("--demo", action="store_true",
                        help="seed the Kochi demo network and demo accounts (passwords in DEMO-CREDENTIALS.txt)")
    parser.add_argument("--verify-audit", action="store_true",
                        help="check the audit chain (key and anchors) and exit: 0 if it holds, 1 if not")
    parser.add_argument("--require-valid-audit", action="store_true",
                        help="refuse to start when the audit chain does not verify (default: start, log an error)")
    parser.add_argument("--audit-anchors", type=Path,
                        help="file of signed audit chain heads, outside the database (default: "
                             "DATA_DIR/audit-anchors.jsonl); the audit key is DATA_DIR/audit-key or "
                             "$EMSYNC_AUDIT_KEY (hex)")
    parser.add_argument("--audit-anchor-minutes", type=float, default=5.0,
                        help="sign the audit chain's head this often, if it moved (default: 5)")
    parser.add_argument("--audit-anchor-events", type=int, default=1000,
                        help="... or as soon as this many events were added since the last anchor (default: 1000)")
    parser.add_argument("--add-user", metavar="USERNAME",
                        help="create an account and exit; the password is read from standard input "
                             "(or asked for), never from the command line")
    parser.add_argument("--role", choices=("paramedic", "nurse", "coordinator", "admin", "blood_bank"),
                        help="with --add-user")
    parser.add_argument("--name", default="", help="with --add-user: display name")
    parser.add_argument("--hospital", help="with --add-user: the hospital's short name (nurses, blood bank staff)")
    parser.add_argument("--unit", help="with --add-user: ambulance unit (paramedics)")
    parser.add_argument("--mfa-roles", metavar="ROLES",
                        help="comma-separated roles that must use two-step sign-in (TOTP); default "
                             "coordinator,admin, or none with --demo; 'none' for none")
    parser.add_argument("--reset-mfa", metavar="USERNAME",
                        help="turn off an account's two-step sign-in (lost phone and recovery codes) and exit; "
                             "a role that needs it enrols again at its next sign-in")
    parser.add_argument("--disable-user", metavar="USERNAME",
                        help="disable an account and exit: refused at once everywhere (sign-in, refresh, every "
                             "request; its open live connections are closed within a second), sessions revoked")
    parser.add_argument("--enable-user", metavar="USERNAME", help="enable a disabled account again and exit")
    parser.add_argument("--login-delay-s", type=float, default=ACCOUNT_THROTTLE.first_delay_s,
                        help="after the free failed sign-ins (5 per account name, 10 per client address), the "
                             "first delay; it doubles with each further failure")
    parser.add_argument("--login-max-delay-s", type=float, default=ACCOUNT_THROTTLE.max_delay_s,
                        help="cap of the delay per account name (a client address is held up to 15 times longer)")
    parser.add_argument("--certfile", type=Path, help="TLS certificate chain (PEM); needed unless on loopback")
    parser.add_argument("--keyfile", type=Path, help="TLS private key (PEM), with --certfile")
    parser.add_argument("--insecure-http", action="store_true",
                        help="serve plain HTTP on a non-loopback address (only behind a TLS-terminating proxy)")
    parser.add_argument("--log-format", choices=("json", "text"), default="json",
                        help="log lines on stderr: one JSON object per line (default, for jq and log "
                             "collectors) or plain text; token values in URLs are never written")
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes on this host sharing the port (PostgreSQL only: SQLite is one "
                             "process's database); several hosts: run one instance each behind a proxy")
    return parser


def _run(args: argparse.Namespace, argv: list[str]) -> int:
    configure_logging(args.log_format)

    from datetime import UTC, datetime

    from sync_server.app import LIVE_CHANNEL_OPTIONS, create_app
    from sync_server.audit_keeper import AuditChainBroken
    from sync_server.config import AUDIT_ANCHOR_FILE, load_audit_key
    from sync_server.demo_blood import seed_demo_blood
    from sync_server.demo_tasks import seed_demo_tasks
    from sync_server.seed import seed_demo_users, seed_network

    args.data_dir.mkdir(parents=True, exist_ok=True)
    db_url = args.db or f"sqlite:///{args.data_dir / 'server.db'}"
    mfa_roles = _mfa_roles(args)
    anchor_file = args.audit_anchors or args.data_dir / AUDIT_ANCHOR_FILE
    if args.verify_audit:
        return _verify_audit(db_url, load_audit_key(args.data_dir, create=False), anchor_file)
    if not args.add_user and _transport(args) is None:
        return 2
    if args.workers > 1 and db_url.startswith("sqlite"):
        print(f"--workers {args.workers} needs PostgreSQL (--db postgresql://…): a SQLite file is one process's "
              "database, and several processes on it would not share live notices or bed locks. Run one process "
              "on SQLite, or move to PostgreSQL (README: running several server processes).", file=sys.stderr)
        return 2
    try:
        app = create_app(settings_from_args(args))
    except AuditChainBroken as exc:
        print(f"Not starting: {exc} (started with --require-valid-audit).", file=sys.stderr)
        return 1
    if args.add_user:
        return _add_user(app, args)
    if args.reset_mfa:
        return _reset_mfa(app, args.reset_mfa.strip().lower())
    if not mfa_roles:
        logging.getLogger("sync_server").warning(
            "two-step sign-in is optional for every role on this server%s", " (--demo)" if args.demo else "")
    if args.disable_user or args.enable_user:
        return _set_disabled(app, args.disable_user or args.enable_user, disabled=bool(args.disable_user))
    if args.demo:
        with app.state.write_sessions.begin() as session:
            seed_network(session)
            seed_demo_users(session, args.data_dir / "DEMO-CREDENTIALS.txt")
            seed_demo_blood(session, datetime.now(UTC))
            seed_demo_tasks(session, datetime.now(UTC))
    import uvicorn

    if args.workers > 1:  # each worker builds its own app from the same arguments (sync_server.worker)
        os.environ[WORKER_ARGV] = json.dumps(argv)
        uvicorn.run("sync_server.worker:app_from_environment", factory=True, workers=args.workers, host=args.host,
                    port=args.port, ssl_certfile=args.certfile, ssl_keyfile=args.keyfile, log_config=None,
                    log_level="info", **LIVE_CHANNEL_OPTIONS)
        return 0
    uvicorn.run(app, host=args.host, port=args.port, ssl_certfile=args.certfile, ssl_keyfile=args.keyfile,
                log_config=None, log_level="info", **LIVE_CHANNEL_OPTIONS)  # keeps configure_logging's
    return 0


def _maintenance(argv: list[str]) -> int:
    """migrate: the schema to the newest and exit; backup --to DIR; restore --from DIR (into empty ones)."""
    from sync_server.maintenance import MaintenanceError, backup, migrate, restore

    parser = argparse.ArgumentParser(prog=f"emsync-server {argv[0]}")
    parser.add_argument("--data-dir", type=Path, default=Path(user_data_dir("EMsync-server", "EMsync")))
    parser.add_argument("--db", help="database URL (default: SQLite file in the data dir)")
    if argv[0] == "backup":
        parser.add_argument("--to", type=Path, required=True, help="a new, empty directory for the backup")
    if argv[0] == "restore":
        parser.add_argument("--from", dest="source", type=Path, required=True, help="a backup's directory")
    if argv[0] == "network-import":
        parser.add_argument("file", type=Path, help="the network as JSON (the format of resources/demo_network.json)")
    args = parser.parse_args(argv[1:])
    if argv[0] == "network-import":
        return _import_network(args.file, args.db or f"sqlite:///{args.data_dir / 'server.db'}")
    db_url = args.db or f"sqlite:///{args.data_dir / 'server.db'}"
    try:
        if argv[0] == "migrate":
            print(f"Database at schema revision {migrate(db_url)}.")
        elif argv[0] == "backup":
            print(f"Backup written to {backup(db_url, args.data_dir, args.to)}.")
        else:
            restore(args.source, db_url, args.data_dir)
            print(f"Restored {args.source} into {args.data_dir} and the database; start the server.")
    except MaintenanceError as exc:
        print(f"emsync-server {argv[0]}: {exc}", file=sys.stderr)
        return 1
    return 0


def _import_network(path: Path, db_url: str) -> int:
    """Hospitals and beds as the file says, published to every device (``sync_server.network``)."""
    from datetime import UTC, datetime

    from sync_server.db import make_engine, make_write_sessions
    from sync_server.maintenance import migrate
    from sync_server.network import import_network

    try:
        network = json.loads(path.read_text("utf-8"))
        migrate(db_url)
        with make_write_sessions(make_engine(db_url)).begin() as session:
            result = import_network(session, network, datetime.now(UTC))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"emsync-server network-import: {path} was not imported, nothing changed: "
              f"{type(exc).__name__}: {exc}. Check the file against resources/demo_network.json.", file=sys.stderr)
        return 1
    print(f"Network imported from {path}: {result.describe()}.")
    return 0


WORKER_ARGV = "EMSYNC_SERVER_WORKER_ARGV"


def settings_from_args(args: argparse.Namespace) -> Any:
    """The server's ``Settings`` from its command line (the data dir's keys loaded, made if missing)."""
    from sync_server.config import AUDIT_ANCHOR_FILE, Settings, load_audit_key, load_secret

    db_url = args.db or f"sqlite:///{args.data_dir / 'server.db'}"
    return Settings(db_url=db_url, secret=load_secret(args.data_dir), hold_minutes=args.hold_minutes,
                    blob_dir=args.blob_dir or args.data_dir / "blobs", audit_key=load_audit_key(args.data_dir),
                    audit_anchor_file=args.audit_anchors or args.data_dir / AUDIT_ANCHOR_FILE,
                    audit_anchor_every_s=args.audit_anchor_minutes * 60,
                    audit_anchor_every_events=args.audit_anchor_events,
                    require_valid_audit=args.require_valid_audit, mfa_required_roles=_mfa_roles(args),
                    blob_quota_bytes=args.blob_quota_mb * 2**20, **_throttles(args))


def worker_args() -> argparse.Namespace:
    """In a worker process of ``--workers N``: the arguments the server was started with."""
    return _parser().parse_args(json.loads(os.environ[WORKER_ARGV]))


def _mfa_roles(args: argparse.Namespace) -> frozenset[str]:
    """``--mfa-roles``; by default coordinators and admins, or nobody on a demo server (made-up accounts
    whose passwords are in a file beside the database)."""
    from emsync_desktop.domain.roles import MFA_REQUIRED_ROLES, Role

    if args.mfa_roles is None:
        return frozenset() if args.demo else frozenset(role.value for role in MFA_REQUIRED_ROLES)
    names = {name.strip() for name in args.mfa_roles.split(",") if name.strip() and name.strip() != "none"}
    unknown = names - {role.value for role in Role}
    if unknown:
        raise SystemExit(f"--mfa-roles: unknown role(s) {', '.join(sorted(unknown))}")
    return frozenset(names)


def _reset_mfa(app: Any, username: str) -> int:
    from datetime import UTC, datetime

    from sync_server.second_factor import reset

    if not reset(app.state.write_sessions, username, datetime.now(UTC)):
        print(f"No account named {username!r}.", file=sys.stderr)
        return 1
    print(f"Two-step sign-in of {username!r} is off; its recovery codes no longer work.")
    return 0


def _transport(args: argparse.Namespace) -> Transport | None:
    """TLS, or plain HTTP where allowed (loopback; ``--insecure-http``, said loudly); None: refused (said why)."""
    import logging

    transport = choose_transport(args.host, certfile=args.certfile, keyfile=args.keyfile,
                                 insecure_http=args.insecure_http, demo=args.demo)
    log = logging.getLogger("sync_server")
    if transport.refusal is not None:
        log.error(transport.refusal)
        print(transport.refusal, file=sys.stderr)
        return None
    if transport.warning is not None:
        log.warning(transport.warning)
        print(f"WARNING: {transport.warning}", file=sys.stderr)
    log.info("serving %s on %s:%d", "HTTPS" if transport.tls else "plain HTTP", args.host, args.port)
    return transport


def _verify_audit(db_url: str, key: bytes | None, anchor_file: Path) -> int:
    """``--verify-audit``: read-only (no migration, no key made, no key marker or anchor written)."""
    from sync_server.audit_anchors import AnchorBook
    from sync_server.audit_verify import verify_audit_chain
    from sync_server.db import make_engine

    if key is None:
        print(json.dumps({"ok": False, "reason": "no audit key: DATA_DIR/audit-key is missing and "
                                                 "EMSYNC_AUDIT_KEY is not set; the chain cannot be checked"}))
        return 1
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            check = verify_audit_chain(conn, AnchorBook(anchor_file).all(), key=key)
    finally:
        engine.dispose()
    print(json.dumps({"events": check.events, "ok": check.ok, "first_broken_id": check.first_broken_id,
                      "verified_up_to": check.verified_up_to, "anchors_checked": check.anchors_checked,
                      "reason": check.reason}))
    return 0 if check.ok else 1


def _add_user(app: Any, args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from sync_server.models import Hospital, User
    from sync_server.seed import add_user, seed_network

    if not args.role:
        print("--add-user needs --role (paramedic, nurse, coordinator, admin or blood_bank).", file=sys.stderr)
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
        if args.role in ("nurse", "blood_bank") and not args.hospital:
            print(f"A {args.role} account needs --hospital (its short name).", file=sys.stderr)
            return 2
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
