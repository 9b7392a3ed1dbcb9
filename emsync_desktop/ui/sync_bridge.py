"""Owns the sync engine and live listener of the signed-in user; status arrives as a Qt signal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from emsync_desktop.services.auth import ServerLogin
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.services.second_factor import SecondFactorServer
from emsync_desktop.sync.blobs import BLOBS_DIR
from emsync_desktop.sync.engine import SYNC_FAILED, SyncEngine, SyncStatus
from emsync_desktop.sync.http import SyncHttp
from emsync_desktop.sync.live import LiveChannel
from emsync_desktop.sync.protocol import ACCOUNT_DISABLED, TokenResponse
from emsync_desktop.sync.servers import ServerList


@dataclass(frozen=True)
class SyncTarget:
    """Where to sync and how to get a user's server credentials (demo: the embedded server's file).

    ``starting`` says the server is still coming up, so a missing password is worth asking again.
    ``tokens_for``: the session a sign-in got from the server (the engine renews it with its refresh
    token, so an account with a second factor keeps syncing without a code every five minutes); given once.
    """

    url: str  # one server address, or several separated by commas (tried in order: sync.servers)
    credentials_for: Callable[[str], str | None]
    starting: Callable[[], bool] = lambda: False
    login: ServerLogin | None = None  # set for a real server: passwords are checked there first
    remember_password: Callable[[str, str], None] = lambda _user, _password: None
    forget_passwords: Callable[[], None] = lambda: None  # and the sessions: at sign-out
    second_factor: SecondFactorServer | None = None  # a real server: codes and enrolment
    # The tokens the sign-in screen got from the server: the engine starts in that session (one per sign-in).
    remember_tokens: Callable[[str, TokenResponse], None] = lambda _user, _tokens: None
    tokens_for: Callable[[str], TokenResponse | None] = lambda _user: None


def server_sync_target(url: str) -> SyncTarget:
    """A real sync server. The password typed at sign-in and the session the server gave are kept in
    memory for this session only and forgotten at sign-out. The session's tokens are handed to the engine
    once (its refresh token is good for one use); the engine signs in again with the password only if
    the session ends."""
    passwords: dict[str, str] = {}
    sessions: dict[str, TokenResponse] = {}
    http = SyncHttp(url)

    def forget() -> None:
        passwords.clear()
        sessions.clear()

    return SyncTarget(url, passwords.get, login=http.login, remember_password=passwords.__setitem__,
                      forget_passwords=forget, second_factor=http, remember_tokens=sessions.__setitem__,
                      tokens_for=lambda user: sessions.pop(user, None))


class SyncBridge(QObject):
    status = Signal(object)  # SyncStatus, delivered on the GUI thread (queued from the sync thread)

    def __init__(self, context: AppContext, runner: DbRunner, target: SyncTarget, username: str,
                 password: str, tokens: TokenResponse | None = None, *, keep_audit_anchors: bool = False,
                 owner_id: str | None = None) -> None:
        """``keep_audit_anchors``: a coordinator or admin desk keeps the server's audit anchors.
        The engine's requests and the live channel share one ``ServerList`` (``target.url``: one address
        or several, separated by commas), so they fail over together and talk to the same server."""
        super().__init__()
        servers = ServerList(target.url)
        self.live = LiveChannel(servers, lambda: self.engine.token, lambda _cursor: self.engine.nudge())
        self.engine = SyncEngine(context.store, SyncHttp(servers), context.install.device_id,
                                 (username, password), db_submit=runner.submit, on_status=self.status.emit,
                                 blob_dir=context.data_dir / BLOBS_DIR, live=self.live, tokens=tokens,
                                 keep_audit_anchors=keep_audit_anchors, owner_id=owner_id)

    def start(self) -> None:
        self.engine.start()
        self.live.start()

    def nudge(self) -> None:
        self.engine.nudge()

    def stop(self) -> None:
        self.live.stop()
        self.engine.stop()

    def sign_out(self) -> None:
        """Stop, and revoke the session on the server in the background (best effort when offline)."""
        self.live.stop()
        self.engine.sign_out()


def describe(status: SyncStatus) -> tuple[str, bool]:
    """Status-bar text and whether it is good news."""
    if status.account_disabled:
        return f"● {ACCOUNT_DISABLED}", False
    waiting = f"{status.pending} change{'s' if status.pending != 1 else ''} waiting to send"
    if status.others_waiting:  # a shared PC: another person's, sent under their own sign-in
        waiting += f" (and {status.others_waiting} of others, sent when they next sign in here)"
    last = status.last_sync.astimezone().strftime("%H:%M:%S") if status.last_sync else "never"
    if status.sign_in_needed:
        return f"● Not syncing: sign out and sign in again with a code from your app · {waiting}", False
    server = f" · {status.server}" if status.server else ""  # which of the device's servers it talks to
    held = _held_note(status.held)
    if status.first_sync_records is not None:
        return (f"● Getting this device ready: {status.first_sync_records:,} records from the server so far"
                f"{server} · {waiting}", True)
    if status.online:
        return f"● Online{server} · {waiting} · last sync {last}{held}", not held
    if status.error and status.error.startswith(SYNC_FAILED):
        return f"● {status.error} · {waiting} · last sync {last}", False
    return f"● Offline · {waiting} · retrying{server} · last sync {last}{held}", False


def _held_note(held: tuple[str, ...]) -> str:
    """The first held-back change named with its reason; the others counted."""
    if not held:
        return ""
    more = f" (and {len(held) - 1} more)" if len(held) > 1 else ""
    return f" · not applied here: {held[0]}{more}"
