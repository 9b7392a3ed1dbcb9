"""Real clients for end-to-end tests: a data dir, its store, and a SyncEngine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from emsync_desktop.domain.ids import demo_id
from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext, open_app
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.sync.engine import SyncEngine
from emsync_desktop.sync.http import SyncHttp
from emsync_desktop.sync.live import LiveChannel
from emsync_desktop.sync.servers import ServerList

LOURDES = demo_id("hospital", "Lourdes")


@dataclass
class Client:
    context: AppContext
    runner: DbRunner
    user: UserInfo
    engine: SyncEngine
    live: LiveChannel | None = None  # started by make_client(live=True); the engine pushes over it when connected

    def connect(self, server_url: str, username: str, password: str) -> None:
        """Point the engine at a (now reachable) server, as when the network comes back."""
        self.engine = SyncEngine(self.context.store, SyncHttp(server_url), self.context.install.device_id,
                                 (username, password), db_submit=self.runner.submit)

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
        self.engine.stop()
        self.runner.shutdown()
        self.context.close()

    def open_case_and_send(self, complaint: str, hospital_id: str = LOURDES, unit: str = "ICU") -> str:
        cases = CaseService(self.context.store, self.user, self.context.install.device_id)
        case = cases.open_case()
        cases.set_detail(case.id, "chief_complaint", complaint)
        cases.set_detail(case.id, "age_years", "61")
        transfers = TransferService(self.context.store, self.user)
        return transfers.send_to_hospital(case.id, hospital_id, unit).id

    def transfers(self) -> list:  # type: ignore[type-arg]
        from sqlalchemy import select

        from emsync_desktop.store.models import TransferRecord

        with self.context.store.sessions.begin() as session:
            return list(session.scalars(select(TransferRecord)).all())


def make_client(data_dir: Path, role: Role, server_url: str, username: str, password: str,
                poll_s: float = 5.0, live: bool = False, own_changes_only: bool = False) -> Client:
    """``live``: with a live channel, as the app has (``ui.sync_bridge``): started now, connecting once the
    engine has signed in. ``own_changes_only``: push only this person's changes, as the app does (``owner_id``)."""
    context = open_app(data_dir, lambda _r: None, demo=True)
    runner = DbRunner()
    user = next(u for u in demo_users(context.store) if u.role is role)
    engines: list[SyncEngine] = []
    servers = ServerList(server_url)  # one address or several (comma-separated), shared as the app does
    channel = LiveChannel(servers, lambda: engines[0].token, lambda _cursor: engines[0].nudge()) if live else None
    engines.append(SyncEngine(context.store, SyncHttp(servers), context.install.device_id, (username, password),
                              db_submit=runner.submit, poll_s=poll_s, blob_dir=data_dir / "blobs", live=channel,
                              owner_id=user.id if own_changes_only else None))
    if channel is not None:
        channel.start()
    return Client(context, runner, user, engines[0], channel)


DEMO_ROLES = {"asha": Role.PARAMEDIC, "maria": Role.NURSE, "rahul": Role.COORDINATOR}


@contextmanager
def demo_clients(root: Path, server_url: str, credentials: dict[str, str],
                 *usernames: str) -> Iterator[list[Client]]:
    """One client per demo user (each its own data dir under ``root``), all closed afterwards."""
    clients = [make_client(root / name, DEMO_ROLES[name], server_url, name, credentials[name]) for name in usernames]
    try:
        yield clients
    finally:
        for client in clients:
            client.close()
