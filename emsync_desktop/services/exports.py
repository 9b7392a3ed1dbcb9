"""Files a user exports: the handoff as FHIR JSON (and PDF bytes made by the UI), capacity as CSV.

Threading: off the GUI thread (DB thread for what reads the store). Files are written atomically
(a temporary file renamed into place), so a crash never leaves half a document.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from emsync_desktop.domain.local_time import to_local
from emsync_desktop.domain.roles import UserInfo
from emsync_desktop.services.clock import utc_now
from emsync_desktop.services.fhir_export import handoff_bundle
from emsync_desktop.services.handoff_doc import handoff_document
from emsync_desktop.services.network import BED_STATUSES, HospitalCapacity, network_capacity
from emsync_desktop.store.database import Store

EXPORTS_DIR = "exports"


def exports_dir(data_dir: Path) -> Path:
    return data_dir / EXPORTS_DIR


def write_atomically(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
    return path


def export_handoff_fhir(store: Store, case_id: str, author: UserInfo, data_dir: Path,
                        now: datetime | None = None, include_phone: bool = False) -> Path:
    """DB thread. The handoff as a FHIR document in the exports folder; the patient's phone number only if
    ``include_phone`` (the crew ticked it)."""
    document = handoff_document(store, case_id)
    bundle = handoff_bundle(document.snapshot, author, now or utc_now(), sbar=document.sbar,
                            include_phone=include_phone)
    target = exports_dir(data_dir) / f"handoff-{case_id}.fhir.json"
    return write_atomically(target, json.dumps(bundle, indent=1, ensure_ascii=False).encode("utf-8"))


def capacity_csv(hospitals: Sequence[HospitalCapacity]) -> str:
    """One row per hospital and unit: beds by status, and the total."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["hospital", "unit", *BED_STATUSES, "total"])
    for h in hospitals:
        for unit in h.units.values():
            writer.writerow([h.name, unit.unit, *(unit.by_status.get(s, 0) for s in BED_STATUSES), unit.total])
    return out.getvalue()


def export_capacity_csv(store: Store, data_dir: Path, now: datetime | None = None) -> Path:
    """The network's capacity now, as CSV in the exports folder (DB thread)."""
    stamp = to_local(now or utc_now()).strftime("%Y%m%d-%H%M%S%z")  # local time, its zone in the name
    text = capacity_csv(network_capacity(store))
    return write_atomically(exports_dir(data_dir) / f"capacity-{stamp}.csv", text.encode("utf-8"))
