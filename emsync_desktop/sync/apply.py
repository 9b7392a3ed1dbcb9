"""Applying pulled changes to the local store, idempotently (newer version wins)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.store.models import (
    Bed,
    BedEvent,
    BookingRecord,
    HandoffRecord,
    ImagingStudy,
    OutboxOp,
    TransferRecord,
)
from emsync_desktop.sync.protocol import Change


def _ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def apply_changes(session: Session, changes: Sequence[Change]) -> set[str]:
    """Apply in order; returns the entity kinds touched (for screens to refresh).

    Set-based: which records still wait for the server, and the records themselves, are read once
    per page (applying changes never touches the outbox, so that set holds for the whole page)."""
    ids = {change.data["id"] for change in changes}
    waiting = set(session.scalars(select(OutboxOp.entity_id).where(
        OutboxOp.state == "pending", OutboxOp.entity_id.in_(ids))))
    for entity, model in _MODELS.items():
        wanted = [c.data["id"] for c in changes if c.entity == entity]
        if wanted:
            session.scalars(select(model).where(model.id.in_(wanted))).all()  # into the identity map
    touched: set[str] = set()
    for change in changes:
        if _APPLY[change.entity](session, change, waiting):
            touched.add(change.entity)
    return touched


def _sync_state(entity_id: str, waiting: set[str]) -> str:
    """'pending' while a local op on the record still waits for the server, else 'synced'."""
    return "pending" if entity_id in waiting else "synced"


def _apply_transfer(session: Session, change: Change, waiting: set[str]) -> bool:
    d, version = change.data, change.version
    row = session.get(TransferRecord, d["id"])
    if row is not None and row.version >= version and row.sync_state == "synced":
        return False
    sync_state = _sync_state(d["id"], waiting)
    if row is None:
        row = TransferRecord(id=d["id"])
        session.add(row)
    row.encounter_id, row.requested_by = d["encounter_id"], d["requested_by"]
    row.destination_hospital_id, row.unit, row.state = d["destination_hospital_id"], d["unit"], d["state"]
    row.version, row.eta_s, row.severity, row.summary = version, d["eta_s"], d["severity"], d["summary"]
    row.history = json.dumps(d["history"])
    row.updated_at = _ts(d["updated_at"])  # type: ignore[assignment]
    row.sync_state, row.sync_reason = sync_state, None
    return True


def _apply_booking(session: Session, change: Change, waiting: set[str]) -> bool:
    d, version = change.data, change.version
    row = session.get(BookingRecord, d["id"])
    if row is not None and row.version >= version and row.sync_state == "synced":
        return False
    sync_state = _sync_state(d["id"], waiting)
    if row is None:
        row = BookingRecord(id=d["id"], alternatives="[]")
        session.add(row)
    row.transfer_id, row.hospital_id, row.unit, row.bed_id = d["transfer_id"], d["hospital_id"], d["unit"], d["bed_id"]
    row.state, row.version, row.hold_expires_at = d["state"], version, _ts(d["hold_expires_at"])
    row.updated_at = datetime.now(UTC)
    row.sync_state, row.sync_reason = sync_state, None
    return True


def _apply_bed(session: Session, change: Change, _waiting: set[str]) -> bool:
    """Newer versions win; each status change is also kept in ``bed_events`` (the trend charts' history)."""
    d, version = change.data, change.version
    row = session.get(Bed, d["id"])
    if row is not None and row.version >= version:
        return False
    if row is None:
        row = Bed(id=d["id"], hospital_id=d["hospital_id"], unit=d["unit"], label=d["label"])
        session.add(row)
    previous = row.status
    if previous != d["status"] and session.get(BedEvent, change.seq) is None:
        session.add(BedEvent(seq=change.seq, bed_id=row.id, hospital_id=row.hospital_id, unit=row.unit,
                             from_status=previous, to_status=d["status"], at=change.at or datetime.now(UTC)))
    row.status, row.version = d["status"], version
    return True


def _apply_handoff(session: Session, change: Change, waiting: set[str]) -> bool:
    """Handoffs are append-only; the one thing that changes is the acknowledgement, set once."""
    d = change.data
    row = session.get(HandoffRecord, d["id"])
    acknowledged_at = _ts(d.get("acknowledged_at"))
    if row is None:
        row = HandoffRecord(id=d["id"], transfer_id=d["transfer_id"], version=d["version"],
                            sections=json.dumps(d["sections"]), author_id=d["author_id"],
                            created_at=_ts(d["created_at"]), sync_state=_sync_state(d["id"], waiting))
        session.add(row)
    elif row.sync_state == _sync_state(d["id"], waiting) and (acknowledged_at is None or row.acknowledged_at):
        return False
    row.sync_state, row.sync_reason = _sync_state(d["id"], waiting), None
    if acknowledged_at is not None:
        row.acknowledged_by_name, row.acknowledged_at = d.get("acknowledged_by_name"), acknowledged_at
    return True


def _apply_imaging(session: Session, change: Change, waiting: set[str]) -> bool:
    """Studies are append-only: a new one arrives with its file still on the server (fetched when opened)."""
    d = change.data
    row = session.get(ImagingStudy, d["id"])
    if row is not None:
        state = _sync_state(d["id"], waiting)
        changed = row.sync_state != state
        row.sync_state, row.sync_reason = state, None
        return changed
    session.add(ImagingStudy(
        id=d["id"], transfer_id=d["transfer_id"], source_sha256=d["sha256"], source_name=d["source_name"],
        kind=d["kind"], modality=d["modality"], description=d["description"], model_name=d["model_name"],
        model_version=d["model_version"], probabilities=json.dumps(d["probabilities"]),
        heat_map_class=d["heat_map_class"], heat_map=json.dumps(d["heat_map"]), created_by=d["author_id"],
        created_at=_ts(d["created_at"]), size_bytes=d["size_bytes"], demonstration=bool(d.get("demonstration")),
        sync_state="synced", sync_reason=None,
        blob_state="remote"))
    return True


_APPLY = {"transfer": _apply_transfer, "booking": _apply_booking, "bed": _apply_bed, "handoff": _apply_handoff,
          "imaging": _apply_imaging}
_Model = type[TransferRecord] | type[BookingRecord] | type[Bed] | type[HandoffRecord] | type[ImagingStudy]
_MODELS: dict[str, _Model] = {
    "transfer": TransferRecord, "booking": BookingRecord, "bed": Bed, "handoff": HandoffRecord,
    "imaging": ImagingStudy}
