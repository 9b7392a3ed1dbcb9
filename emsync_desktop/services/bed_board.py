"""The ward's bed board: every bed of the nurse's hospital, and changing a bed's status.

Threading: DB thread only. Transactions: ``set_status`` changes the bed and queues its
``bed.set_status`` op (with the version it was based on) in one transaction; the server decides, and a
refusal or a conflict (someone changed the bed meanwhile) is shown on that bed with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.beds import BedChangeRefused, BedStatus, check_manual_change
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.clock import utc_now
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import Bed, Hospital, OutboxOp
from emsync_desktop.sync.outbox import enqueue
from emsync_desktop.sync.protocol import BedSetStatusPayload, OpKind


@dataclass(frozen=True)
class BedView:
    id: str
    unit: str
    label: str
    status: BedStatus
    waiting: bool  # a change of this bed has not reached the server yet
    problem: str | None  # the server refused the last change: why


@dataclass(frozen=True)
class BedBoard:
    hospital: str
    beds: tuple[BedView, ...]  # by unit, then label

    def units(self) -> list[str]:
        return list(dict.fromkeys(b.unit for b in self.beds))


class BedBoardService:
    def __init__(self, store: Store, user: UserInfo, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._user = user
        self._clock = clock

    def board(self) -> BedBoard:
        with self._store.sessions.begin() as session:
            return _board(session, self._user.hospital_id)

    def set_status(self, bed_id: str, status: BedStatus) -> BedBoard:
        """Raises ``BedChangeRefused`` (nothing written) when the change is not allowed."""
        with self._store.sessions.begin() as session:
            bed = session.get(Bed, bed_id)
            if bed is None or bed.hospital_id != self._user.hospital_id:
                raise BedChangeRefused("This bed is not on your ward's board.")
            check_manual_change(BedStatus(bed.status), status)
            if bed.status != status.value:
                enqueue(session, user_id=self._user.id, kind=OpKind.BED_SET_STATUS, entity_id=bed.id,
                        payload=BedSetStatusPayload(status=status.value), now=self._clock(),
                        base_version=bed.version)
                bed.status = status.value
            session.flush()
            return _board(session, self._user.hospital_id)


def _board(session: Session, hospital_id: str | None) -> BedBoard:
    hospital = session.get(Hospital, hospital_id) if hospital_id else None
    if hospital is None:
        return BedBoard("", ())
    beds = session.scalars(select(Bed).where(Bed.hospital_id == hospital.id).order_by(Bed.unit, Bed.label)).all()
    ops = session.scalars(select(OutboxOp).where(OutboxOp.kind == OpKind.BED_SET_STATUS.value,
                                                 OutboxOp.entity_id.in_([b.id for b in beds]))
                          .order_by(OutboxOp.device_seq)).all()
    last = {op.entity_id: op for op in ops}  # the latest change of each bed
    return BedBoard(hospital.name, tuple(
        BedView(b.id, b.unit, b.label, BedStatus(b.status), last[b.id].state == "pending" if b.id in last else False,
                last[b.id].reason if b.id in last and last[b.id].state in ("rejected", "conflict") else None)
        for b in beds))
