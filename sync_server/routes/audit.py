"""The audit chain's anchors (for coordinator and admin desks to keep) and its verification (admins)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status

from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import AuditAnchors, AuditVerification, AuditVerifyRequest
from sync_server.audit_keeper import AuditKeeper
from sync_server.deps import CurrentUser

router = APIRouter(prefix="/audit", tags=["audit"])
LATEST_ANCHORS = 20
_REFUSALS: dict[int | str, dict[str, Any]] = {401: {"description": "Not signed in"},
                                              403: {"description": "Not allowed for this role"}}


def _require(user: CurrentUser, roles: set[Role], what: str) -> None:
    if Role(user.role) not in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"A {user.role} may not {what}.")


@router.get("/anchors", response_model=AuditAnchors, responses=_REFUSALS)
def anchors(user: CurrentUser, request: Request) -> AuditAnchors:
    """The latest signed heads of the audit chain, oldest first: coordinator and admin desks keep them,
    so a truncated or rewritten chain is caught by comparing with anchors held outside the server."""
    _require(user, {Role.COORDINATOR, Role.ADMIN}, "read the audit anchors")
    keeper: AuditKeeper = request.app.state.audit
    return AuditAnchors(anchors=keeper.latest(LATEST_ANCHORS))


@router.post("/verify", response_model=AuditVerification, responses=_REFUSALS)
def verify(body: AuditVerifyRequest, user: CurrentUser, request: Request) -> AuditVerification:
    """Check the whole audit chain now, against the key, the server's anchors and the anchors the asking
    desk holds (``anchors``). Admins only; reads every event (one pass, on a request thread)."""
    _require(user, {Role.ADMIN}, "verify the audit chain")
    keeper: AuditKeeper = request.app.state.audit
    check = keeper.verify(body.anchors)
    return AuditVerification(ok=check.ok, events=check.events, verified_up_to=check.verified_up_to,
                             first_broken_id=check.first_broken_id, reason=check.reason,
                             anchors_checked=check.anchors_checked, checked_at=datetime.now(UTC))
