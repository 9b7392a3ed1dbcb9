"""The crew's device reports where the ambulance is while its transfers are under way (issue 29).

``record_position`` runs on the DB thread, one transaction: for each active transfer this crew requested, the
fix is queued as a ``transfer.position`` op when ``report_due`` says so. Only the newest unsent report per
transfer waits: an older one still pending is marked ``SUPERSEDED`` (kept, never sent; the outbox never deletes
a row, so no ``device_seq`` is ever used twice). Reports stop when the transfer ends (it is no longer active).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.lifecycle import ACTIVE_TRANSFER_STATES
from emsync_desktop.domain.positions import report_due
from emsync_desktop.geo.eta import LatLon, haversine_m
from emsync_desktop.geo.position import Fix
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import OutboxOp, TransferRecord
from emsync_desktop.sync.outbox import PENDING, SUPERSEDED, enqueue
from emsync_desktop.sync.protocol import OpKind, TransferPositionPayload

_RECENT_REPORTS = 200  # the newest position ops read to find each transfer's last report (a crew has few transfers)


@dataclass(frozen=True)
class _LastReport:
    op: OutboxOp
    point: LatLon
    at: datetime


def record_position(store: Store, user_id: str, fix: Fix, now: datetime) -> list[str]:
    """Queue ``fix`` for every transfer of ``user_id`` under way that is due a report; returns their ids."""
    with store.sessions.begin() as session:
        transfers = list(session.scalars(select(TransferRecord.id).where(
            TransferRecord.requested_by == user_id, TransferRecord.sync_state != "rejected",
            TransferRecord.state.in_([s.value for s in ACTIVE_TRANSFER_STATES]))))
        if not transfers:
            return []
        last = _last_reports(session)
        reported = [t for t in transfers if _report(session, user_id, t, last.get(t), fix, now)]
        return reported


def _report(session: Session, user_id: str, transfer_id: str, last: _LastReport | None, fix: Fix,
            now: datetime) -> bool:
    since_s = None if last is None else (fix.at - last.at).total_seconds()
    moved_m = None if last is None else haversine_m(last.point, fix.point)
    if not report_due(since_s, moved_m):
        return False
    if last is not None and last.op.state == PENDING:
        last.op.state = SUPERSEDED
    payload = TransferPositionPayload(transfer_id=transfer_id, lat=fix.point.lat, lon=fix.point.lon, at=fix.at,
                                      source=fix.source[:32])
    enqueue(session, user_id=user_id, kind=OpKind.TRANSFER_POSITION, entity_id=new_id(), payload=payload, now=now)
    return True


def _last_reports(session: Session) -> dict[str, _LastReport]:
    """Each transfer's newest position report on this device (pending, superseded or answered)."""
    found: dict[str, _LastReport] = {}
    for op in session.scalars(select(OutboxOp).where(OutboxOp.kind == OpKind.TRANSFER_POSITION.value)
                              .order_by(OutboxOp.device_seq.desc()).limit(_RECENT_REPORTS)):
        payload = json.loads(op.payload)
        if payload["transfer_id"] not in found:
            found[payload["transfer_id"]] = _LastReport(op, LatLon(payload["lat"], payload["lon"]),
                                                        datetime.fromisoformat(payload["at"]))
    return found
