"""The blood bank's donor registry on its PC (issue 24): register a donor, record a donation, defer or lift a
deferral; the registry with when each may give again; the call-up list for the groups below par, exported as CSV
(no SMS gateway: the list is what staff phone or hand to one).

Runs on the DB thread. Each change is one transaction with its outbox op, as everywhere; the server keeps the
registry and sends it to this blood bank's staff only."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.blood import Abo, BloodGroup, Component, DinProblem, Donation, check_din
from emsync_desktop.domain.blood_donors import (
    DonorProblem,
    DonorRecord,
    Intervals,
    call_up_list,
    check_donor,
    csv_cell,
    donation_problem,
    intervals_from_days,
    same_donor,
)
from emsync_desktop.domain.ids import new_id
from emsync_desktop.domain.local_time import stamped
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.blood_bank import BloodInputProblem
from emsync_desktop.services.blood_views import BloodViews
from emsync_desktop.services.clock import utc_now
from emsync_desktop.store.database import Store
from emsync_desktop.store.models_blood import DonorRow
from emsync_desktop.sync.outbox import enqueue
from emsync_desktop.sync.protocol import OpKind
from emsync_desktop.sync.protocol_blood import DonorDeferPayload, DonorDonationPayload, DonorRegisterPayload


@dataclass(frozen=True)
class DonorView:
    donor: DonorRecord
    deferral_reason: str
    donations: int
    sync_state: str
    sync_reason: str | None
    eligible_from: datetime | None  # by this blood bank's intervals; None: now
    may_give: bool


@dataclass(frozen=True)
class CallUp:
    short: list[BloodGroup]  # red cell groups below par, the shortest first
    donors: list[DonorRecord]


class DonorService:
    def __init__(self, store: Store, user: UserInfo) -> None:
        self._store = store
        self._user = user

    def register(self, name: str, phone: str, group: BloodGroup, last_given: datetime | None = None,
                 last_kind: Donation | None = None) -> str:
        """A donor on this blood bank's registry; returns their id. Raises BloodInputProblem."""
        try:
            name, phone = check_donor(name, phone)
        except DonorProblem as problem:
            raise BloodInputProblem(str(problem)) from None
        if last_given is not None and last_given > utc_now():
            raise BloodInputProblem("The last donation is in the future: check the date.")
        payload = DonorRegisterPayload(name=name, phone=phone, abo=group.abo.value, rhd_positive=group.rhd_positive,
                                       last_given_at=last_given,
                                       last_kind=(last_kind or Donation.WHOLE_BLOOD).value if last_given else None)
        with self._store.sessions.begin() as session:
            for other in session.scalars(select(DonorRow).where(DonorRow.hospital_id == self._hospital())):
                if same_donor(name, phone, other.name or "", other.phone or ""):
                    raise BloodInputProblem(f"{name} ({phone or 'no phone'}) is on the registry already: record "
                                            "their donation there.")
        donor_id = new_id()
        data: dict[str, object] = {"id": donor_id, "hospital_id": self._hospital(), "abo": group.abo.value,
                "rhd_positive": group.rhd_positive, "last_kind": payload.last_kind, "deferral_reason": "",
                "donations": [], "version": 0}
        with self._store.sessions.begin() as session:
            session.add(DonorRow(id=donor_id, hospital_id=self._hospital(), name=name, phone=phone, abo=group.abo.value,
                                 rhd_positive=group.rhd_positive, last_given_at=last_given, deferred_until=None,
                                 data=json.dumps(data), version=0, sync_state="pending", sync_reason=None))
            enqueue(session, user_id=self._user.id, kind=OpKind.DONOR_REGISTER, entity_id=donor_id, payload=payload,
                    now=utc_now())
        return donor_id

    def record_donation(self, donor_id: str, kind: Donation, din: str = "") -> None:
        """The donor gave now: their next eligible date moves on at once on this PC, and on the server."""
        if din.strip():
            try:
                check_din(din)
            except DinProblem as problem:
                raise BloodInputProblem(str(problem)) from None
        now = utc_now()
        payload = DonorDonationPayload(given_at=now, kind=kind.value, din=din.strip() or None)
        with self._store.sessions.begin() as session:
            row = self._row(session, donor_id)
            data = json.loads(row.data)
            refusal = donation_problem(_view(row, self._intervals()).donor, now, data.get("deferral_reason", ""),
                                       self._intervals())
            if refusal is not None:
                raise BloodInputProblem(refusal)
            row.last_given_at, row.data = now, json.dumps({**data, "last_kind": kind.value})
            row.sync_state, row.sync_reason = "pending", None
            enqueue(session, user_id=self._user.id, kind=OpKind.DONOR_DONATION, entity_id=donor_id, payload=payload,
                    now=now)

    def defer(self, donor_id: str, until: datetime | None, reason: str = "") -> None:
        """May not give before ``until`` (None: lift the deferral). Raises BloodInputProblem."""
        if until is not None and not reason.strip():
            raise BloodInputProblem("Say why the donor is deferred (e.g. 'travel to a malaria area').")
        payload = DonorDeferPayload(until=until, reason=reason.strip())
        with self._store.sessions.begin() as session:
            row = self._row(session, donor_id)
            row.deferred_until = until
            row.data = json.dumps({**json.loads(row.data), "deferral_reason": reason.strip() if until else ""})
            row.sync_state, row.sync_reason = "pending", None
            enqueue(session, user_id=self._user.id, kind=OpKind.DONOR_DEFER, entity_id=donor_id, payload=payload,
                    now=utc_now())

    def registry(self) -> list[DonorView]:
        """This blood bank's donors, by name."""
        intervals = self._intervals()
        with self._store.sessions.begin() as session:
            rows = session.scalars(select(DonorRow).where(DonorRow.hospital_id == self._hospital())).all()
            views = [_view(row, intervals) for row in rows]
        return sorted(views, key=lambda v: v.donor.name.casefold())

    def call_up(self) -> CallUp:
        """Donors to call for the red cell groups below par (the shortest first) who may give now."""
        lines = [line for line in BloodViews(self._store, self._user).stock()
                 if line.component is Component.RED_CELLS and line.short]
        short = [line.group for line in sorted(lines, key=lambda line: -line.short / max(line.par, 1))]
        donors = [v.donor for v in self.registry()]
        return CallUp(short, call_up_list(donors, short, utc_now(), self._intervals()))

    def _intervals(self) -> Intervals:
        return intervals_from_days(BloodViews(self._store, self._user).settings().get("donation_days"))

    def export_call_up(self, target: Path) -> int:
        """Write the call-up list as CSV (UTF-8, for a spreadsheet or an SMS service); returns how many donors."""
        call_up = self.call_up()
        with target.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["name", "phone", "group", "last donation", "list made"])
            made = stamped(utc_now())
            for donor in call_up.donors:
                writer.writerow([csv_cell(donor.name), donor.phone, str(donor.group),  # a phone is digits (checked)
                                 stamped(donor.last_given) if donor.last_given else "never", made])
        return len(call_up.donors)

    def _row(self, session: Session, donor_id: str) -> DonorRow:
        row = session.get(DonorRow, donor_id)
        if row is None:
            raise BloodInputProblem("This donor is not on this PC any more: refresh the registry.")
        return row

    def _hospital(self) -> str:
        if self._user.hospital_id is None:
            raise BloodInputProblem("This account has no hospital: ask an administrator to assign one.")
        return self._user.hospital_id


def _view(row: DonorRow, intervals: Intervals) -> DonorView:
    data = json.loads(row.data)
    kind = data.get("last_kind")
    donor = DonorRecord(row.id, row.name or "", row.phone or "", BloodGroup(Abo(row.abo), row.rhd_positive),
                        row.last_given_at, Donation(kind) if kind else None, row.deferred_until)
    return DonorView(donor, data.get("deferral_reason", ""), len(data.get("donations", [])), row.sync_state,
                     row.sync_reason, donor.eligible_from(intervals), donor.may_give(utc_now(), intervals))
