"""Export closed cases as NEMSIS v3.5.1 EMSDataSet XML: one case (the paramedic), or every case closed
in a date range (the admin).

Each export reads in one transaction (``gather_*``: DB thread), then builds with domain.nemsis,
validates against the official XSD and only then writes the file, atomically (``write_report``: any
thread but the DB's or the GUI's, as it validates and writes). Nothing is written when anything is
refused: an open case, no case in the range, the agency not set, or a document the schema rejects
(which would be a bug in our mapping, and says so). No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from emsync_desktop.domain.local_time import local_midnight
from emsync_desktop.domain.nemsis import NemsisAgency, NemsisCase, ems_dataset_bytes
from emsync_desktop.services.cases import CaseNotFound
from emsync_desktop.services.exports import write_atomically
from emsync_desktop.services.nemsis_agency import agency_of
from emsync_desktop.services.nemsis_case import CaseNotReportable, nemsis_case_of
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import Encounter
from emsync_desktop.store.repositories import get_encounter


class NemsisExportRefused(ValueError):
    """Nothing was written; the message says why and what to do."""


class NemsisMappingError(RuntimeError):
    """The built document does not validate: a bug in EMsync's mapping. Nothing was written."""


@dataclass(frozen=True)
class NemsisBatch:
    """What one report holds: the agency and its cases, read from the store."""

    agency: NemsisAgency
    cases: tuple[NemsisCase, ...]


@dataclass(frozen=True)
class NemsisExport:
    path: Path
    cases: int


def export_case_nemsis(store: Store, case_id: str, target: Path) -> NemsisExport:
    """One closed case as a NEMSIS report at ``target`` (reads, then writes, on the caller's thread)."""
    return write_report(gather_case(store, case_id), target)


def export_range_nemsis(store: Store, first: date, last: date, target: Path) -> NemsisExport:
    """Every case closed from ``first`` to ``last`` (local dates, both included) in one report."""
    return write_report(gather_range(store, first, last), target)


def gather_case(store: Store, case_id: str) -> NemsisBatch:
    with store.sessions.begin() as session:
        row = get_encounter(session, case_id)
        if row is None:
            raise CaseNotFound(f"case {case_id} does not exist on this device")
        agency = agency_of(session)
        try:
            case = nemsis_case_of(session, row)
        except CaseNotReportable as error:
            raise NemsisExportRefused(str(error)) from error
    return NemsisBatch(agency, (case,))


def gather_range(store: Store, first: date, last: date) -> NemsisBatch:
    """Every case closed from ``first`` to ``last`` (local dates, both included), oldest first."""
    if last < first:
        raise NemsisExportRefused(f"The range ends ({last:%d %b %Y}) before it starts ({first:%d %b %Y}): "
                                  "swap the dates.")
    start, end = local_midnight(first), local_midnight(last + timedelta(days=1))
    with store.sessions.begin() as session:
        agency = agency_of(session)
        rows = session.scalars(select(Encounter).where(Encounter.status == "closed", Encounter.closed_at >= start,
                                                       Encounter.closed_at < end)
                               .order_by(Encounter.closed_at, Encounter.id)).all()
        if not rows:
            raise NemsisExportRefused(f"No case was closed from {first:%d %b %Y} to {last:%d %b %Y}: "
                                      "no file was written.")
        try:
            cases: list[NemsisCase] = [nemsis_case_of(session, row) for row in rows]
        except CaseNotReportable as error:
            raise NemsisExportRefused(f"{error} No file was written.") from error
    return NemsisBatch(agency, tuple(cases))


def write_report(batch: NemsisBatch, target: Path) -> NemsisExport:
    """Build, validate, and write only a valid document (NemsisMappingError otherwise)."""
    from emsync_desktop.services.nemsis_validation import ems_dataset_problems  # lxml: not at start-up

    document = ems_dataset_bytes(batch.agency, batch.cases)
    problems = ems_dataset_problems(document)
    if problems:
        raise NemsisMappingError("The NEMSIS report does not match the NEMSIS 3.5.1 schema, so it was not "
                                 "written. This is a bug in EMsync's NEMSIS mapping; please report it. "
                                 + " ".join(problems[:3]))
    return NemsisExport(write_atomically(target, document), len(batch.cases))
