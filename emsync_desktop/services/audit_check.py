"""The admin's check of the server's audit chain, with the anchors this desk holds, in words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from emsync_desktop.store.database import Store
from emsync_desktop.sync.audit_anchors import anchor_warning, held_anchors
from emsync_desktop.sync.protocol import AuditAnchor, AuditVerification

VerifyAudit = Callable[[list[AuditAnchor]], AuditVerification]  # sends the held anchors; network, any thread


@dataclass(frozen=True)
class AuditCheck:
    verification: AuditVerification
    held: int  # anchors this desk sent
    warning: str | None = None  # what this desk noticed itself (``sync.audit_anchors``)

    @property
    def ok(self) -> bool:
        return self.verification.ok and self.warning is None


def held_for_check(store: Store) -> tuple[list[AuditAnchor], str | None]:
    """DB thread: the anchors this desk holds, and what it noticed about them."""
    return held_anchors(store), anchor_warning(store)


def check_audit_chain(verify: VerifyAudit, held: list[AuditAnchor], warning: str | None) -> AuditCheck:
    """Background thread (network): the server checks its chain against its anchors and ``held``."""
    return AuditCheck(verify(held), len(held), warning)


def describe_audit_check(check: AuditCheck) -> str:
    v = check.verification
    at = v.checked_at.astimezone().strftime("%H:%M")
    if not v.ok:
        return (f"Audit chain broken at #{v.first_broken_id}: {v.reason}. Intact up to #{v.verified_up_to} "
                f"(checked at {at}).")
    held = f"{check.held} held by this desk" if check.held else "none held by this desk yet"
    text = (f"Audit chain verified up to #{v.verified_up_to} at {at} ({v.events} events; anchors matched: "
            f"{v.anchors_checked}, {held}).")
    if check.warning is not None:
        text += f" But this desk noticed earlier: {check.warning}."
    return text
