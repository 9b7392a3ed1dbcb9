"""What every op handler shares: its context, the refusal it raises, the journal of what a batch
appends, the feed records it publishes, and the crew-ownership check.

Contract: handlers run inside the caller's transaction and never commit. They read and write records
through the context (``ctx.get``, ``ctx.insert``, ``ctx.update``, ``ctx.free_bed``); what they append
(feed changes, audit events, stored answers) goes to ``ctx.journal``. Some writes wait in memory
(``pending_writes``) until the next statement: a handler that runs its own SQL uses ``ctx.conn``, which
sends them first. The batch ends with ``ctx.finish()``: pending writes, then the journal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection

from emsync_desktop.domain.lifecycle import TransferState, is_active_transfer
from emsync_desktop.domain.roles import Role
from emsync_desktop.sync.protocol import Alternative, OpResult
from sync_server.answers import Mark
from sync_server.audit import append_audit_events
from sync_server.bed_pool import BedPool, Unit
from sync_server.db import is_sqlite
from sync_server.feed import append_changes, change_values
from sync_server.models import AppliedOp, User
from sync_server.pending_writes import DEFERRED, PendingWrites
from sync_server.rows import (
    BEDS,
    BOOKINGS,
    HOSPITALS,
    TRANSFERS,
    Row,
    all_rows,
    existing_ids,
    first_free_bed,
    free_bed_counts,
    get_row,
    insert_row,
    insert_rows,
    rows_with_ids,
    update_row,
)

_APPLIED: Table = AppliedOp.__table__  # type: ignore[assignment]
_LIVE_BOOKING_STATES = ("HELD", "TENTATIVE")
_LOCK_ENCOUNTERS = text("SELECT pg_advisory_xact_lock(hashtextextended(id, 7)) FROM unnest(CAST(:ids AS text[])) AS id")

JournalMark = tuple[int, int, int]


@dataclass
class Journal:
    """What a batch of ops appends, kept in memory until the batch's transaction ends: one
    statement per table then, not one per op. An op refused after publishing rolls back to the
    ``mark`` taken before it, exactly like its savepoint."""

    changes: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)

    def mark(self) -> JournalMark:
        return len(self.changes), len(self.audit), len(self.answers)

    def rollback_to(self, mark: JournalMark) -> None:
        del self.changes[mark[0]:], self.audit[mark[1]:], self.answers[mark[2]:]

    def write(self, conn: Connection) -> None:
        """Append everything, in order, to the feed, the audit chain and the stored answers."""
        append_changes(conn, self.changes)
        append_audit_events(conn, self.audit)
        insert_rows(conn, _APPLIED, self.answers)
        self.changes, self.audit, self.answers = [], [], []


@dataclass
class OpContext:
    """One batch of ops inside one transaction; ``user`` is whose ops are being applied (the writer
    sets it for each push of a batch it shares among users).

    Handlers read and write records through ``get`` / ``insert`` / ``update`` (never ``conn`` for a
    write): the context remembers, for the batch, which new records' ids exist (``prefetch``), the
    transfers read or written, the free beds locked ahead (``lock_free_beds``), and whether the current
    op has written anything (``wrote``). ``db`` is the bare connection; ``conn`` sends pending writes first.
    """

    db: Connection
    user: User
    now: datetime
    hold_minutes: float
    journal: Journal = field(default_factory=Journal)
    answered: dict[str, OpResult] = field(default_factory=dict)  # op id -> answer, stored or given now
    answered_for: dict[str, str] = field(default_factory=dict)  # op id -> the account whose answer it is
    prepared: set[str] = field(default_factory=set)  # op ids whose stored answers were looked up
    marks: dict[str, list[Mark]] = field(default_factory=dict)  # device -> its accounts' highest marks (answers.py)
    wrote: bool = False
    _free_beds: dict[tuple[str, str], int] | None = None  # (hospital id, unit) -> available beds
    _hospitals: dict[str, Row] | None = None
    _transfers: dict[str, Row] = field(default_factory=dict)
    _looked_up: dict[str, set[str]] = field(default_factory=dict)  # table -> ids whose existence is known
    _existing: dict[str, set[str]] = field(default_factory=dict)  # table -> those of them that exist
    _pending: PendingWrites = field(default_factory=PendingWrites)
    _by_encounter: dict[str, set[str]] = field(default_factory=dict)  # encounter id -> its transfers' ids
    _live_holds: dict[str, str | None] = field(default_factory=dict)  # transfer id -> its HELD/TENTATIVE booking
    _beds: BedPool = field(default_factory=BedPool)

    @property
    def conn(self) -> Connection:
        """The batch's connection, every pending write sent: for any statement a handler runs itself."""
        if self._pending:
            self._pending.flush(self.db)
        return self.db

    def finish(self) -> None:
        """End of the batch (before its commit): send pending writes, then the journal."""
        self.journal.write(self.conn)

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    def prefetch(self, table: Table, ids: list[str]) -> None:
        """Learn in one query which of ``ids`` exist, so ``get`` need not ask about the others."""
        self._looked_up.setdefault(table.name, set()).update(ids)
        self._existing.setdefault(table.name, set()).update(existing_ids(self.conn, table, ids))

    def preload_transfers(self, ids: list[str]) -> None:
        """Read these transfers in one query (the ones a batch's holds and handoffs refer to)."""
        self._looked_up.setdefault(TRANSFERS.name, set()).update(ids)
        for row in rows_with_ids(self.conn, TRANSFERS, ids):
            self._existing.setdefault(TRANSFERS.name, set()).add(row["id"])
            self._transfers.setdefault(row["id"], row)

    def preload_encounters(self, encounter_ids: list[str]) -> None:
        """Learn, in one query, the transfers of these encounters (for the one-active-transfer rule). On
        PostgreSQL the encounters are first locked (transaction advisory locks, in a fixed order), so two
        server processes cannot both see "no active transfer" for one case; SQLite writers are serial."""
        fresh = sorted(set(encounter_ids) - self._by_encounter.keys())
        if not fresh:
            return
        if not is_sqlite(self.conn):
            self.conn.execute(_LOCK_ENCOUNTERS, {"ids": fresh})
        for encounter_id in fresh:
            self._by_encounter[encounter_id] = set()
        for row in rows_with_ids(self.conn, TRANSFERS, fresh, column="encounter_id"):
            self._by_encounter[row["encounter_id"]].add(row["id"])
            self._looked_up.setdefault(TRANSFERS.name, set()).add(row["id"])
            self._existing.setdefault(TRANSFERS.name, set()).add(row["id"])
            self._transfers.setdefault(row["id"], row)

    def transfers_of(self, encounter_id: str) -> list[Row]:
        """The encounter's transfers as this batch left them, oldest first (locked on PostgreSQL as in
        ``preload_encounters``)."""
        self.preload_encounters([encounter_id])
        rows = [self.get(TRANSFERS, transfer_id) for transfer_id in self._by_encounter[encounter_id]]
        return sorted((row for row in rows if row is not None), key=lambda row: (row["created_at"], row["id"]))

    def preload_holds(self, transfer_ids: list[str]) -> None:
        """Learn, in one query, which of these transfers already hold a bed (a transfer holds one at most)."""
        fresh = [t for t in dict.fromkeys(transfer_ids) if t not in self._live_holds]
        if not fresh:
            return
        for transfer_id in fresh:
            self._live_holds[transfer_id] = None
        for row in rows_with_ids(self.conn, BOOKINGS, fresh, column="transfer_id"):
            if row["state"] in _LIVE_BOOKING_STATES:
                self._live_holds[row["transfer_id"]] = row["id"]

    def live_hold_of(self, transfer_id: str) -> str | None:
        """The id of the transfer's booking that holds a bed now (HELD or TENTATIVE), or None."""
        self.preload_holds([transfer_id])
        return self._live_holds[transfer_id]

    def active_transfer_of(self, encounter_id: str) -> Row | None:
        """The encounter's transfer that is PENDING, ACCEPTED or EN_ROUTE, as this batch left it, or None."""
        self.preload_encounters([encounter_id])
        for transfer_id in sorted(self._by_encounter[encounter_id]):
            row = self.get(TRANSFERS, transfer_id)
            if row is not None and is_active_transfer(TransferState(row["state"])):
                return row
        return None

    def get(self, table: Table, row_id: str, *, for_update: bool = False) -> Row | None:
        """The row, or None. ``for_update`` reads (and locks) it afresh; otherwise a transfer read or
        written earlier in the batch comes from memory."""
        name = table.name
        if row_id in self._looked_up.get(name, ()) and row_id not in self._existing[name]:
            return None
        if name == TRANSFERS.name and not for_update and row_id in self._transfers:
            return self._transfers[row_id]
        row = get_row(self.conn, table, row_id, for_update=for_update)
        if row is not None and name == TRANSFERS.name:
            self._transfers[row_id] = row
        return row

    def insert(self, table: Table, values: Row) -> None:
        self.wrote = True
        if ("insert", table.name) in DEFERRED:
            self._pending.insert(table, values)
        else:
            insert_row(self.conn, table, values)
        self._existing.setdefault(table.name, set()).add(values["id"])
        if table.name == TRANSFERS.name:
            self._transfers[values["id"]] = values
            self._by_encounter.setdefault(values["encounter_id"], set()).add(values["id"])
        elif table.name == BOOKINGS.name:
            self._booking_state_changed(values["transfer_id"], values["id"], values["state"])

    def update(self, table: Table, row: Row, values: Row) -> Row:
        """Write ``values`` onto ``row``; returns the row as it is now."""
        self.wrote = True
        if ("update", table.name) in DEFERRED:
            self._pending.update(table, row["id"], values)
        else:
            update_row(self.conn, table, row["id"], values)
        changed = {**row, **values}
        if table.name == TRANSFERS.name:
            self._transfers[row["id"]] = changed
        elif table.name == BEDS.name and "status" in values:
            self._bed_status_changed(row, changed)
        elif table.name == BOOKINGS.name and "state" in values:
            self._booking_state_changed(changed["transfer_id"], changed["id"], changed["state"])
        return changed

    def _booking_state_changed(self, transfer_id: str, booking_id: str, state: str) -> None:
        if transfer_id not in self._live_holds:
            return  # not known yet: ``live_hold_of`` reads it from the database (which has the change)
        if state in _LIVE_BOOKING_STATES:
            self._live_holds[transfer_id] = booking_id
        elif self._live_holds[transfer_id] == booking_id:
            self._live_holds[transfer_id] = None

    def lock_free_beds(self, wanted: dict[Unit, int]) -> None:
        """Lock, in one statement, up to ``n`` free beds of each (hospital id, unit) -> n, for the holds
        of the batch (``free_bed`` then takes from them)."""
        self._beds.load(self.conn, wanted)

    def free_bed(self, hospital_id: str, unit: str) -> Row | None:
        """The free bed of this unit with the lowest label, locked for this transaction, or None.
        Reserving it (``update``) takes it."""
        bed = self._beds.first(hospital_id, unit)
        if isinstance(bed, str):  # ASK: the pool cannot tell
            return first_free_bed(self.conn, hospital_id, unit)
        return bed

    def rolled_back(self) -> None:
        """The current op's savepoint was rolled back: forget the transfers and beds it may have changed."""
        self._transfers.clear()
        self._free_beds = None
        self._beds.clear()
        self._live_holds.clear()

    def hospitals(self) -> list[Row]:
        """Every hospital. Hospitals do not change while ops are applied: read once per batch."""
        if self._hospitals is None:
            self._hospitals = {row["id"]: row for row in all_rows(self.conn, HOSPITALS)}
        return list(self._hospitals.values())

    def hospital(self, hospital_id: str) -> Row | None:
        self.hospitals()
        assert self._hospitals is not None
        return self._hospitals.get(hospital_id)

    def open_hospital(self, hospital_id: str) -> Row:
        """The hospital a patient is sent to or a bed held at: refused when unknown or closed."""
        hospital = self.hospital(hospital_id)
        if hospital is None:
            raise Refused("Unknown hospital: refresh the hospital list and choose again.")
        if hospital["closed"]:
            raise Refused(f"{hospital['short_name']} has closed and takes no patients: choose another hospital.")
        return hospital

    def free_beds(self) -> dict[tuple[str, str], int]:
        """Available beds per (hospital id, unit): read once per batch (one query), then kept up to date
        by ``update``, so the alternatives offered with each refused hold cost no query.
        (Another server process may change them meanwhile: they are suggestions, not decisions.)"""
        if self._free_beds is None:
            self._free_beds = free_bed_counts(self.conn)
        return self._free_beds

    def _bed_status_changed(self, bed: Row, changed: Row) -> None:
        self._beds.changed(changed)
        if self._free_beds is not None and (bed["status"] == "available") != (changed["status"] == "available"):
            key = (bed["hospital_id"], bed["unit"])
            self._free_beds[key] = self._free_beds.get(key, 0) + (1 if changed["status"] == "available" else -1)

    def publish(self, entity: str, data: dict[str, Any], *, hospital_id: str | None,
                owner_user_id: str | None, version: int | None = None) -> None:
        """Append a change of ``data`` (its version: ``version``, else ``data["version"]``) to the feed."""
        version = data["version"] if version is None else version
        self.journal.changes.append(change_values(entity=entity, entity_id=data["id"], version=version,
                                                  data=data, hospital_id=hospital_id, owner_user_id=owner_user_id,
                                                  now=self.now))


class Refused(Exception):
    """Raised by a handler to answer ``rejected`` (or ``conflict``) with a reason."""

    def __init__(self, reason: str, *, status: str = "rejected", current: dict[str, Any] | None = None,
                 alternatives: list[Alternative] | None = None) -> None:
        super().__init__(reason)
        self.status = status
        self.current = current
        self.alternatives = alternatives or []

def require(ctx: OpContext, allowed: set[Role], what: str) -> None:
    if ctx.role not in allowed:
        raise Refused(f"A {ctx.role.value} may not {what}.")

def transfer_data(t: Row) -> dict[str, Any]:
    return {"id": t["id"], "encounter_id": t["encounter_id"], "requested_by": t["requested_by"],
            "destination_hospital_id": t["destination_hospital_id"], "unit": t["unit"], "state": t["state"],
            "version": t["version"], "eta_s": t["eta_s"], "severity": t["severity"], "summary": t["summary"],
            "history": t["history"], "updated_at": t["updated_at"].isoformat()}

def booking_data(b: Row) -> dict[str, Any]:
    expires = b["hold_expires_at"]
    return {"id": b["id"], "transfer_id": b["transfer_id"], "hospital_id": b["hospital_id"], "unit": b["unit"],
            "bed_id": b["bed_id"], "state": b["state"], "version": b["version"],
            "hold_expires_at": expires.isoformat() if expires else None}

def bed_data(b: Row) -> dict[str, Any]:
    return {"id": b["id"], "hospital_id": b["hospital_id"], "unit": b["unit"], "label": b["label"],
            "status": b["status"], "version": b["version"]}

def publish_transfer(ctx: OpContext, t: Row) -> None:
    ctx.publish("transfer", transfer_data(t), hospital_id=t["destination_hospital_id"],
                owner_user_id=t["requested_by"])

def publish_booking(ctx: OpContext, b: Row) -> None:
    ctx.publish("booking", booking_data(b), hospital_id=b["hospital_id"], owner_user_id=b["requested_by"])

def publish_bed(ctx: OpContext, b: Row) -> None:
    ctx.publish("bed", bed_data(b), hospital_id=b["hospital_id"], owner_user_id=None)

def columns_of(record: Any) -> dict[str, Any]:
    """An ORM object's columns as a mapping (for code that seeds through the ORM)."""
    return {column.key: getattr(record, column.key) for column in record.__table__.columns}

def own_transfer(ctx: OpContext, transfer_id: str) -> Row:
    t = ctx.get(TRANSFERS, transfer_id)
    if t is None:  # not refused: the device keeps the op and sends it again after the transfer
        raise Refused("Waiting for its transfer to reach the server.", status="deferred")
    if ctx.role is Role.PARAMEDIC and t["requested_by"] != ctx.user.id:
        raise Refused("This transfer belongs to another crew.")
    return t
