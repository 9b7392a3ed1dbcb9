"""Which formulary the dose checks use on this device, and whether a clinician has reviewed it.

The shipped defaults (``domain/formulary_defaults.py``) are not reviewed by a medical director; the app says
so beside every dose check until an admin publishes the service's own formulary.
Threading: call on the DbRunner thread only (see ``runner.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from emsync_desktop.domain.formulary import Formulary
from emsync_desktop.domain.formulary_defaults import DEFAULT_FORMULARY

DEFAULT_NOTICE = "Default formulary, not reviewed by a clinician: check doses against your service's guidelines."


@dataclass(frozen=True)
class FormularyInfo:
    """``drugs`` the checks use; ``source`` one line saying where they come from (shown with every check);
    ``reviewed`` False for the shipped defaults."""

    drugs: Formulary
    source: str
    reviewed: bool


DEFAULT_INFO = FormularyInfo(DEFAULT_FORMULARY, DEFAULT_NOTICE, reviewed=False)


def current_formulary_in(session: Session) -> FormularyInfo:
    """The formulary in force on this device (in ``session``'s transaction)."""
    del session  # until an admin's formulary is stored, the shipped defaults are in force
    return DEFAULT_INFO
