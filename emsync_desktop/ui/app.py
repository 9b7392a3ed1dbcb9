"""Starting the Qt application: open the data dir, show the window, run the qasync loop.

Opening the data dir (key derivation, migrations) happens before any window
exists; from then on all disk work goes through the DbRunner thread.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from emsync_desktop.domain.roles import Role
from emsync_desktop.security.keystore import KeyStoreError, PassphraseRequest
from emsync_desktop.services.auth import demo_users
from emsync_desktop.services.bootstrap import AppContext, open_app
from emsync_desktop.services.demo import seed_example_cases
from emsync_desktop.services.embedded_server import EmbeddedServer, start_embedded_server
from emsync_desktop.services.preferences import load_theme, load_window_geometry
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.store.engine import StoreError
from emsync_desktop.ui.gc_guard import GuiThreadCollector
from emsync_desktop.ui.idle_lock import DEFAULT_LOCK_MINUTES
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.passphrase_dialog import ask_passphrase
from emsync_desktop.ui.sync_bridge import SyncTarget, server_sync_target
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import THEMES, apply_theme


def make_qapp() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    QCoreApplication.setApplicationName("EMsync")
    QCoreApplication.setOrganizationName("EMsync")
    app = QApplication(sys.argv[:1])
    GuiThreadCollector(app)  # parented to the app: lives as long as it
    return app


def open_context(data_dir: Path, *, interactive: bool, demo: bool = True) -> AppContext | None:
    """Open the data dir. ``demo``: a NEW data dir becomes a demo install (made-up network and accounts, the
    data key's passphrase kept beside it); False for a device of a real service (``--server``): its network
    comes from the server and its data key from the OS keyring or the user's passphrase. An existing data
    dir keeps what it was made as."""
    def ask(request: PassphraseRequest) -> str | None:
        return ask_passphrase(request) if interactive else None

    try:
        return open_app(data_dir, ask, demo=demo)
    except (StoreError, KeyStoreError) as exc:
        print(f"EMsync cannot start: {exc}", file=sys.stderr)
        if interactive:
            QMessageBox.critical(None, "EMsync cannot start", str(exc))
        return None


def run_app(data_dir: Path, theme_name: str | None, *, offline: bool = False, server_url: str | None = None,
            gps: Path | None = None, lock_minutes: float = DEFAULT_LOCK_MINUTES) -> int:
    """``server_url``: a real sync server (sign-in goes through it); else a demo install runs its own
    server in-process unless ``offline``."""
    app = make_qapp()
    context = open_context(data_dir, interactive=True, demo=server_url is None)
    if context is None:
        return 2
    runner = DbRunner()
    theme = THEMES[theme_name or load_theme(context.store)]
    apply_theme(app, theme)
    server = None
    if server_url:
        target: SyncTarget | None = server_sync_target(server_url)
    elif not offline and context.install.demo:
        server = start_embedded_server(data_dir / "demo-server")
        target = demo_sync_target(server)
    else:
        target = None
    window = MainWindow(context, TaskRelay(runner), theme, target, gps, lock_minutes)
    try:
        import qasync

        asyncio.run(_show_until_closed(window), loop_factory=qasync.QEventLoop)
    finally:
        runner.shutdown()  # every queued save completes before the store closes
        context.close()
        if server is not None:
            server.stop()
    return 0


def demo_sync_target(server: EmbeddedServer) -> SyncTarget:
    return SyncTarget(server.url, lambda username: server.credentials().get(username),
                      starting=lambda: not server.ready.is_set() and server.failed is None)


async def _show_until_closed(window: MainWindow) -> None:
    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_closed() -> None:
        if not closed.done():
            closed.set_result(None)

    window.closed.connect(on_closed)
    place_window(window, load_window_geometry(window.context.store))
    window.show()
    await closed


PREFERRED_SIZE = (1440, 900)


def place_window(window: MainWindow, saved: bytes | None) -> None:
    """The size and place the window had when last closed, if it still fits this screen; else the
    preferred size, shrunk to the screen's free area (a 1366×768 laptop gets all of it)."""
    area = window.screen().availableGeometry()
    if saved is not None and window.restoreGeometry(QByteArray(saved)) and area.contains(window.geometry()):
        return
    width, height = min(PREFERRED_SIZE[0], area.width()), min(PREFERRED_SIZE[1], area.height())
    window.setGeometry(area.x() + (area.width() - width) // 2, area.y() + (area.height() - height) // 2,
                       width, height)


PARAMEDIC_TABS = ("vitals", "patient", "record", "history", "hospital", "map")


def take_screenshot(data_dir: Path, target: Path, role: Role, size: tuple[int, int], theme_name: str | None,
                    tab: str | None = None, xray: Path | None = None, card: Path | None = None) -> int:
    """Render ``role``'s workspace with demo data into ``target`` (PNG) and exit."""
    app = make_qapp()
    context = open_context(data_dir, interactive=False)
    if context is None:
        return 2
    runner = DbRunner()
    relay = TaskRelay(runner)
    # The coordinator's desk shows what it synced: the demo server's day of history and open transfers.
    # ... and the ward's task and roster screens the demo ward's tasks.
    synced = role is Role.COORDINATOR or (role is Role.NURSE and tab in ("tasks", "roster"))
    server = start_embedded_server(data_dir / "demo-server") if synced else None
    roster_built = True  # with --tab roster: whether the demo ward's roster was built (CP-SAT inside the build)
    try:
        theme = THEMES[theme_name or "light"]
        apply_theme(app, theme)
        user = next(u for u in runner.call(demo_users, context.store) if u.role is role)
        window = MainWindow(context, relay, theme, demo_sync_target(server) if server else None)
        window.resize(*size)
        window.show()
        if role is Role.PARAMEDIC:
            _open_example_case(window, runner, context, user)
            if tab is not None:
                _settle(app, relay)
                window.workspace.show_tab(tab.capitalize())  # type: ignore[union-attr]
                if tab == "map":
                    _wait_for_map(app, window)
            if card is not None:
                _settle(app, relay)
                return _card_screenshot(app, relay, window, card, target)
        else:
            window.show_workspace(user)
            if role is Role.COORDINATOR:
                _wait_until(app, lambda: "0 changes waiting" in window.connection_label.text())
                _settle(app, relay)
                _wait_for_map(app, window)
                if tab == "trends":
                    window.workspace.tabs.setCurrentIndex(1)  # type: ignore[union-attr]
            if role is Role.NURSE and tab in ("tasks", "roster"):
                roster_built = _show_nurse_tab(app, relay, window, tab)
            if role is Role.NURSE and xray is not None:
                workspace = window.workspace
                workspace.tabs.setCurrentWidget(workspace.xray)  # type: ignore[union-attr]
                workspace.xray.confirm = lambda _question: True  # type: ignore[union-attr]  # keep it, no dialog
                workspace.xray.open_path(xray)  # type: ignore[union-attr]
                _wait_until(app, lambda: workspace.xray.analysis is not None or bool(  # type: ignore[union-attr]
                    workspace.xray.error.text()))  # type: ignore[union-attr]
        _settle(app, relay)
        target.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(target), "PNG") and roster_built
        window.close()
    finally:
        runner.shutdown()
        context.close()
        if server is not None:
            server.stop()
    return 0 if ok else 1


def _open_example_case(window: MainWindow, runner: DbRunner, context: AppContext, user: object) -> None:
    from emsync_desktop.domain.roles import UserInfo
    from emsync_desktop.services.demo_record import seed_example_record, seed_second_example_record

    assert isinstance(user, UserInfo)
    with context.store.sessions.begin() as session:
        case_ids = seed_example_cases(session, user, context.install.device_id)
    seed_example_record(context.store, user, case_ids[0])
    seed_second_example_record(context.store, user, case_ids[1])
    window.show_workspace(user)
    assert window.case_model is not None
    window.case_model.load(case_ids[0])


def _card_screenshot(app: QApplication, relay: TaskRelay, window: MainWindow, card: Path, target: Path) -> int:
    """The card dialog over a new case, ``card`` read; 1 if no field came of it."""
    model = window.case_model
    assert model is not None
    shown = model.snapshot.id if model.snapshot else None
    model.open_new()
    _wait_until(app, lambda: model.snapshot is not None and model.snapshot.id != shown)
    workspace = window.workspace
    workspace.open_card_intake()  # type: ignore[union-attr]
    dialog = workspace.card_dialog  # type: ignore[union-attr]
    dialog.read_file(card)
    _wait_until(app, lambda: dialog.review is not None or dialog.status.text().startswith("✖"), timeout_s=120.0)
    _settle(app, relay)
    target.parent.mkdir(parents=True, exist_ok=True)
    saved = _grab_with_dialog(window, dialog, target)
    read = dialog.review is not None and bool(dialog.review.reading.proposals)
    dialog.close()
    window.close()
    return 0 if saved and read else 1


def _grab_with_dialog(window: MainWindow, dialog: QWidget, target: Path) -> bool:
    """The window with the dialog painted over it where it sits, as a person sees them."""
    from PySide6.QtGui import QPainter

    picture = window.grab()
    painter = QPainter(picture)
    top_left = dialog.frameGeometry().topLeft() - window.frameGeometry().topLeft()
    painter.drawPixmap(top_left, dialog.grab())
    painter.end()
    return picture.save(str(target), "PNG")


def _wait_for_map(app: QApplication, window: MainWindow, timeout_s: float = 30.0) -> None:
    """The map page loads in its own process; wait until it says it is ready, then let it paint."""
    panel = window.workspace.map  # type: ignore[union-attr]
    _wait_until(app, lambda: bool(panel.ready), timeout_s)
    painted = time.monotonic() + 1.5
    _wait_until(app, lambda: time.monotonic() > painted)


def _show_nurse_tab(app: QApplication, relay: TaskRelay, window: MainWindow, tab: str) -> bool:
    """The Tasks tab, or the Roster tab with the demo ward's roster built; False if no roster came of it."""
    workspace = window.workspace
    _wait_until(app, lambda: "0 changes waiting" in window.connection_label.text())
    _settle(app, relay)
    if tab == "tasks":
        workspace.tabs.setCurrentWidget(workspace.tasks)  # type: ignore[union-attr]
        return True
    roster = workspace.roster  # type: ignore[union-attr]
    workspace.tabs.setCurrentWidget(roster)  # type: ignore[union-attr]
    roster.build.click()
    _wait_until(app, lambda: not roster.build.isEnabled())
    _wait_until(app, lambda: roster.build.isEnabled(), timeout_s=60.0)
    return bool(roster.grid.rowCount())


def _wait_until(app: QApplication, done: Callable[[], bool], timeout_s: float = 30.0) -> None:
    """Pump events until ``done()`` or the timeout (screenshots only: a CLI tool, not the app)."""
    deadline = time.monotonic() + timeout_s
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def _settle(app: QApplication, relay: TaskRelay, timeout_s: float = 15.0) -> None:
    """Pump events until background work is done and the layout has settled."""
    deadline = time.monotonic() + timeout_s
    quiet_since = None
    while time.monotonic() < deadline:
        app.processEvents()
        if relay.pending == 0:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 0.5:
                return
        else:
            quiet_since = None
        time.sleep(0.02)
