"""Administration of accounts: disable and enable (the same as ``python -m sync_server --disable-user``)."""

from __future__ import annotations

from typing import Annotated

import anyio.from_thread
from fastapi import APIRouter, HTTPException, Path, Request, status

from emsync_desktop.sync.protocol import ACCOUNT_DISABLED, AccountStatus
from sync_server.accounts import find_user, set_disabled
from sync_server.deps import CurrentUser, SettingsDep, WriteSessionsDep, account
from sync_server.live_accounts import LiveAccounts

router = APIRouter(prefix="/admin", tags=["admin"])
UsernamePath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")]
_RESPONSES: dict[int | str, dict[str, str]] = {
    401: {"description": "Not signed in"}, 403: {"description": f"Not an administrator, or {ACCOUNT_DISABLED}"},
    404: {"description": "No such account"}, 409: {"description": "An administrator cannot disable themselves"}}


@router.post("/users/{username}/disable", responses=_RESPONSES)
def disable_user(username: UsernamePath, admin: CurrentUser, request: Request, write_sessions: WriteSessionsDep,
                 settings: SettingsDep) -> AccountStatus:
    """Refused from now on everywhere: sign-in, refresh, every request, and its open live connections
    (closed with the reason). Its sessions are revoked."""
    result = _set(username, True, admin.id, write_sessions, settings)
    accounts: LiveAccounts = request.app.state.live_accounts
    anyio.from_thread.run(accounts.close_accounts, [result[1]])  # at once in this process (others: watcher)
    return result[0]


@router.post("/users/{username}/enable", responses=_RESPONSES)
def enable_user(username: UsernamePath, admin: CurrentUser, write_sessions: WriteSessionsDep,
                settings: SettingsDep) -> AccountStatus:
    """The account may sign in again (its old sessions stay revoked)."""
    return _set(username, False, admin.id, write_sessions, settings)[0]


def _set(username: str, disabled: bool, admin_id: str, write_sessions: WriteSessionsDep,
         settings: SettingsDep) -> tuple[AccountStatus, str]:
    with write_sessions.begin() as session:
        admin = account(session, admin_id)  # read again in this transaction: still an enabled administrator
        if admin.role != "admin":
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Only an administrator may disable or enable accounts.")
        user = find_user(session, username)
        if user is None or user.username == "system":
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"No account named {username!r}.")
        if disabled and user.id == admin.id:
            raise HTTPException(status.HTTP_409_CONFLICT, "You cannot disable your own account.")
        set_disabled(session, user, disabled, by=admin, now=settings.clock())
        return AccountStatus(username=user.username, disabled=user.disabled_at is not None), user.id
