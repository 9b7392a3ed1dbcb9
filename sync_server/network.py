"""The hospital network is server data (DESIGN.md section 4): hospitals and beds live here and reach every
device through the feed. ``import_network`` brings the server's network in line with a network file (the
format of ``resources/demo_network.json``): new hospitals and beds are added, changed hospitals get a new
version, hospitals missing from the file are closed (kept: transfers name them), and beds beyond a unit's new
count are taken out of service when free. A bed out of service stays so when a later file wants it again: a
ward may have taken it out (broken, closed bay), and only the ward puts it back. Every change is published.
One transaction: the caller's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.beds import BedStatus
from emsync_desktop.domain.ids import demo_id
from emsync_desktop.sync.protocol import HOSPITAL_ENTITY
from sync_server.feed import record_change
from sync_server.models import Bed, Hospital
from sync_server.op_context import bed_data, columns_of

_HOSPITAL_FIELDS = ("name", "short_name", "lat", "lon", "address", "phone", "capabilities", "closed")


@dataclass
class NetworkImport:
    hospitals_added: list[str] = field(default_factory=list)
    hospitals_changed: list[str] = field(default_factory=list)
    hospitals_closed: list[str] = field(default_factory=list)
    beds_added: int = 0
    beds_retired: int = 0

    def describe(self) -> str:
        return (f"{len(self.hospitals_added)} hospitals added, {len(self.hospitals_changed)} changed, "
                f"{len(self.hospitals_closed)} closed; {self.beds_added} beds added, {self.beds_retired} taken "
                "out of service")


def hospital_data(h: Hospital) -> dict[str, Any]:
    """A hospital as the feed carries it."""
    return {"id": h.id, "name": h.name, "short_name": h.short_name, "lat": h.lat, "lon": h.lon,
            "address": h.address, "phone": h.phone, "capabilities": list(h.capabilities), "closed": h.closed,
            "version": h.version}


def import_network(session: Session, network: dict[str, Any], now: datetime,
                   bed_status: Callable[[str], str] = lambda _bed_id: BedStatus.AVAILABLE.value) -> NetworkImport:
    """Make the server's network what ``network`` says (see the module's docstring). ``bed_status``: the
    status of a new bed, by its id (the demo seed draws a mix)."""
    result = NetworkImport()
    known = {h.id: h for h in session.scalars(select(Hospital))}
    listed: set[str] = set()
    for spec in network["hospitals"]:
        hospital_id = spec.get("id") or demo_id("hospital", spec["short_name"])
        listed.add(hospital_id)
        _put_hospital(session, known.get(hospital_id), hospital_id, spec, now, result)
    session.flush()  # beds reference hospitals
    for hospital_id, hospital in known.items():
        if hospital_id not in listed and not hospital.closed:
            _change_hospital(session, hospital, {"closed": True}, now)
            result.hospitals_closed.append(hospital.short_name)
    for spec in network["hospitals"]:
        _put_beds(session, spec.get("id") or demo_id("hospital", spec["short_name"]), spec, now, bed_status, result)
    return result


def _put_hospital(session: Session, hospital: Hospital | None, hospital_id: str, spec: dict[str, Any],
                  now: datetime, result: NetworkImport) -> None:
    values = {"name": spec["name"], "short_name": spec["short_name"], "lat": float(spec["lat"]),
              "lon": float(spec["lon"]), "address": spec.get("address", ""), "phone": spec.get("phone", ""),
              "capabilities": list(spec["capabilities"]), "closed": False}
    if hospital is None:
        hospital = Hospital(id=hospital_id, version=1, **values)
        session.add(hospital)
        _publish(session, hospital, now)
        result.hospitals_added.append(hospital.short_name)
    elif any(getattr(hospital, key) != value for key, value in values.items()):
        _change_hospital(session, hospital, values, now)
        result.hospitals_changed.append(hospital.short_name)


def _change_hospital(session: Session, hospital: Hospital, values: dict[str, Any], now: datetime) -> None:
    for key, value in values.items():
        setattr(hospital, key, value)
    hospital.version += 1
    _publish(session, hospital, now)


def _publish(session: Session, hospital: Hospital, now: datetime) -> None:
    record_change(session, entity=HOSPITAL_ENTITY, entity_id=hospital.id, version=hospital.version,
                  data=hospital_data(hospital), hospital_id=hospital.id, owner_user_id=None, now=now)


def _put_beds(session: Session, hospital_id: str, spec: dict[str, Any], now: datetime,
              bed_status: Callable[[str], str], result: NetworkImport) -> None:
    """The hospital's beds are locked (PostgreSQL) while they are compared, so a hold the running server makes
    meanwhile waits, and is then made on what the import wrote (SQLite: the import holds the write lock)."""
    beds = {(b.unit, b.label): b for b in session.scalars(
        select(Bed).where(Bed.hospital_id == hospital_id).with_for_update())}
    wanted = {(unit, f"{unit}-{n:02d}") for unit, count in spec["units"].items() for n in range(1, int(count) + 1)}
    for unit, label in sorted(wanted - set(beds)):
        bed_id = demo_id("bed", f"{spec['short_name']}/{label}")
        bed = Bed(id=bed_id, hospital_id=hospital_id, unit=unit, label=label, status=bed_status(bed_id), version=1)
        session.add(bed)
        _publish_bed(session, bed, now)
        result.beds_added += 1
    for key in sorted(set(beds) - wanted):
        bed = beds[key]
        if bed.status == BedStatus.AVAILABLE.value:
            bed.status, bed.version = BedStatus.OUT_OF_SERVICE.value, bed.version + 1
            _publish_bed(session, bed, now)
            result.beds_retired += 1


def _publish_bed(session: Session, bed: Bed, now: datetime) -> None:
    record_change(session, entity="bed", entity_id=bed.id, version=bed.version, data=bed_data(columns_of(bed)),
                  hospital_id=bed.hospital_id, owner_user_id=None, now=now)
