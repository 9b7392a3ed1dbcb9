"""Old cases looked up on the sync server: transfers that have left this device's scope (closed more than 48 h
ago), listed by the day they were requested, and one opened whole (its bed bookings and SBAR handoffs).

Nothing here is stored on the device: a looked-up case is read, shown and let go. No Qt; the server calls run on a
background thread (the caller's), the names of hospitals and beds are read from the local store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from emsync_desktop.domain.local_time import day_and_clock, local_midnight
from emsync_desktop.domain.sbar import Sbar
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import Bed, Hospital
from emsync_desktop.sync.protocol import Change

_SBAR_SECTIONS = ("situation", "background", "assessment", "recommendation")


@dataclass(frozen=True)
class PastTransfer:
    """One row of a look-up."""

    id: str
    requested_at: datetime | None
    severity: str
    destination: str
    unit: str
    state: str
    summary: str


@dataclass(frozen=True)
class PastCase:
    """A transfer opened whole, as text blocks a person reads top to bottom."""

    transfer: PastTransfer
    steps: tuple[str, ...]  # "04 Dec 07:37  ACCEPTED by Maria (bed ready)"
    bookings: tuple[str, ...]
    handoffs: tuple[str, ...]  # each an SBAR version, acknowledged or not


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants at which ``day`` begins and ends on this machine's clock (a day is 23 to 25 hours)."""
    return local_midnight(day).astimezone(UTC), local_midnight(day + timedelta(days=1)).astimezone(UTC)


class PastTransferNames:
    """Names of hospitals and beds from the device's own copy of the network (read once per look-up)."""

    def __init__(self, store: Store) -> None:
        with store.sessions.begin() as session:
            self.hospitals = {h.id: h.name for h in session.scalars(select(Hospital))}
            self.beds = dict(session.execute(select(Bed.id, Bed.label)).tuples().all())

    def hospital(self, hospital_id: object) -> str:
        return self.hospitals.get(str(hospital_id), "a hospital this device does not know")


def past_transfers(changes: Sequence[Change], names: PastTransferNames) -> list[PastTransfer]:
    return [_past_transfer(c.data, names) for c in changes if c.entity == "transfer"]


def past_case(transfer_id: str, changes: Sequence[Change], names: PastTransferNames) -> PastCase:
    """The case from ``GET /sync/record/transfer/{id}``'s changes. Raises ValueError if the transfer is not there."""
    data = next((c.data for c in changes if c.entity == "transfer" and c.entity_id == transfer_id), None)
    if data is None:
        raise ValueError("The sync server sent no such transfer: search again.")
    bookings = [_booking_line(c.data, names) for c in changes if c.entity == "booking"]
    handoffs = sorted((c.data for c in changes if c.entity == "handoff"), key=lambda d: int(d.get("version") or 0))
    return PastCase(_past_transfer(data, names), tuple(_step_line(s) for s in data.get("history") or []),
                    tuple(bookings), tuple(_handoff_text(h) for h in handoffs))


def _past_transfer(data: dict[str, Any], names: PastTransferNames) -> PastTransfer:
    history = data.get("history") or []
    return PastTransfer(id=str(data["id"]), requested_at=_time(history[0].get("at")) if history else None,
                        severity=str(data.get("severity") or "—"), destination=names.hospital(
                            data.get("destination_hospital_id")),
                        unit=str(data.get("unit") or ""), state=str(data.get("state") or ""),
                        summary=str(data.get("summary") or ""))


def _time(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def _when(text: object) -> str:
    moment = _time(text)
    return day_and_clock(moment) if moment is not None else "time unknown"


def _step_line(step: dict[str, Any]) -> str:
    reason = f" ({step['reason']})" if step.get("reason") else ""
    return f"{_when(step.get('at'))}  {step.get('state', '?')} by {step.get('by_name') or 'someone'}{reason}"


def _booking_line(data: dict[str, Any], names: PastTransferNames) -> str:
    bed = names.beds.get(str(data.get("bed_id")), "no bed") if data.get("bed_id") else "no bed assigned"
    return f"{names.hospital(data.get('hospital_id'))}, {data.get('unit', '')}, {bed}: {data.get('state', '?')}"


def _handoff_text(data: dict[str, Any]) -> str:
    sections = data.get("sections") or {}
    situation, background, assessment, recommendation = (str(sections.get(key) or "—") for key in _SBAR_SECTIONS)
    body = Sbar(situation, background, assessment, recommendation).as_text()
    read = (f"Acknowledged by {data['acknowledged_by_name']} at {_when(data.get('acknowledged_at'))}"
            if data.get("acknowledged_by_name") else "Not acknowledged")
    return f"SBAR version {data.get('version', '?')}, written {_when(data.get('created_at'))}. {read}.\n\n{body}"
