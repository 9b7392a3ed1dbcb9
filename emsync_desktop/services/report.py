"""The coordinator's daily and weekly reports (issue 25): what goes in them, gathered on the DB thread, and the
report's text as HTML. The desk draws the charts with the Forecasts tab's own code and writes the PDF
(``ui.coordinator.report_pdf``); nothing here imports Qt.

Periods are UTC days, today included (as the Case mix tab counts them): a daily report covers yesterday and today
so far, a weekly one the last seven days.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from emsync_desktop.domain.case_mix import Dimension, label
from emsync_desktop.domain.forecast import SeriesKind, Surge, surge_text
from emsync_desktop.domain.local_time import day_and_clock, zone_name
from emsync_desktop.services.case_mix import CaseMix, daily_totals, load_case_mix
from emsync_desktop.services.forecasts import (
    CHART_LEGEND,
    UnitForecast,
    load_forecasts,
    peak_text,
    surges,
    week_text,
)
from emsync_desktop.services.network import HospitalCapacity, network_capacity
from emsync_desktop.store.database import Store

CHARTED_UNITS = 4
CHART_WIDTH = 680  # the text width of an A4 page at the PDF writer's resolution (ui.coordinator.report_pdf)
UNITS = ("ICU", "HDU", "ER", "WARD")


class ReportKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


PERIOD_DAYS = {ReportKind.DAILY: 2, ReportKind.WEEKLY: 7}  # days including today (as the Case mix tab counts)


@dataclass(frozen=True)
class ReportData:
    kind: ReportKind
    generated_at: datetime
    first_day: date
    last_day: date
    capacity: list[HospitalCapacity]
    forecasts: list[UnitForecast]
    surges: list[tuple[UnitForecast, Surge]]
    case_mix: CaseMix
    per_day: list[tuple[str, int, int]]  # (day, transfers, of which Critical)

    def charted(self) -> list[tuple[UnitForecast, UnitForecast | None]]:
        """The units whose charts the report shows: surging ones first, then the fullest, at most ``CHARTED_UNITS``;
        each with its transfers forecast if there is one."""
        beds = [f for f in self.forecasts if f.kind is SeriesKind.BEDS_HOURLY]
        surging = [f for f, _s in self.surges]
        fullest = sorted(beds, key=lambda f: -max(p.mean for p in f.points) / max(f.capacity, 1))
        chosen = list({(f.hospital_id, f.unit): f for f in reversed([*surging, *fullest])}.values())
        chosen = sorted(chosen, key=[*surging, *fullest].index)[:CHARTED_UNITS]
        return [(f, next((t for t in self.forecasts if t.kind is SeriesKind.TRANSFERS_DAILY
                          and (t.hospital_id, t.unit) == (f.hospital_id, f.unit)), None)) for f in chosen]


def gather_report(store: Store, kind: ReportKind, now: datetime) -> ReportData:
    """DB thread. Reads only."""
    last = now.date()
    first = last - timedelta(days=PERIOD_DAYS[kind] - 1)
    forecasts = load_forecasts(store)
    return ReportData(kind, now, first, last, network_capacity(store), forecasts, surges(forecasts, now),
                      load_case_mix(store, first, last, Dimension.SEVERITY, Dimension.COMPLAINT_GROUP),
                      daily_totals(store, first, last))


def report_html(data: ReportData, chart_names: list[str]) -> str:
    """The report's text; ``chart_names``: the images (one per charted unit) the PDF writer supplies."""
    e = html.escape
    span = "yesterday and today so far" if data.kind is ReportKind.DAILY else "the last 7 days, today included"
    title = f"EMsync {data.kind.value} report, {data.first_day:%d %b} to {data.last_day:%d %b %Y} ({span})"
    made = f"{day_and_clock(data.generated_at)} {zone_name(data.generated_at)}"
    parts = [f"<h1>{e(title)}</h1>",
             f"<p class='muted'>Made on this desk {e(made)} from what it had synced. Decision support: forecasts "
             "are SARIMA fits with their intervals, not certainties.</p>",
             "<h2>Capacity now</h2>", _capacity_table(data.capacity),
             "<h2>Transfers in the period</h2>", _per_day(data.per_day),
             "<h2>Surges within 24 hours</h2>", _surges(data), "<h2>Forecasts</h2>", _forecast_table(data)]
    parts += ["<h2>Case mix</h2>", _case_mix(data.case_mix)]
    if chart_names:  # two charts to a page, each with its heading
        parts.append("<h2 style='page-break-before: always'>Charts</h2>"
                     f"<p class='muted'>The units with a surge first, then those whose forecast comes nearest their "
                     f"beds; at most {CHARTED_UNITS}. {e(CHART_LEGEND)}</p>")
    for index, ((beds, _transfers), name) in enumerate(zip(data.charted(), chart_names, strict=False)):
        style = " style='page-break-before: always'" if index and index % 2 == 0 else ""
        parts.append(f"<p{style}><b>{e(beds.hospital)} {e(beds.unit)}</b>: {e(beds.skill)}<br>"
                     f"<img src='{e(name)}' width='{CHART_WIDTH}'></p>")
    return "<html><body>" + "".join(parts) + "</body></html>"


def _capacity_table(hospitals: list[HospitalCapacity]) -> str:
    rows = "".join(
        "<tr><td>{}</td>{}<td>{}</td></tr>".format(
            html.escape(h.short_name),
            "".join(f"<td>{h.units[u].available} / {h.units[u].total}</td>" if u in h.units else "<td>-</td>"
                    for u in UNITS), h.available)
        for h in sorted(hospitals, key=lambda h: h.short_name) if h.external is None)
    head = "".join(f"<th>{u} free / beds</th>" for u in UNITS)
    return f"<table width='100%'><thead><tr><th>Hospital</th>{head}<th>Free</th></tr></thead>{rows}</table>"


def _per_day(per_day: list[tuple[str, int, int]]) -> str:
    if not per_day:
        return "<p>No counted days synced for this period.</p>"
    rows = "".join(f"<tr><td>{day}</td><td>{n}</td><td>{critical}</td></tr>" for day, n, critical in per_day)
    return (f"<table><thead><tr><th>Day (UTC)</th><th>Transfers</th><th>Critical</th></tr></thead>{rows}"
            f"<tr><td><b>total</b></td><td><b>{sum(n for _d, n, _c in per_day)}</b></td>"
            f"<td><b>{sum(c for _d, _n, c in per_day)}</b></td></tr></table>")


def _surges(data: ReportData) -> str:
    if not data.forecasts:
        return "<p>No forecasts synced yet: surges cannot be judged.</p>"
    if not data.surges:
        return "<p>None: no unit's 80 % upper bound passes its beds within a day.</p>"
    items = "".join(f"<li>{html.escape(surge_text(f.unit, f.hospital, s, day_and_clock(s.at)))}</li>"
                    for f, s in data.surges)
    return f"<ul>{items}</ul>"


def _forecast_table(data: ReportData) -> str:
    """One row per hospital unit: beds at the next day's peak, transfers over the next week, the beds' skill."""
    if not data.forecasts:
        return "<p>No forecasts synced yet.</p>"
    units: dict[tuple[str, str], dict[SeriesKind, UnitForecast]] = {}
    for f in data.forecasts:
        units.setdefault((f.hospital, f.unit), {})[f.kind] = f
    rows = []
    for (hospital, unit), kinds in units.items():
        beds, transfers = kinds.get(SeriesKind.BEDS_HOURLY), kinds.get(SeriesKind.TRANSFERS_DAILY)
        rows.append(f"<tr><td>{html.escape(hospital)}</td><td>{unit}</td>"
                    f"<td>{peak_text(beds, data.generated_at) if beds else '-'}</td>"
                    f"<td>{week_text(transfers) if transfers else '-'}</td>"
                    f"<td>{html.escape(beds.skill if beds else '-')}</td></tr>")
    return ("<table width='100%'><thead><tr><th>Hospital</th><th>Unit</th><th>Beds in use, next 24 h: highest "
            "forecast (highest 80 % bound)</th><th>Transfers, next 7 days (80 %)</th>"
            "<th>Beds forecast against naive (backtests)</th></tr></thead>" + "".join(rows) + "</table>")


def _case_mix(mix: CaseMix) -> str:
    e = html.escape
    answer = mix.test.finding if mix.test else "Not enough to test."
    head = "".join(f"<th>{e(label(c))}</th>" for c in mix.table.columns)
    rows = "".join(f"<tr><td>{e(label(r))}</td>"
                   f"{''.join(f'<td>{n} ({round(100 * n / max(sum(counts), 1))} %)</td>' for n in counts)}</tr>"
                   for r, counts in zip(mix.table.rows, mix.table.counts, strict=True))
    synthetic = " Counts from the demo server's made-up (synthetic) days." if mix.synthetic else ""
    totals = "; ".join(f"{d.value}: " + ", ".join(f"{label(v)} {n}" for v, n in values)
                       for d, values in mix.marginals.items())
    return (f"<p>{mix.transfers} transfers. Does severity differ by complaint group? {e(answer)}</p>"
            f"<table width='100%'><thead><tr><th>complaint group</th>{head}</tr></thead>{rows}</table>"
            f"<p class='muted'>{e(' '.join(mix.caveats))}{synthetic}</p><p>{e(totals)}</p>")
