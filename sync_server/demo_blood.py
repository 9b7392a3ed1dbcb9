"""Blood stock for the demo server only (issue 24): the demo blood bank's (Lourdes) shelves around their par
levels with a few units close to expiry, a few red cells at every other hospital, and two open requests at
Lourdes, so the blood bank's screens have something to show. Written once, through the change feed like live
changes; a real server never calls this."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from emsync_desktop.domain.blood import Component, ShelfLives, din_check_character
from emsync_desktop.domain.blood_flow import UnitState
from emsync_desktop.domain.blood_par import DEFAULT_PAR
from emsync_desktop.domain.ids import demo_id, new_id
from sync_server.blood_shelf import request_data, unit_data
from sync_server.feed import record_change
from sync_server.handlers.donors import donor_data
from sync_server.models import Hospital, User
from sync_server.models_blood import BloodRequest, BloodUnit, Donor
from sync_server.op_context import columns_of

_REQUESTS = (  # the demo ward's open requests: minutes ago, patient, second id, group, childbearing, urgency, counts
    (6, "Meera Pillai", "1988-07-21", None, True, "emergency", {"red_cells": 6, "plasma": 6, "platelets": 1}),
    (35, "Anil Kumar", "MRN 448812", ("A", True), False, "routine", {"red_cells": 2}),
)


def seed_demo_blood(session: Session, now: datetime, *, seed: int = 24) -> bool:
    """Stock every hospital and open the demo requests, unless the server has blood units already."""
    if session.scalar(select(func.count()).select_from(BloodUnit)):
        return False
    rng = random.Random(seed)
    system = session.scalar(select(User.id).where(User.username == "system"))
    for index, hospital in enumerate(session.scalars(select(Hospital).where(Hospital.closed.is_(False))
                                                     .order_by(Hospital.short_name))):
        demo_ward = hospital.id == demo_id("hospital", "Lourdes")  # the demo blood bank: every component
        for number, ((component, group), par) in enumerate(DEFAULT_PAR.items()):
            if not demo_ward and component is not Component.RED_CELLS:
                continue  # elsewhere red cells only, a few: what the desk's network view needs
            for copy in range(round(par * rng.uniform(0.4, 1.3) * (1 if demo_ward else 0.3))):
                _add_unit(session, hospital.id, f"G{1000 + index:04d}{now:%y}{number * 100 + copy:06d}",
                          component.value, group.abo.value, group.rhd_positive, now, rng, by=system)
    session.flush()
    _add_donors(session, rng, now)
    maria = session.scalar(select(User.id).where(User.username == "maria"))
    if maria is not None:
        for minutes, name, second, patient_group, childbearing, urgency, counts in _REQUESTS:
            _add_request(session, maria, name, second, patient_group, childbearing, urgency, counts,
                         now - timedelta(minutes=minutes))
    return True


def _add_unit(session: Session, hospital_id: str, din: str, component: str, abo: str, rhd: bool, now: datetime,
              rng: random.Random, *, by: str | None) -> None:
    shelf_life = ShelfLives().of(Component(component))
    collected = now - shelf_life * rng.uniform(0.05, 0.97)  # some close to expiry
    unit = BloodUnit(id=new_id(), hospital_id=hospital_id, din=din, product_code="E0000V00", component=component,
                     abo=abo, rhd_positive=rhd, volume_ml=280 if component == "red_cells" else 220,
                     collected_at=collected, expires_at=collected + shelf_life, location="Demo fridge",
                     state=UnitState.AVAILABLE.value, request_id=None,
                     history=[{"at": now.isoformat(), "by": "Demo", "by_id": by, "state": "available",
                               "reason": f"demo stock (check character {din_check_character(din)})"}],
                     version=1, updated_at=now)
    session.add(unit)
    record_change(session, entity="blood_unit", entity_id=unit.id, version=1, data=unit_data(columns_of(unit)),
                  hospital_id=hospital_id, owner_user_id=None, now=now)


def _add_request(session: Session, user_id: str, name: str, second: str, group: tuple[str, bool] | None,
                 childbearing: bool, urgency: str, counts: dict[str, int], at: datetime) -> None:
    request = BloodRequest(id=new_id(), hospital_id=demo_id("hospital", "Lourdes"), transfer_id=None,
                           requested_by=user_id, patient_name=name, patient_second_id=second,
                           abo=group[0] if group else None, rhd_positive=group[1] if group else None,
                           childbearing=childbearing, urgency=urgency, mtp=urgency == "emergency", counts=counts,
                           reason="demo request", state="open", units=[], created_at=at, updated_at=at,
                           history=[{"at": at.isoformat(), "by": "Maria Joseph", "by_id": user_id, "state": "open",
                                     "reason": "demo request"}], version=1)
    session.add(request)
    session.flush()
    record_change(session, entity="blood_request", entity_id=request.id, version=1,
                  data=request_data(columns_of(request)), hospital_id=request.hospital_id, owner_user_id=user_id,
                  now=at)


_DONOR_NAMES = ("Anu Mathew", "Biju Paul", "Deepak Menon", "Fathima Rasheed", "George Kurian", "Hari Krishnan",
                "Indu Nair", "Jacob Thomas", "Kavya Raj", "Liya Joseph", "Manoj Pillai", "Nisha Varghese",
                "Praveen Das", "Reshma Ali")


def _add_donors(session: Session, rng: random.Random, now: datetime) -> None:
    """The demo blood bank's registry: made-up donors (phones in the reserved +91 00000 range) of every common
    group, some rested, some who gave weeks ago, one deferred."""
    lourdes = demo_id("hospital", "Lourdes")
    for n, name in enumerate(_DONOR_NAMES):
        abo, rhd = [("O", False), ("O", True), ("B", True), ("A", True), ("AB", True), ("O", False)][n % 6]
        last = now - timedelta(weeks=rng.choice([3, 6, 10, 20, 30])) if n % 5 else None
        donor = Donor(id=new_id(), hospital_id=lourdes, name=name, phone=f"+91 00000 {10001 + n}",
                      abo=abo, rhd_positive=rhd, last_given_at=last, last_kind="whole_blood" if last else None,
                      deferred_until=now + timedelta(days=20) if n == 7 else None,
                      deferral_reason="demo: travel to a malaria area" if n == 7 else "", donations=[], version=1,
                      updated_at=now)
        session.add(donor)
        record_change(session, entity="donor", entity_id=donor.id, version=1, data=donor_data(columns_of(donor)),
                      hospital_id=lourdes, owner_user_id=None, now=now)

