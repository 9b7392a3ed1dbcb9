"""The agency identifiers NEMSIS reports carry, kept in the settings table (no schema change).

Threading: DB thread. Transactions: ``save_agency`` is one; ``agency_of`` reads in the caller's.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from emsync_desktop import __version__
from emsync_desktop.domain.nemsis import NemsisAgency
from emsync_desktop.domain.nemsis.agency import agency_problems
from emsync_desktop.store.database import Store
from emsync_desktop.store.repositories import get_setting, set_setting

KEYS = {"state_id": "nemsis.agency_state_id", "number": "nemsis.agency_number", "state_code": "nemsis.agency_state"}
MISSING_AGENCY = ("NEMSIS reports need your agency's state ID, number and state code, and they are not set: "
                  "an admin sets them under Admin → NEMSIS export.")


class AgencyNotSet(ValueError):
    """The identifiers are missing or wrong; the message says which and what to type."""


def agency_of(session: Session) -> NemsisAgency:
    """The agency as saved, or AgencyNotSet."""
    values = {name: get_setting(session, key) or "" for name, key in KEYS.items()}
    agency = NemsisAgency(**values, software_version=__version__)
    if agency_problems(agency):
        raise AgencyNotSet(MISSING_AGENCY)
    return agency


def saved_agency(store: Store) -> dict[str, str]:
    """What is saved now, by field ('' when not set), for the admin's form."""
    with store.sessions.begin() as session:
        return {name: get_setting(session, key) or "" for name, key in KEYS.items()}


def save_agency(store: Store, state_id: str, number: str, state_code: str) -> NemsisAgency:
    """Check and save all three, or nothing (AgencyNotSet saying what is wrong)."""
    agency = NemsisAgency(state_id.strip(), number.strip(), state_code.strip(), software_version=__version__)
    problems = agency_problems(agency)
    if problems:
        raise AgencyNotSet(" ".join(problems))
    with store.sessions.begin() as session:
        for name, key in KEYS.items():
            set_setting(session, key, getattr(agency, name))
    return agency
