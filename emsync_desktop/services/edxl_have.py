"""EDXL-HAVE use cases of the coordinator: export the network's capacity, import a neighbouring region's.

Threading: DB thread (``relay.submit``); each function does one read or one write transaction.
Export: one read, built by the domain mapping, validated against the official XSD, written atomically.
Import: every check first (``edxl_have_check``), then ONE transaction that replaces the region's earlier
import; on any error nothing is written. Imported hospitals live in ``external_hospitals``: never synced,
never ``Hospital`` rows, so the paramedic's ranking and booking never see them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, select

from emsync_desktop.domain.edxl_have import (
    CapacityReport,
    EdxlHaveError,
    HospitalStatus,
    Location,
    UnitBeds,
    build,
    ed_status_from_beds,
    parse,
)
from emsync_desktop.domain.ids import new_id
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.edxl_have_check import check, read_checked
from emsync_desktop.services.exports import write_atomically
from emsync_desktop.services.network import ExternalMark, HospitalCapacity, UnitCapacity, network_capacity
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import ExternalHospital

MAX_REGION_CHARS = 128


@dataclass(frozen=True)
class ImportResult:
    region: str
    hospitals: int
    replaced: int  # rows of the region's previous import


def capacity_report(hospitals: Sequence[HospitalCapacity], now: datetime) -> CapacityReport:
    """Our own network (external hospitals left out) in the domain's report terms, as of ``now``."""
    own = [h for h in hospitals if h.external is None]
    return CapacityReport(tuple(_status(h, now) for h in own))


def _status(h: HospitalCapacity, now: datetime) -> HospitalStatus:
    beds = tuple(UnitBeds(u.unit, u.available, u.total) for u in h.units.values())
    return HospitalStatus(h.id, h.name, Location(h.lat, h.lon), beds, ed_status_from_beds(beds), now)


def export_capacity_edxl(store: Store, target: Path, now: datetime | None = None, version: str = "1.0") -> Path:
    """DB thread. The network's capacity now as an EDXL-HAVE document at ``target``, valid against the XSD
    (an invalid document is a bug: it raises and writes nothing)."""
    data = build(capacity_report(network_capacity(store), now or utc_now()), version)
    check(data)
    return write_atomically(target, data)


def import_region_report(store: Store, path: Path, region: str, now: datetime | None = None) -> ImportResult:
    """DB thread. The region's hospitals from the report at ``path``, replacing its earlier import; all or
    nothing. Raises ``EdxlHaveError`` with a sentence for the coordinator."""
    region = " ".join(region.split())
    if not region or len(region) > MAX_REGION_CHARS:
        raise EdxlHaveError(f"Name the region the report comes from (1 to {MAX_REGION_CHARS} characters).")
    report = parse(read_checked(path))
    if not report.hospitals:
        raise EdxlHaveError("The report lists no hospitals; nothing was imported.")
    imported_at = now or utc_now()
    with store.sessions.begin() as session:
        earlier = session.execute(delete(ExternalHospital).where(ExternalHospital.source == region))
        replaced = getattr(earlier, "rowcount", 0)  # a CursorResult for a DELETE
        session.add_all(_row(h, region, imported_at) for h in report.hospitals)
    return ImportResult(region, len(report.hospitals), int(replaced or 0))


def _row(h: HospitalStatus, region: str, imported_at: datetime) -> ExternalHospital:
    return ExternalHospital(id=new_id(), source=region, ref=h.id[:128], name=h.name[:128],
                            lat=h.location.lat if h.location else None, lon=h.location.lon if h.location else None,
                            ed_status=h.ed_status.value,
                            beds=json.dumps({b.unit: [b.available, b.baseline] for b in h.beds}),
                            last_update=h.last_update, imported_at=imported_at)


def external_capacity(store: Store) -> list[HospitalCapacity]:
    """DB thread. Every imported hospital, marked external (region, as of its report's update time)."""
    with store.sessions.begin() as session:
        rows = session.scalars(select(ExternalHospital).order_by(ExternalHospital.source, ExternalHospital.name)).all()
        return [_capacity(row) for row in rows]


def capacity_with_external(store: Store) -> list[HospitalCapacity]:
    """DB thread. The coordinator's view: our network, then every imported hospital (two reads)."""
    return [*network_capacity(store), *external_capacity(store)]


def _capacity(row: ExternalHospital) -> HospitalCapacity:
    units = {unit: UnitCapacity(unit, {"available": a, "not_available": b - a})
             for unit, (a, b) in json.loads(row.beds).items()}
    return HospitalCapacity(f"external:{row.id}", row.name, row.name[:32], row.lat if row.lat is not None else 0.0,
                            row.lon if row.lon is not None else 0.0, (), units,
                            external=ExternalMark(row.source, row.last_update, row.ed_status,
                                                  located=row.lat is not None and row.lon is not None))
