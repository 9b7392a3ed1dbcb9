"""Every open transfer in the network, as the coordinator's desk sees it: state, age, destination, ETA,
and what needs attention (a bed hold about to lapse, a refused bed).

Threading: DB thread. Reads only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from emsync_desktop.domain.lifecycle import TransferState, is_active_transfer, is_terminal_transfer
from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.positions import LiveEta, live_eta_text, position_stale
from emsync_desktop.domain.transfer_news import is_redirect
from emsync_desktop.geo.map_page import AmbulancePin
from emsync_desktop.services.ward import AmbulanceFix, ambulance_fix, eta_countdown
from emsync_desktop.store.database import Store
from emsync_desktop.store.models import AmbulancePosition, BookingRecord, Hospital, TransferRecord

HOLD_WARNING = timedelta(minutes=5)


@dataclass(frozen=True)
class OpenTransfer:
    id: str
    patient: str
    severity: str | None
    state: str
    destination: str
    unit: str
    age_min: int
    eta: str
    bed: str
    attention: str | None  # "hold lapses in 3 min", "bed refused: …"; None when all is well
    note: str = ""  # the latest redirect: "↪ by Rahul Nair at 14:40 from Lourdes: cath lab down"
    ambulance: AmbulanceFix | None = None  # where the ambulance last was (None: no position reported)

    @property
    def under_way(self) -> bool:
        """Whether its ambulance still reports where it is (positions stop on arrival)."""
        return is_active_transfer(TransferState(self.state))


def open_transfers(store: Store, now: datetime) -> list[OpenTransfer]:
    """Those needing attention first, then the oldest. Reads open transfers only (by the state index) and
    their newest bookings in one query: the cost follows what is shown, not the history synced."""
    with store.sessions.begin() as session:
        hospitals = {h.id: h for h in session.scalars(select(Hospital))}
        names = {h.id: h.short_name for h in hospitals.values()}
        transfers = list(session.scalars(select(TransferRecord).where(TransferRecord.state.in_(OPEN_STATES))))
        bookings = _newest_bookings(session, [t.id for t in transfers])
        positions = _positions(session, [t.id for t in transfers])
        result = [_open_transfer(t, bookings.get(t.id), names, now,
                                 ambulance_fix(positions.get(t.id), hospitals.get(t.destination_hospital_id)))
                  for t in transfers]
    return sorted(result, key=lambda o: (o.attention is None, -o.age_min))


OPEN_STATES = tuple(state.value for state in TransferState if not is_terminal_transfer(state))


def _newest_bookings(session: Session, transfer_ids: list[str]) -> dict[str, BookingRecord]:
    newest: dict[str, BookingRecord] = {}
    if not transfer_ids:
        return newest
    for booking in session.scalars(select(BookingRecord).where(BookingRecord.transfer_id.in_(transfer_ids))
                                   .order_by(BookingRecord.updated_at)):
        newest[booking.transfer_id] = booking  # the later one replaces the earlier
    return newest


def _positions(session: Session, transfer_ids: list[str]) -> dict[str, AmbulancePosition]:
    if not transfer_ids:
        return {}
    return {p.id: p for p in session.scalars(select(AmbulancePosition).where(AmbulancePosition.id.in_(transfer_ids)))}


def _open_transfer(t: TransferRecord, booking: BookingRecord | None, names: dict[str, str],
                   now: datetime, ambulance: AmbulanceFix | None = None) -> OpenTransfer:
    history = json.loads(t.history)
    requested = datetime.fromisoformat(history[0]["at"]) if history else t.updated_at
    due = requested + timedelta(seconds=t.eta_s) if t.eta_s is not None else None
    return OpenTransfer(
        id=t.id, patient=t.summary or "Patient", severity=t.severity, state=t.state,
        destination=names.get(t.destination_hospital_id, "?"), unit=t.unit,
        age_min=max(0, int((now - requested).total_seconds() // 60)), eta=eta_countdown(due, now),
        bed=booking.state if booking else "none", attention=_attention(t, booking, now) or _lost(t, ambulance, now),
        note=_redirect_note(history, names), ambulance=ambulance)


def _redirect_note(history: list[dict[str, str]], names: dict[str, str]) -> str:
    step = next((s for s in reversed(history) if is_redirect(s)), None)
    if step is None:
        return ""
    why = step.get("reason", "").partition(": ")[2]
    origin = names.get(step.get("redirected_from", ""), "another hospital")
    return f"↪ from {origin} by {step.get('by_name')} at {clock(datetime.fromisoformat(step['at']))}: {why}"


def _lost(t: TransferRecord, ambulance: AmbulanceFix | None, now: datetime) -> str | None:
    """An ambulance under way whose position stopped coming: worth a call to the crew."""
    if ambulance is None or not is_active_transfer(TransferState(t.state)) or not position_stale(ambulance.at, now):
        return None
    return f"no position since {clock(ambulance.at)}"


def _attention(t: TransferRecord, booking: BookingRecord | None, now: datetime) -> str | None:
    if t.sync_state in ("rejected", "conflict"):
        return f"refused: {t.sync_reason or 'by the server'}"
    if t.sync_state == "pending" and t.sync_reason:
        return t.sync_reason  # e.g. a redirect queued on this desk
    if booking is None:
        return None
    if booking.state == "REJECTED":
        return f"bed refused: {booking.sync_reason or 'no bed'}"
    if booking.state == "EXPIRED":  # the transfer is still open, with no bed held for the patient
        return "bed hold lapsed: no bed is held for this patient"
    if booking.state == "HELD" and booking.hold_expires_at is not None and booking.hold_expires_at - now < HOLD_WARNING:
        left = max(0, int((booking.hold_expires_at - now).total_seconds() // 60))
        return f"hold lapses in {left} min"
    return None


LiveLookup = Callable[[str], LiveEta | None]


def arrival_text(t: OpenTransfer, live: LiveLookup, now: datetime) -> str:
    """From the ambulance's newest position when there is one ("arrives in 7 min (updated 20 s ago, …)",
    "position unknown since 14:02"), else the ETA the crew gave when sending."""
    if t.ambulance is None or not t.under_way:
        return t.eta
    known = live(t.id)
    if known is not None and known.position_at >= t.ambulance.at:
        return live_eta_text(known, now)
    if position_stale(t.ambulance.at, now):  # never routed in time: still no confident time
        return live_eta_text(LiveEta(None, t.ambulance.at, t.ambulance.source), now)
    return t.eta  # the newest position is being routed (a moment)


def fleet_pins(transfers: list[OpenTransfer], live: LiveLookup, now: datetime) -> list[AmbulancePin]:
    """Every ambulance with a reported position, labelled short for the map ("Lourdes ICU · 7 min", "Amrita ICU ·
    no position since 14:02"; the table says how fresh)."""
    return [AmbulancePin(t.id, t.ambulance.point.lat, t.ambulance.point.lon,
                         f"{t.destination} {t.unit} · {_short(arrival_text(t, live, now))}",
                         stale=position_stale(t.ambulance.at, now))
            for t in transfers if t.ambulance is not None and t.under_way]


def _short(arrival: str) -> str:
    text = arrival.split(" (")[0]
    return text.removeprefix("arrives in ").replace("position unknown since", "no position since")
