"""How a blood request reads on screen (issue 24): the detail beside the queue, and how long it has waited."""

from __future__ import annotations

from datetime import datetime
from html import escape

from emsync_desktop.domain.local_time import clock, day_and_clock
from emsync_desktop.services.blood_views import RequestView, UnitView


def plural(n: int, word: str) -> str:
    """'1 unit', '3 units'."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def waiting_text(since: datetime, now: datetime) -> str:
    minutes = max(int((now - since).total_seconds() // 60), 0)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60:02d} min"


def request_detail_html(request: RequestView) -> str:
    """Who, for whom, what is asked and given, and any refusal, as rich text for a QLabel."""
    lines = [f"<b>{escape(request.patient_name)}</b> · {escape(request.patient_second_id)}",
             f"{escape(request.group_text)}"
             + (" · may bear children (RhD-negative red cells only)" if request.childbearing else ""),
             f"<b>{request.urgency.label}</b>{' · massive transfusion pack' if request.mtp else ''} · "
             f"asked {clock(request.created_at)} for {escape(request.hospital_name)}",
             f"Asked: {escape(request.asked_text)}"]
    if request.reason:
        lines.append(f"Why: {escape(request.reason)}")
    if request.missing:
        lines.append(f"Still needed: {escape(request.missing_text)}")
    if request.units:
        lines.append("Units:<br>" + "<br>".join(unit_line(u) for u in request.units))
    if request.sync_state in ("rejected", "conflict"):
        lines.append(f"<b>Refused by the server:</b> {escape(request.sync_reason or 'no reason given')}")
    elif request.sync_state == "pending":
        lines.append("<i>Waiting to reach the server…</i>")
    return "<br>".join(lines)


def pre_alert_text(request: RequestView) -> str:
    """A crew's pre-alert in a line: 'Blood pre-alert to Lourdes: red cells 6, plasma 6 — sending…' / '— issued'."""
    state = {"pending": "waiting to be sent"}.get(request.sync_state, request.state.value)
    if request.sync_state in ("rejected", "conflict"):
        state = f"refused: {request.sync_reason}"
    return f"Blood pre-alert to {request.hospital_name}: {request.asked_text} — {state}"


def unit_line(unit: UnitView) -> str:
    return (f"&nbsp;&nbsp;{escape(unit.din)} · {escape(str(unit.group))} {escape(unit.component.label.lower())} · "
            f"{unit.state.value} · expires {day_and_clock(unit.expires_at)}")
