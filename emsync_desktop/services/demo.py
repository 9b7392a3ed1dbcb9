"""Demo data: the Kochi hospital network, demo users and example cases.

Ids are derived (UUIDv5) from names so every demo install, and the sync server's
demo seed, agree on them.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from emsync_desktop.domain.demo_plan import demo_beds
from emsync_desktop.domain.ids import demo_id, new_id
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.paths import RESOURCES_DIR
from emsync_desktop.store.models import Bed, Encounter, Hospital, User, VitalsRecord
from emsync_desktop.store.repositories import count_hospitals

DEMO_NETWORK_FILE = RESOURCES_DIR / "demo_network.json"


def load_network(path: Path = DEMO_NETWORK_FILE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def seed_demo_network(session: Session, network: dict[str, Any] | None = None) -> bool:
    """Insert hospitals, beds and demo users if the store has none. Returns True if seeded."""
    if count_hospitals(session) > 0:
        return False
    network = network or load_network()
    for spec in network["hospitals"]:
        session.add(_hospital(demo_id("hospital", spec["short_name"]), spec))
    session.flush()
    for bed in demo_beds(network):
        session.add(Bed(id=bed.id, hospital_id=bed.hospital_id, unit=bed.unit, label=bed.label, status=bed.status,
                        version=1))
    session.flush()
    for spec in network["users"]:
        session.add(_user(spec))
    return True


def _hospital(hospital_id: str, spec: dict[str, Any]) -> Hospital:
    return Hospital(
        id=hospital_id, name=spec["name"], short_name=spec["short_name"], lat=spec["lat"], lon=spec["lon"],
        address=spec["address"], phone=spec["phone"], capabilities=json.dumps(spec["capabilities"]),
    )


def _user(spec: dict[str, Any]) -> User:
    hospital = spec.get("hospital")
    return User(
        id=demo_id("user", spec["username"]), username=spec["username"], display_name=spec["display_name"],
        role=spec["role"], hospital_id=demo_id("hospital", hospital) if hospital else None,
        ambulance_unit=spec.get("ambulance_unit"), password_hash=None, is_demo=True,
    )


_EXAMPLE_CASES: list[dict[str, Any]] = [
    {"name": "Joseph Thomas", "age_years": 67, "sex": "male", "chief_complaint": "Central chest pain for 40 min",
     "history": "", "allergies": "", "medications": "", "phone": "+91 98470 11223",
     "vitals": [
         {"hr_bpm": 104, "rr_per_min": 22, "spo2_pct": 94, "on_oxygen": False, "sbp_mmhg": 102, "dbp_mmhg": 64,
          "temp_c": 37.1, "consciousness": "A", "gcs": 15, "pain_0_10": 8, "glucose_mg_dl": 212},
         {"hr_bpm": 112, "rr_per_min": 24, "spo2_pct": 93, "on_oxygen": True, "sbp_mmhg": 96, "dbp_mmhg": 60,
          "temp_c": 37.2, "consciousness": "A", "gcs": 15, "pain_0_10": 7, "glucose_mg_dl": 208},
         {"hr_bpm": 118, "rr_per_min": 25, "spo2_pct": 95, "on_oxygen": True, "sbp_mmhg": 92, "dbp_mmhg": 58,
          "temp_c": 37.2, "consciousness": "C", "gcs": 14, "pain_0_10": 7, "glucose_mg_dl": 205},
     ]},
    {"name": "Lakshmi Pillai", "age_years": 34, "sex": "female", "chief_complaint": "Road traffic accident, left leg",
     "history": "", "allergies": "", "medications": "", "phone": "+91 94460 55881",
     "vitals": [{"hr_bpm": 96, "rr_per_min": 18, "spo2_pct": 98, "on_oxygen": False, "sbp_mmhg": 124,
                 "dbp_mmhg": 78, "temp_c": 36.8, "consciousness": "A", "gcs": 15, "pain_0_10": 6}]},
]


def seed_example_cases(session: Session, user: UserInfo, device_id: str) -> list[str]:
    """Two example cases with vitals, for screenshots and demos. Returns their ids."""
    ids = []
    start = utc_now() - timedelta(minutes=35)
    for case_spec in _EXAMPLE_CASES:
        spec = dict(case_spec)
        vitals = spec.pop("vitals")
        encounter = Encounter(id=new_id(), device_id=device_id, created_by=user.id, crew=user.ambulance_unit or "",
                              created_at=start, updated_at=start, status="open", spo2_scale=1, **spec)
        session.add(encounter)
        for i, values in enumerate(vitals):
            taken = start + timedelta(minutes=5 + 10 * i)
            session.add(VitalsRecord(id=new_id(), encounter=encounter, taken_at=taken, recorded_by=user.id,
                                     updated_at=taken, notes="", **values))
        ids.append(encounter.id)
    return ids
