"""Which SBAR a handoff document (PDF, FHIR) carries: the version sent with the case's transfer, which
names the destination, unit, ETA, date, crew and how to reach them; before anything is sent, the
case's live draft, labelled as a draft.

Threading: call on the DbRunner thread (reads the store). No Qt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.local_time import stamped
from emsync_desktop.domain.sbar import Sbar
from emsync_desktop.services.case_views import CaseSnapshot, snapshot_of
from emsync_desktop.services.cases import CaseNotFound
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import HandoffRecord, Hospital, TransferRecord
from emsync_desktop.store.repositories import get_encounter


@dataclass(frozen=True)
class HandoffDocument:
    snapshot: CaseSnapshot
    sbar: Sbar
    heading: str  # "Sent to ICU at Lourdes Hospital, 04 Dec 2026 07:37 IST (UTC+05:30), version 1" or a draft note


def handoff_document(store: Store, case_id: str) -> HandoffDocument:
    with store.sessions.begin() as session:
        row = get_encounter(session, case_id)
        if row is None:
            raise CaseNotFound(f"case {case_id} does not exist on this device")
        return document_of(session, snapshot_of(row))


def document_of(session: Session, snapshot: CaseSnapshot) -> HandoffDocument:
    sent = _latest_sent(session, snapshot.id)
    if sent is None:
        return HandoffDocument(snapshot, snapshot.sbar, "DRAFT: not yet sent to a hospital")
    transfer, handoff = sent
    hospital = session.get(Hospital, transfer.destination_hospital_id)
    where = f"{transfer.unit} at {hospital.name if hospital else 'the hospital'}"
    sections = json.loads(handoff.sections)
    sbar = Sbar(sections["situation"], sections["background"], sections["assessment"], sections["recommendation"])
    return HandoffDocument(snapshot, sbar, f"Sent to {where}, {stamped(handoff.created_at)}, version "
                                           f"{handoff.version} (transfer {transfer.state.lower()})")


def _latest_sent(session: Session, case_id: str) -> tuple[TransferRecord, HandoffRecord] | None:
    row = session.execute(select(TransferRecord, HandoffRecord)
                          .join(HandoffRecord, HandoffRecord.transfer_id == TransferRecord.id)
                          .where(TransferRecord.encounter_id == case_id)
                          .order_by(HandoffRecord.created_at.desc(), HandoffRecord.version.desc()).limit(1)).first()
    return (row[0], row[1]) if row is not None else None
