"""Ops on the case record: timeline stamps, drugs given, procedures done, SAMPLE history (append-only).

Who writes: the case's crew only, the account that owns the encounter on the server (``EncounterCrew``):
claimed by its first record entry, or, when a transfer reached the server first, the account that
requested the case's first transfer. Who reads (the pull feed): that crew, coordinators and admins, and
the nurses of the hospital the case is going to (its active transfer, else the one it arrived at);
entries written before a transfer existed, or before a redirect, are published again to its new
hospital (``republish_records``). docs/decisions.md says why. A 12-lead ECG entry may cite an attached
file by hash (``file_sha256``): its author sends it after the entry, and whoever the feed gave the entry
may fetch it (``blob_access``).
"""

from __future__ import annotations

from typing import Any

from emsync_desktop.domain.lifecycle import TransferState
from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import RECORD_ENTITIES, Op, RecordProcedurePayload, RecordTimelinePayload
from sync_server.op_context import OpContext, Refused, require
from sync_server.rows import CREWS, RECORDS, Row, insert_row, rows_where, rows_with_ids

_ARRIVED = (TransferState.ARRIVED.value, TransferState.COMPLETED.value)


def add(ctx: OpContext, op: Op, p: Any) -> int:
    """Every check first, then the writes (the crew's claim, the entry): a refusal has nothing to undo."""
    require(ctx, {Role.PARAMEDIC}, "add to a patient's record")
    encounter_id: str = p.encounter_id
    crew, claimed = _crew_of(ctx, encounter_id)
    if crew != ctx.user.id:
        raise Refused("This case belongs to another crew: only its crew may add to its record.")
    if ctx.get(RECORDS, op.entity_id) is not None:
        raise Refused("This record entry exists already.", status="conflict")
    if isinstance(p, RecordTimelinePayload) and p.replaces is not None:
        _check_replaced(ctx, p)
    if not claimed:
        ctx.wrote = True
        insert_row(ctx.conn, CREWS, {"encounter_id": encounter_id, "user_id": ctx.user.id, "claimed_at": ctx.now})
    entry = {"id": op.entity_id, "encounter_id": encounter_id, "kind": RECORD_ENTITIES[op.kind.value],
             "data": {**p.model_dump(mode="json", exclude={"encounter_id"}), "author_name": ctx.user.display_name},
             "author_id": ctx.user.id,
             "created_at": ctx.now,
             "file_sha256": p.extras.ecg_sha256 if isinstance(p, RecordProcedurePayload) else None}
    ctx.insert(RECORDS, entry)
    _publish(ctx, entry, _hospital_of(ctx, encounter_id))
    return 1


def _crew_of(ctx: OpContext, encounter_id: str) -> tuple[str, bool]:
    """The account owning the encounter, and whether that is stored already. ``transfers_of`` locks the
    encounter first on PostgreSQL, so two server processes cannot both claim it."""
    transfers = ctx.transfers_of(encounter_id)
    stored = rows_with_ids(ctx.conn, CREWS, [encounter_id], column="encounter_id")
    if stored:
        return str(stored[0]["user_id"]), True
    return (str(transfers[0]["requested_by"]) if transfers else ctx.user.id), False


def _check_replaced(ctx: OpContext, p: RecordTimelinePayload) -> None:
    assert p.replaces is not None
    replaced = ctx.get(RECORDS, p.replaces)
    if replaced is None:  # not refused: the device sends it again once the stamp it edits is here
        raise Refused("Waiting for the stamp it corrects to reach the server.", status="deferred")
    if (replaced["kind"] != "timeline" or replaced["encounter_id"] != p.encounter_id
            or replaced["data"].get("step") != p.step.value):
        raise Refused("An edit must correct a stamp of the same step of the same case.")


def _hospital_of(ctx: OpContext, encounter_id: str) -> str | None:
    """Where the case is going: its active transfer's hospital, else the one it arrived at, else None."""
    active = ctx.active_transfer_of(encounter_id)
    if active is not None:
        return str(active["destination_hospital_id"])
    arrived = [t for t in ctx.transfers_of(encounter_id) if t["state"] in _ARRIVED]
    return str(arrived[-1]["destination_hospital_id"]) if arrived else None


def record_data(entry: Row) -> dict[str, Any]:
    return {"id": entry["id"], "encounter_id": entry["encounter_id"], **entry["data"],
            "author_id": entry["author_id"], "created_at": entry["created_at"].isoformat()}


def _publish(ctx: OpContext, entry: Row, hospital_id: str | None) -> None:
    ctx.publish(str(entry["kind"]), record_data(entry), hospital_id=hospital_id, owner_user_id=entry["author_id"],
                version=1)


def republish_records(ctx: OpContext, transfer: Row) -> None:
    """A case's transfer now goes to ``transfer``'s hospital (requested, or redirected): its record so
    far is published to that hospital's wards too (the feed is scoped by hospital)."""
    for entry in rows_where(ctx.conn, RECORDS, "encounter_id", transfer["encounter_id"]):
        _publish(ctx, entry, transfer["destination_hospital_id"])
