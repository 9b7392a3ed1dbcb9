"""Main window: sign-in, then the workspace of the signed-in role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMainWindow, QStackedWidget, QToolBar, QWidget

from emsync_desktop.domain.roles import MFA_REQUIRED_ROLES, Role, UserInfo
from emsync_desktop.services.auth import unlock
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.cases import CaseService
from emsync_desktop.services.preferences import save_theme, save_window_geometry
from emsync_desktop.services.transfers import TransferService
from emsync_desktop.sync.engine import SyncStatus
from emsync_desktop.sync.protocol import AuditAnchor, AuditVerification, Change, PullResponse
from emsync_desktop.ui.about_dialog import show_about
from emsync_desktop.ui.idle_lock import DEFAULT_LOCK_MINUTES, IdleWatcher, LockScreen
from emsync_desktop.ui.keyboard import tidy_focus_chain
from emsync_desktop.ui.login_view import LoginView
from emsync_desktop.ui.paramedic.case_model import CaseEditorModel
from emsync_desktop.ui.sync_bridge import SyncBridge, SyncTarget, describe
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import THEMES, Theme, apply_theme
from emsync_desktop.ui.widgets.buttons import touch_button

if TYPE_CHECKING:
    from emsync_desktop.geo.position import PositionSource
    from emsync_desktop.ml.triage import TriageModels
    from emsync_desktop.sync.http import SyncHttp
    from emsync_desktop.ui.two_step_setup import TwoStepSetup

T = TypeVar("T")
_NOT_ONLINE = ("This desk is not signed in to the sync server yet: wait for the status bar to say Online, "
               "then try again.")


class MainWindow(QMainWindow):
    closed = Signal()
    workspace_ready = Signal(object)  # the workspace widget

    def __init__(self, context: AppContext, relay: TaskRelay, theme: Theme,
                 sync_target: SyncTarget | None = None, gps: Path | None = None,
                 lock_minutes: float = DEFAULT_LOCK_MINUTES) -> None:
        super().__init__()
        self._lock_minutes = lock_minutes
        self.idle: IdleWatcher | None = None
        self.lock_screen: LockScreen | None = None
        self._hidden_by_lock: list[QDialog] = []  # the workspace's windows, hidden while the screen is locked
        self._unsent = 0  # the signed-in person's changes waiting to send, as the last sync report said
        self._gps_path = gps
        self._gps: PositionSource | None = None
        self.context = context
        self.sync_target = sync_target
        self.sync: SyncBridge | None = None
        self.relay = relay
        self.theme = theme
        self.user: UserInfo | None = None
        self.case_model: CaseEditorModel | None = None
        self.triage_models: TriageModels | None = None
        self.workspace: QWidget | None = None
        self.two_step_setup: TwoStepSetup | None = None
        self.setWindowTitle("EMsync" + (" — DEMO" if context.install.demo else ""))
        self.setMinimumSize(1024, 640)
        self._build_toolbar()
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.login = LoginView(relay, context, sync_target)
        self.login.signed_in.connect(self.show_workspace)
        self.login.server_checked.connect(self._on_server_checked)
        self.stack.addWidget(self.login)
        self.saved_label = QLabel("")
        self.connection_label = QLabel("● Offline — working on this device only" if sync_target is None
                                       else "● Connecting to the sync server…")
        self.statusBar().addWidget(self.saved_label, 1)
        self.statusBar().addPermanentWidget(self.connection_label)
        QShortcut(QKeySequence("Ctrl+Shift+D"), self, self.toggle_theme)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Session")
        bar.setMovable(False)
        self.addToolBar(bar)
        brand = QLabel("  EMsync" + ("  ·  DEMO" if self.context.install.demo else ""))
        brand.setStyleSheet("font-weight: 800; font-size: 17px;")
        bar.addWidget(brand)
        spacer = QWidget()
        spacer.setStyleSheet("background: transparent;")
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding,
                             spacer.sizePolicy().verticalPolicy().Preferred)
        bar.addWidget(spacer)
        self.user_label = QLabel("")
        bar.addWidget(self.user_label)
        self.night_button = touch_button("Night mode")
        self.night_button.setCheckable(True)
        self.night_button.setChecked(self.theme.name == "dark")
        self.night_button.setToolTip("Dark theme for night use (Ctrl+Shift+D)")
        self.night_button.clicked.connect(self.toggle_theme)
        bar.addWidget(self.night_button)
        self.about_button = touch_button("About", tooltip="Version, models and third-party licences")
        self.about_button.clicked.connect(lambda: show_about(self, self.relay, self.context.data_dir))
        bar.addWidget(self.about_button)
        self.two_step_button = touch_button("Two-step sign-in", tooltip="Sign in with a code from an authenticator "
                                                                        "app as well as your password")
        self.two_step_button.clicked.connect(self.set_up_two_step)
        self.two_step_action = bar.addWidget(self.two_step_button)
        self.two_step_action.setVisible(False)
        self.sign_out_button = touch_button("Sign out", tooltip="Sign out (Ctrl+Shift+Q); your work is saved")
        QShortcut(QKeySequence("Ctrl+Shift+Q"), self, self._sign_out_by_key)
        self.sign_out_button.clicked.connect(self.sign_out)
        self.sign_out_action = bar.addWidget(self.sign_out_button)
        self.sign_out_action.setVisible(False)

    def show_workspace(self, user: UserInfo) -> None:
        self.user = user
        self.user_label.setText(f"{user.display_name} · {user.role.label}   ")
        self.sign_out_action.setVisible(True)
        # Coordinators and admins have it already (enrolled at sign-in); others may turn it on with the server.
        self.two_step_action.setVisible(self.sync_target is not None and self.sync_target.second_factor is not None
                                        and not user.is_demo and user.role not in MFA_REQUIRED_ROLES)
        self._start_sync(user)
        self._replace_workspace(self._build_workspace(user))
        if self.idle is None:
            self.idle = IdleWatcher(self._lock_minutes, self.windowHandle(), parent=self)
            self.idle.idle.connect(self.lock)
        self.idle.reset()

    def lock(self) -> None:
        """Lock the signed-in user's screen (idle, or asked). What is typed is saved first; the workspace
        stays as it is under the lock, its input (shortcuts included) disabled until unlocked."""
        if self.user is None or self.workspace is None or self.lock_screen is not None:
            return
        self.flush()
        self.lock_screen = LockScreen(self.user, self.user.role is Role.PARAMEDIC, self, self.stack)
        self.lock_screen.unlock_requested.connect(self._try_unlock)
        self.lock_screen.switch_user.connect(self.sign_out)
        for widget in (self.workspace, self.sign_out_button, self.night_button):
            widget.setEnabled(False)
        # The workspace's own windows (a message thread) would show a patient over the lock: hidden until unlocked.
        # Not a modal dialog: hiding one ends it (a reject reason half typed would be lost); those stay, disabled.
        self._hidden_by_lock = [w for w in self.workspace.findChildren(QDialog) if w.isVisible() and not w.isModal()]
        for dialog in self._hidden_by_lock:
            dialog.hide()
        self.lock_screen.show_locked()

    def _try_unlock(self, password: str) -> None:
        if self.user is None:
            return
        self.relay.submit(unlock, self.context.store, self.user.id, password, on_result=self._on_unlock, owner=self)

    def _on_unlock(self, ok: bool) -> None:
        if self.lock_screen is None:
            return
        if not ok:
            self.lock_screen.refused()
            return
        self._remove_lock()

    def _remove_lock(self) -> None:
        if self.lock_screen is not None:
            self.lock_screen.hide()
            self.lock_screen.deleteLater()
            self.lock_screen = None
        if self.workspace is not None:
            self.workspace.setEnabled(True)
        for dialog in self._hidden_by_lock:
            if shiboken6.isValid(dialog):
                dialog.show()
        self._hidden_by_lock = []
        self.sign_out_button.setEnabled(True)
        self.night_button.setEnabled(True)
        if self.idle is not None:
            self.idle.reset()

    def set_up_two_step(self) -> None:
        from emsync_desktop.ui.two_step_setup import TwoStepSetup

        target, user = self.sync_target, self.user
        if target is None or target.second_factor is None or user is None:
            return
        self.two_step_setup = TwoStepSetup(self.relay, target.second_factor,
                                           lambda: self.sync.engine.token if self.sync is not None else None,
                                           lambda: target.credentials_for(user.username), self)
        self.two_step_setup.done.connect(lambda text: self.statusBar().showMessage(text, 15_000))
        self.two_step_setup.start()

    def _on_server_checked(self, reachable: bool) -> None:
        """Before sign-in (no sync running yet): the status bar agrees with the sign-in screen's check."""
        if self.sync is not None:
            return
        self.connection_label.setText("● Sync server reachable" if reachable else
                                      "● Offline — sync server unreachable")
        self.connection_label.setStyleSheet(f"color: {self.theme.ok if reachable else self.theme.warning};")

    def _start_sync(self, user: UserInfo) -> None:
        self._stop_sync()
        if self.sync_target is None:
            return
        password = self.sync_target.credentials_for(user.username)
        if password is None:
            if self.sync_target.starting():
                self.connection_label.setText("● Starting the sync server…")
                QTimer.singleShot(500, self, lambda: self._retry_sync(user))
                return
            self.connection_label.setText("● Not connected — no server account for this user on this device")
            return
        self.sync = SyncBridge(self.context, self.relay.runner, self.sync_target, user.username, password,
                               self.sync_target.tokens_for(user.username),
                               keep_audit_anchors=user.role in (Role.COORDINATOR, Role.ADMIN), owner_id=user.id)
        # Queued explicitly: the engine emits from its own thread; widgets are touched on the GUI thread only.
        self.sync.status.connect(self._on_sync_status, Qt.ConnectionType.QueuedConnection)
        self.sync.start()

    def _retry_sync(self, user: UserInfo) -> None:
        if self.user == user and self.sync is None:
            self._start_sync(user)

    def _stop_sync(self, *, sign_out: bool = False) -> None:
        """``sign_out``: the server session is revoked too (off the GUI thread; best effort offline)."""
        if self.sync is not None:
            if sign_out:
                self.sync.sign_out()
            else:
                self.sync.stop()
            self.sync = None

    def _on_sync_status(self, status: SyncStatus) -> None:
        if self.sync is None or status.engine_id != id(self.sync.engine):
            return  # a late status of an engine already stopped (signed out, closing)
        self._unsent = status.pending
        text, good = describe(status)
        self.connection_label.setText(text)
        self.connection_label.setStyleSheet(f"color: {self.theme.ok if good else self.theme.warning};")
        refresh = getattr(self.workspace, "on_synced", None)
        if callable(refresh):
            refresh(status)

    def fetch_blob(self, sha256: str) -> bytes:
        """Any thread: a file from the sync server by its hash, with the signed-in session's token."""
        return self._ask_server(lambda http, token: http.get_blob(token, sha256),
                                "The file is on the sync server and this PC is not signed in to it: connect, "
                                "wait for the status bar to say Online, and open it again.",
                                "The file could not be fetched from the sync server: ")

    def lookup_transfers(self, start: datetime, end: datetime) -> PullResponse:
        """Any thread but the GUI's: transfers requested in [start, end) on the sync server (past transfers)."""
        return self._ask_server(lambda http, token: http.lookup_transfers(token, start, end), _NOT_ONLINE,
                                "The sync server could not be asked: ")

    def fetch_transfer(self, transfer_id: str) -> list[Change]:
        """Any thread but the GUI's: one transfer whole (bookings, handoffs) from the sync server."""
        return self._ask_server(lambda http, token: http.fetch_record(token, "transfer", transfer_id), _NOT_ONLINE,
                                "The sync server could not send it: ")

    def verify_audit(self, held: list[AuditAnchor]) -> AuditVerification:
        """Any thread but the GUI's: the sync server's check of its audit chain, with the anchors this desk
        holds, under the signed-in session's token (an admin's)."""
        return self._ask_server(lambda http, token: http.verify_audit(token, held),
                                "this desk is not signed in to the sync server yet: wait for the status bar to "
                                "say Online, then verify again.", "")

    def _ask_server(self, call: Callable[[SyncHttp, str], T], not_signed_in: str, failed: str) -> T:
        """Any thread but the GUI's: ``call`` with the signed-in session's token; refusals as ValueError."""
        from emsync_desktop.sync.http import SyncError, SyncHttp

        bridge, target = self.sync, self.sync_target
        token = bridge.engine.token if bridge is not None else None
        if target is None or token is None:
            raise ValueError(not_signed_in)
        http = SyncHttp(target.url)
        try:
            return call(http, token)
        except SyncError as exc:
            raise ValueError(f"{failed}{exc}") from exc
        finally:
            http.close()

    def nudge_sync(self) -> None:
        """A local change was saved: send it now if we are online."""
        if self.sync is not None:
            self.sync.nudge()

    def _build_workspace(self, user: UserInfo) -> QWidget:
        """Workspaces are imported on first sign-in so the sign-in screen paints sooner."""
        if user.role is Role.PARAMEDIC:
            from emsync_desktop.ml.triage import TriageModels
            from emsync_desktop.services.hospital_ranking import HospitalRankingService
            from emsync_desktop.services.triage import TriageService
            from emsync_desktop.ui.paramedic.handoff_exports import HandoffExports
            from emsync_desktop.ui.paramedic.workspace import ParamedicWorkspace

            service = CaseService(self.context.store, user, self.context.install.device_id)
            if self.triage_models is None:  # one set of sessions per app, reused across sign-ins
                self.triage_models = TriageModels()
                self.triage_models.warm_up()
            triage = TriageService(self.context.store, self.triage_models)
            self.case_model = CaseEditorModel(self.relay, service, triage)
            self.case_model.saved.connect(self._on_saved)
            self.case_model.failed.connect(self.statusBar().showMessage)
            transfers = TransferService(self.context.store, user)
            ranking = HospitalRankingService.for_data_dir(self.context.data_dir)
            if self._gps_path is not None and self._gps is None:
                from emsync_desktop.geo.position import NmeaSource

                self._gps = NmeaSource(self._gps_path)  # one reader per app, kept across sign-ins
            exports = HandoffExports(self.relay, self.context.store, user, self.context.data_dir)
            return ParamedicWorkspace(self.case_model, self.theme, self.relay, transfers, self.nudge_sync, ranking,
                                      self.context.data_dir, self._gps, exports)
        if user.role is Role.NURSE:
            from emsync_desktop.services.imaging import ImagingAnalyser
            from emsync_desktop.ui.nurse.workspace import NurseWorkspace

            # The model loads on the first analysis; a model an admin imported is used from the next sign-in.
            analyser = ImagingAnalyser(self.context.data_dir, install=True)
            return NurseWorkspace(self.relay, self.context.store, user, self.theme, self.nudge_sync, analyser,
                                  self.context.data_dir, self.fetch_blob, demo=self.context.install.demo)
        if user.role is Role.COORDINATOR:
            from emsync_desktop.ui.coordinator.workspace import CoordinatorWorkspace

            connected = self.sync_target is not None
            return CoordinatorWorkspace(self.relay, self.context.store, user, self.theme, self.context.data_dir,
                                        self.nudge_sync, self.lookup_transfers if connected else None,
                                        self.fetch_transfer if connected else None)
        if user.role is Role.BLOOD_BANK:
            from emsync_desktop.ui.blood_bank.workspace import BloodBankWorkspace

            return BloodBankWorkspace(self.relay, self.context.store, user, self.theme, self.nudge_sync)
        from emsync_desktop.ui.admin.workspace import AdminWorkspace

        return AdminWorkspace(self.relay, self.context, self.theme,
                              self.verify_audit if self.sync_target is not None else None, user=user,
                              nudge=self.nudge_sync)

    def _connect_saved(self, workspace: QWidget) -> None:
        """'Saved on this device' follows every local change, the ward's bed changes too."""
        beds = getattr(workspace, "beds", None)
        changed = getattr(beds, "changed", None)
        if changed is not None:
            changed.connect(lambda: self._on_saved(""))

    def _replace_workspace(self, workspace: QWidget) -> None:
        if self.workspace is not None:
            self.stack.removeWidget(self.workspace)
            self.workspace.deleteLater()
        self.workspace = workspace
        tidy_focus_chain(workspace)
        self._connect_saved(workspace)
        self.stack.addWidget(workspace)
        self.stack.setCurrentWidget(workspace)
        focus_first = getattr(workspace, "focus_first", None)
        if callable(focus_first):
            focus_first()
        self.workspace_ready.emit(workspace)

    def _sign_out_by_key(self) -> None:
        if self.user is not None and self.lock_screen is None:
            self.sign_out()

    def sign_out(self) -> None:
        self._remove_lock()
        self.flush()
        if self.user is not None and self._unsent:  # they go under this person's own sign-in, never the next one's
            name, count = self.user.display_name, self._unsent
            self.login.show_notice(f"{count} change{'s' if count != 1 else ''} by {name} not sent yet: kept on this "
                                   f"PC, sent when {name} signs in here again (online).")
        self._unsent = 0
        self._stop_sync(sign_out=True)
        if self.sync_target is not None:
            self.sync_target.forget_passwords()
        if self.workspace is not None:
            self.stack.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None
        self.user = None
        self.case_model = None
        self.user_label.setText("")
        self.saved_label.setText("")  # the next person's status bar says nothing of this one's work
        self.sign_out_action.setVisible(False)
        self.two_step_action.setVisible(False)
        self.stack.setCurrentWidget(self.login)

    def toggle_theme(self) -> None:
        if self.lock_screen is not None:
            return  # rebuilding the workspace would hand its input back
        self.flush()
        self.theme = THEMES["light" if self.theme.name == "dark" else "dark"]
        self.night_button.setChecked(self.theme.name == "dark")
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.theme)
        self.relay.submit(save_theme, self.context.store, self.theme.name, on_result=lambda _r: None)
        if self.user is not None:
            case_id = self.case_model.snapshot.id if self.case_model and self.case_model.snapshot else None
            self._replace_workspace(self._build_workspace(self.user))
            if case_id and self.case_model:
                self.case_model.load(case_id)

    def flush(self) -> None:
        """Save whatever is typed but not yet committed."""
        flush = getattr(self.workspace, "flush", None)
        if callable(flush):
            flush()

    def _on_saved(self, _field: str) -> None:
        self.saved_label.setText(f"✔ Saved on this device {datetime.now().strftime('%H:%M:%S')}")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.idle is not None:
            self.idle.stop()
        self.flush()
        geometry = bytes(self.saveGeometry().data())
        self.relay.submit(save_window_geometry, self.context.store, geometry, on_result=lambda _r: None)
        self._stop_sync()
        if self._gps is not None:
            self._gps.stop()
        self.closed.emit()
        super().closeEvent(event)
