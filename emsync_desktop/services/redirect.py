"""Coordinator: send an open transfer to another hospital.

The server decides (a bed is scarce): this device only queues the ``transfer.redirect`` op and marks
the transfer as waiting; the new destination, its held bed and the released old bed come back with
the next pull, or the refusal comes back with its reason.

Threading: DB thread. Transactions: one per call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.lifecycle import IllegalTransition, TransferState, redirected_transfer_state
from emsync_desktop.domain.roles import Role, UserInfo
from emsync_desktop.geo.eta import LatLon, haversine_m
from emsync_desktop.services.network import UNITS, network_capacity
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import Hospital, TransferRecord
from emsync_desktop.sync.outbox import enqueue
from emsync_desktop.sync.protocol import OpKind, TransferRedirectPayload


@dataclass(frozen=True)
class RedirectTarget:
    hospital_id: str
    name: str
    free_by_unit: dict[str, int]
    distance_km: float  # from the transfer's current destination, as the crow flies


@dataclass(frozen=True)
class RedirectOptions:
    transfer_id: str
    patient: str
    unit: str
    current_hospital_id: str
    current_name: str
    targets: list[RedirectTarget]  # nearest to the current destination first

    def with_free(self, unit: str) -> list[RedirectTarget]:
        return [t for t in self.targets if t.free_by_unit.get(unit, 0) > 0]


def redirect_options(store: Store, transfer_id: str) -> RedirectOptions:
    """Where the transfer could go instead. Raises ValueError (for people) if it cannot be redirected."""
    capacity = {h.id: h for h in network_capacity(store)}
    with store.sessions.begin() as session:
        transfer = _redirectable(session.get(TransferRecord, transfer_id))
        current = session.get(Hospital, transfer.destination_hospital_id)
        patient, unit = transfer.summary or "Patient", transfer.unit
        here = LatLon(current.lat, current.lon) if current else None
        current_id, current_name = transfer.destination_hospital_id, current.short_name if current else "?"
    targets = [RedirectTarget(h.id, h.short_name, {u: h.units[u].available for u in UNITS if u in h.units},
                              round(haversine_m(here, LatLon(h.lat, h.lon)) / 1000, 1) if here else 0.0)
               for h in capacity.values()]
    targets.sort(key=lambda t: (t.hospital_id == current_id, t.distance_km))
    return RedirectOptions(transfer_id, patient, unit, current_id, current_name, targets)


def redirect_transfer(store: Store, user: UserInfo, transfer_id: str, hospital_id: str, unit: str,
                      reason: str, now: datetime) -> None:
    """Queue the redirect. Raises ValueError with a message for people; nothing is queued then."""
    if user.role not in (Role.COORDINATOR, Role.ADMIN):
        raise ValueError("Only a coordinator can redirect a transfer.")
    if not reason.strip():
        raise ValueError("Give a reason for the redirect, e.g. 'CT down at the destination'; the crew and both "
                         "wards see it.")
    if unit not in UNITS:
        raise ValueError(f"Choose a unit: {', '.join(UNITS)}.")
    with store.sessions.begin() as session:
        transfer = _redirectable(session.get(TransferRecord, transfer_id))
        target = session.get(Hospital, hospital_id)
        if target is None:
            raise ValueError("That hospital is not in the registry on this desk; refresh and choose again.")
        if hospital_id == transfer.destination_hospital_id and unit == transfer.unit:
            raise ValueError(f"The transfer already goes to {target.short_name} {unit}.")
        payload = TransferRedirectPayload(destination_hospital_id=hospital_id, unit=unit,  # type: ignore[arg-type]
                                          booking_id=new_id(), reason=reason.strip())
        enqueue(session, user_id=user.id, kind=OpKind.TRANSFER_REDIRECT, entity_id=transfer.id, now=now,
                payload=payload, base_version=transfer.version)
        transfer.sync_state = "pending"
        transfer.sync_reason = f"redirect to {target.short_name} {unit} waiting for the server"


def _redirectable(transfer: TransferRecord | None) -> TransferRecord:
    if transfer is None:
        raise ValueError("This transfer is no longer on this desk; refresh.")
    try:
        redirected_transfer_state(TransferState(transfer.state))
    except IllegalTransition as exc:
        raise ValueError(str(exc)) from exc
    return transfer
