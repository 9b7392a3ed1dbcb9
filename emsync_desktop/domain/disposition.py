"""How a case ends: closed with a disposition, or discarded when opened by mistake and never sent.

A closed case leaves the active list and stays searchable; nothing of it is deleted. A discarded case is
kept too (who discarded it and when), so a mistake can be traced.
"""

from __future__ import annotations

from enum import StrEnum


class Disposition(StrEnum):
    HANDED_OVER = "handed_over"
    TREATED_ON_SCENE = "treated_on_scene"
    REFUSED_CARE = "refused_care"
    DIED = "died"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Disposition.HANDED_OVER: "Handed over at hospital",
    Disposition.TREATED_ON_SCENE: "Treated on scene, not transported",
    Disposition.REFUSED_CARE: "Patient refused care or transport",
    Disposition.DIED: "Died",
    Disposition.CANCELLED: "Call cancelled / no patient",
}


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    DISCARDED = "discarded"


def close_refusal(disposition: Disposition, active_transfer: str | None) -> str | None:
    """Why the case cannot be closed so, or None. ``active_transfer``: 'Lourdes ICU (ACCEPTED)' when the
    case still has one; a patient on the way to a hospital is only closed by handing over."""
    if active_transfer is not None and disposition is not Disposition.HANDED_OVER:
        return (f"This case is still going to {active_transfer}: cancel that transfer on the Hospital tab first, "
                "or close it as handed over.")
    return None


def discard_refusal(ever_sent: bool) -> str | None:
    if ever_sent:
        return "This case was sent to a hospital, so it is part of the record: close it with a disposition instead."
    return None
