"""Checking the agency identifiers an admin types for NEMSIS reports (dAgency.01, .02, .04)."""

from __future__ import annotations

import re

from emsync_desktop.domain.nemsis.case import NemsisAgency

_STATE_CODE = re.compile(r"[0-9]{2}")


def agency_problems(agency: NemsisAgency) -> list[str]:
    """Why these identifiers cannot go into a NEMSIS report (one sentence each), or an empty list."""
    problems = []
    if not 1 <= len(agency.state_id.strip()) <= 50:
        problems.append("Agency state ID: type the ID your state EMS office assigned (1 to 50 characters).")
    if not 1 <= len(agency.number.strip()) <= 15:
        problems.append("Agency number: type your state-assigned agency number (1 to 15 characters).")
    if _STATE_CODE.fullmatch(agency.state_code.strip()) is None:
        problems.append("State code: type the two-digit ANSI code of the state that assigned the number, e.g. 06.")
    return problems
