"""The case record in the few short lines an incoming-transfer card has room for.

One line per drug ("given: Aspirin 300 mg PO 07:42"; the same dose by the same route again adds its
time to that line, so a cardiac arrest's ten adrenalines stay one line), one line for the procedures
(a repeated one, e.g. each shock at the same energy, adds its time the same way), and one for
allergies and weight. A card with no record entries gets no lines. Allergies are always
said once there is a record, "not asked" included: a ward must never read silence as "none".
"""

from __future__ import annotations

from datetime import datetime

from emsync_desktop.domain.history import AnswerStatus
from emsync_desktop.domain.local_time import clock
from emsync_desktop.domain.record_summary import CaseRecord, DoneProcedure, GivenDrug, dose_text, procedure_details


def record_card_lines(record: CaseRecord) -> list[str]:
    if record.empty:
        return []
    lines = [_drug_line(drug, times) for drug, times in _grouped(record.drugs)]
    if record.procedures:
        lines.append("done: " + " · ".join(f"{words} {', '.join(clock(t) for t in times)}"
                                           for words, times in _grouped_procedures(record.procedures)))
    lines.append(_allergies_and_weight(record))
    return lines


def _grouped(drugs: tuple[GivenDrug, ...]) -> list[tuple[GivenDrug, list[datetime]]]:
    """Drugs with the same name, dose, unit and route together, in the order first given."""
    groups: dict[tuple[str, float, str, str], tuple[GivenDrug, list[datetime]]] = {}
    for drug in sorted(drugs, key=lambda d: d.given_at):
        key = (drug.drug.lower(), drug.dose_value, drug.dose_unit, drug.route.upper())
        groups.setdefault(key, (drug, []))[1].append(drug.given_at)
    return list(groups.values())


def _drug_line(drug: GivenDrug, times: list[datetime]) -> str:
    mark = " (free text)" if drug.free_text else " ⚠ dose warning" if drug.warnings else ""
    return f"given: {dose_text(drug)} {', '.join(clock(t) for t in times)}{mark}"


def _grouped_procedures(procedures: tuple[DoneProcedure, ...]) -> list[tuple[str, list[datetime]]]:
    """'Defibrillation 200 J' with the times of each shock, in the order first done."""
    groups: dict[str, list[datetime]] = {}
    for done in sorted(procedures, key=lambda p: p.done_at):
        words = " ".join([done.procedure.label, *procedure_details(done, brief=True)])
        groups.setdefault(words, []).append(done.done_at)
    return list(groups.items())


def _allergies_and_weight(record: CaseRecord) -> str:
    history = record.sample
    if history is None:
        allergies = "allergies: not recorded"
    elif history.allergies.status is AnswerStatus.LISTED:
        allergies = "allergies: " + ", ".join(history.allergies.items)
    elif history.allergies.status is AnswerStatus.NONE:
        allergies = "no known allergies"
    elif history.allergies.status is AnswerStatus.UNKNOWN:
        allergies = "allergies: unknown (could not ask)"
    else:
        allergies = "allergies: not asked"
    weight = history.weight if history else None
    return f"{allergies} · weight {weight.text}" if weight else allergies
