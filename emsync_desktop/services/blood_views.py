"""What the blood bank's screens show (issue 24): the request queue by urgency, one request with its units, stock
against par levels, units expiring, a unit found by its number, and the network's O negative for the desk.

Runs on the DB thread; reads only. Times are the device's clock (``utc_now``): a unit past its expiry shows as
expired here before the server hears of it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from emsync_desktop.domain.blood import (
    Abo,
    BloodGroup,
    Component,
    PackRatio,
    StockLine,
    StockUnit,
    check_din,
    counts_text,
    stock_levels,
)
from emsync_desktop.domain.blood_flow import RequestState, UnitState, Urgency, outstanding, shown_state
from emsync_desktop.domain.blood_par import DEFAULT_PAR, Par, par_from_lines
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.clock import utc_now
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import Hospital
from emsync_desktop.store.models_blood import BloodParRow, BloodRequestRecord, BloodUnitRecord

_OPEN = (RequestState.OPEN.value, RequestState.ALLOCATED.value, RequestState.ISSUED.value)


@dataclass(frozen=True)
class UnitView:
    id: str
    din: str
    component: Component
    group: BloodGroup
    expires_at: datetime
    state: UnitState  # as shown: EXPIRED once past its expiry
    location: str
    request_id: str | None
    product_code: str
    volume_ml: int
    sync_state: str
    sync_reason: str | None
    history: list[dict[str, Any]]
    stored_state: UnitState  # as the server (or this device's queued change) has it; ``state`` is as shown


@dataclass(frozen=True)
class RequestView:
    id: str
    hospital_id: str
    hospital_name: str
    urgency: Urgency
    patient_name: str
    patient_second_id: str
    group: BloodGroup | None
    childbearing: bool
    counts: dict[Component, int]
    missing: dict[Component, int]
    state: RequestState
    created_at: datetime
    mtp: bool
    reason: str
    transfer_id: str | None
    units: list[UnitView]
    sync_state: str
    sync_reason: str | None
    history: list[dict[str, Any]]

    @property
    def group_text(self) -> str:
        return str(self.group) if self.group else "group unknown"

    @property
    def asked_text(self) -> str:
        return counts_text(self.counts)

    @property
    def missing_text(self) -> str:
        return counts_text(self.missing)


@dataclass(frozen=True)
class NetworkStock:
    hospital_name: str
    o_negative_red_cells: int
    red_cells: int
    expiring: int


class BloodViews:
    def __init__(self, store: Store, user: UserInfo) -> None:
        self._store = store
        self._user = user

    def queue(self) -> list[RequestView]:
        """Open requests at this blood bank (or, for a nurse, of her hospital; for a crew, their own): those still
        waiting for the blood bank first, the most urgent first, then the oldest; issued ones last."""
        query = select(BloodRequestRecord).where(BloodRequestRecord.state.in_(_OPEN))
        if self._user.hospital_id is not None:
            query = query.where(BloodRequestRecord.hospital_id == self._user.hospital_id)
        elif self._user.role.value == "paramedic":
            query = query.where(BloodRequestRecord.requested_by == self._user.id)
        with self._store.sessions.begin() as session:
            names = _hospital_names(session)
            views = [_request_view(session, r, names) for r in session.scalars(query)]
        return sorted(views, key=lambda v: (v.state is RequestState.ISSUED, v.urgency, v.created_at))

    def request(self, request_id: str) -> RequestView | None:
        with self._store.sessions.begin() as session:
            record = session.get(BloodRequestRecord, request_id)
            return None if record is None else _request_view(session, record, _hospital_names(session))

    def requests_of_transfer(self, transfer_id: str) -> list[RequestView]:
        with self._store.sessions.begin() as session:
            names = _hospital_names(session)
            records = session.scalars(select(BloodRequestRecord).where(BloodRequestRecord.transfer_id == transfer_id))
            return sorted((_request_view(session, r, names) for r in records), key=lambda v: v.created_at)

    def stock(self, par: dict[tuple[Component, BloodGroup], int] | None = None) -> list[StockLine]:
        """This blood bank's available units per component and group against its par levels."""
        now = utc_now()
        units = [StockUnit(u.id, u.component, u.group, u.expires_at) for u in self._units(UnitState.AVAILABLE)
                 if u.history or u.sync_state not in ("rejected", "conflict")]  # a refused registration: no stock
        return stock_levels(units, self.par() if par is None else par, now)

    def settings(self) -> dict[str, Any]:
        """This blood bank's pack and donors' intervals as set (``{"pack": …, "donation_days": …}``, None each:
        the defaults)."""
        with self._store.sessions.begin() as session:
            row = session.get(BloodParRow, self._user.hospital_id or "")
            return dict(json.loads(row.settings)) if row is not None else {}

    def pack(self) -> PackRatio:
        """The massive-transfusion pack of this user's hospital's blood bank (else 6 : 6 : 1)."""
        pack = self.settings().get("pack")
        return PackRatio(**pack) if pack else PackRatio()

    def par(self) -> Par:
        """This blood bank's par levels as set (and synced), else the defaults (``domain.blood_par``)."""
        with self._store.sessions.begin() as session:
            row = session.get(BloodParRow, self._user.hospital_id or "")
            return par_from_lines(json.loads(row.levels)) if row is not None else dict(DEFAULT_PAR)

    def shelf(self) -> list[UnitView]:
        """Units at this hospital not yet used up, the first to expire first (expired ones included: to discard)."""
        views = [u for state in (UnitState.AVAILABLE, UnitState.RESERVED, UnitState.QUARANTINED,
                                 UnitState.RETURNED, UnitState.ISSUED) for u in self._units(state)]
        return sorted(views, key=lambda u: u.expires_at)

    def find_unit(self, text: str) -> UnitView | None:
        """The unit whose donation number was typed or scanned; raises DinProblem for a number that cannot be."""
        din = check_din(text)
        with self._store.sessions.begin() as session:
            record = session.scalars(select(BloodUnitRecord).where(BloodUnitRecord.din == din)).first()
            return None if record is None else _unit_view(record, utc_now())

    def network(self) -> list[NetworkStock]:
        """Every hospital's red cells on the shelf, O negative apart (the desk: who can give O negative)."""
        now = utc_now()
        with self._store.sessions.begin() as session:
            names = _hospital_names(session)
            records = session.scalars(select(BloodUnitRecord).where(
                BloodUnitRecord.state == UnitState.AVAILABLE.value, BloodUnitRecord.expires_at > now,
                BloodUnitRecord.component == Component.RED_CELLS.value)).all()
        by_hospital: dict[str, list[BloodUnitRecord]] = {}
        for record in records:
            by_hospital.setdefault(record.hospital_id, []).append(record)
        lines = [NetworkStock(names.get(h, "?"), sum(1 for u in us if u.abo == "O" and not u.rhd_positive), len(us),
                              sum(1 for u in us if (u.expires_at - now).total_seconds() <= 48 * 3600))
                 for h, us in by_hospital.items()]
        return sorted(lines, key=lambda n: (-n.o_negative_red_cells, n.hospital_name))

    def other_hospitals(self) -> list[tuple[str, str]]:
        """(id, name) of every open hospital but this user's, by name: where a unit may be sent."""
        with self._store.sessions.begin() as session:
            rows = session.scalars(select(Hospital).where(Hospital.id != (self._user.hospital_id or ""),
                                                          Hospital.closed.is_(False))).all()
            return sorted(((h.id, h.short_name) for h in rows), key=lambda pair: pair[1])

    def _units(self, state: UnitState) -> list[UnitView]:
        query = select(BloodUnitRecord).where(BloodUnitRecord.state == state.value)
        if self._user.hospital_id is not None:
            query = query.where(BloodUnitRecord.hospital_id == self._user.hospital_id)
        now = utc_now()
        with self._store.sessions.begin() as session:
            return [_unit_view(u, now) for u in session.scalars(query)]


def _hospital_names(session: Any) -> dict[str, str]:
    return {h.id: h.short_name for h in session.scalars(select(Hospital))}


def _unit_view(record: BloodUnitRecord, now: datetime) -> UnitView:
    data = json.loads(record.data)
    return UnitView(record.id, record.din, Component(record.component),
                    BloodGroup(Abo(record.abo), record.rhd_positive), record.expires_at,
                    shown_state(UnitState(record.state), record.expires_at, now), data.get("location", ""),
                    record.request_id, data.get("product_code", ""), int(data.get("volume_ml", 0)), record.sync_state,
                    record.sync_reason, list(data.get("history", [])), UnitState(record.state))


def _request_view(session: Any, record: BloodRequestRecord, names: dict[str, str]) -> RequestView:
    data = json.loads(record.data)
    counts = {Component(c): int(n) for c, n in data["counts"].items()}
    given = [(Component(u["component"]), UnitState(u["state"])) for u in data.get("units", [])]
    unit_ids = [u["id"] for u in data.get("units", [])]
    units = [_unit_view(u, utc_now()) for u in session.scalars(
        select(BloodUnitRecord).where(BloodUnitRecord.id.in_(unit_ids)))] if unit_ids else []
    group = BloodGroup(Abo(data["abo"]), bool(data["rhd_positive"])) if data.get("abo") else None
    return RequestView(record.id, record.hospital_id, names.get(record.hospital_id, "?"),
                       Urgency[record.urgency.upper()], record.patient_name or "", record.patient_second_id or "",
                       group, bool(data.get("childbearing")), counts, outstanding(counts, given),
                       RequestState(record.state), record.created_at, bool(data.get("mtp")), data.get("reason", ""),
                       record.transfer_id, units, record.sync_state, record.sync_reason, list(data.get("history", [])))
