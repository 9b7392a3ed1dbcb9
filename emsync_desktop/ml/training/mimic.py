"""Loader for MIMIC-IV-ED with MIMIC-IV hosp/icu outcome labels (credentialed data, never shipped).

Give it the folder that holds ``ed/``, ``hosp/`` and ``icu/`` as PhysioNet distributes them
(``.csv.gz`` or ``.csv``). Column by column:

ed/edstays (one row per ED stay; the cohort)
    subject_id, stay_id    identifiers; hadm_id links to the hospital admission (empty if not admitted)
    intime, outtime        ED arrival and departure; arrival is time zero for every label window
    gender                 'F' → sex_female 1, 'M' → 0, else missing
    arrival_transport      'AMBULANCE' or 'HELICOPTER' → arrival_ambulance 1; 'WALK IN', 'OTHER',
                           'UNKNOWN' → 0
ed/triage (one row per stay, taken at triage)
    temperature (°F → °C), heartrate → hr_bpm, resprate → rr_per_min, o2sat → spo2_pct,
    sbp → sbp_mmhg, dbp → dbp_mmhg, pain (free text: a number 0-10 is kept, anything else is missing),
    acuity (ESI 1-5): 1-2 → Critical, 3 → Moderate, 4-5 → Low urgency; stays without acuity are dropped.
    chiefcomplaint → complaint group (``domain.triage.complaint_group``)
ed/vitalsign (repeated measurements during the stay)
    a triage vital that is missing is taken from the first vitalsign row charted within
    ``TRIAGE_WINDOW_MIN`` minutes of arrival (still triage time); later rows are never used.
    MIMIC-IV-ED records no supplemental oxygen, consciousness, GCS or glucose at triage: those
    features are missing for every row, which the models handle (and the app fills when known).
ed/diagnosis
    deliberately not read: diagnoses are coded after the stay, so any use would leak the outcome
    into triage-time features.
hosp/patients
    anchor_age, anchor_year → age at ED arrival = anchor_age + (arrival year - anchor_year)
icu/icustays
    icu label: an ICU stay of the same hadm_id starting within ``LABEL_WINDOW_H`` hours of arrival
icu/procedureevents (itemid, starttime, stay_id = ICU stay)
    ventilator: 225792 invasive ventilation; dialysis: 225441 hemodialysis, 225802 CRRT, 225803 CVVHD,
    225805 peritoneal dialysis, 225809 CVVHDF
icu/inputevents (itemid, starttime, stay_id = ICU stay)
    vasopressors: 221906 norepinephrine, 221289 epinephrine, 222315 vasopressin, 221749 phenylephrine,
    221662 dopamine; sedatives: 222168 propofol, 221668 midazolam, 225150 dexmedetomidine, 221385
    lorazepam; opioids: 221744 and 225942 fentanyl, 225154 morphine, 221833 hydromorphone
    Each counts when started within ``LABEL_WINDOW_H`` hours of ED arrival. Item ids are those of
    MIMIC-IV 2.x ``d_items``; check them against your version's ``d_items`` before training.
"""

from __future__ import annotations

import csv
import gzip
import math
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from emsync_desktop.domain.triage import FEATURE_NAMES, GROUP_NAMES, NEEDS, complaint_group
from emsync_desktop.ml.training.dataset import Cohort

DESCRIPTION = ("MIMIC-IV-ED triage rows with MIMIC-IV hosp/icu outcome labels (credentialed PhysioNet data, "
               "read from the user's own copy; see emsync_desktop/ml/training/mimic.py for every column).")
TRIAGE_WINDOW_MIN = 60
LABEL_WINDOW_H = 24
VENTILATION_ITEMS = {225792}
DIALYSIS_ITEMS = {225441, 225802, 225803, 225805, 225809}
VASOPRESSOR_ITEMS = {221906, 221289, 222315, 221749, 221662}
SEDATIVE_ITEMS = {222168, 221668, 225150, 221385}
OPIOID_ITEMS = {221744, 225942, 225154, 221833}
_ACUITY_TO_CLASS = {1: 0, 2: 0, 3: 1, 4: 2, 5: 2}
_VITALS = {"heartrate": "hr_bpm", "resprate": "rr_per_min", "o2sat": "spo2_pct", "sbp": "sbp_mmhg",
           "dbp": "dbp_mmhg", "temperature": "temp_c"}


class MimicFormatError(ValueError):
    """A file is missing or lacks a column; ``str()`` names it."""


def load_mimic(root: Path) -> Cohort:
    """One row per ED stay with a triage acuity, in ``FEATURE_NAMES`` order."""
    stays = {row["stay_id"]: row for row in _rows(root, "ed/edstays", ("stay_id", "subject_id", "hadm_id",
                                                                       "intime", "gender", "arrival_transport"))}
    triage = {row["stay_id"]: row for row in _rows(root, "ed/triage", ("stay_id", "acuity", "chiefcomplaint",
                                                                        *_VITALS, "pain"))}
    early = _early_vitals(root, stays)
    ages = _ages(root)
    labels = _labels(root, stays)
    features, severity, needs = [], [], []
    for stay_id, stay in stays.items():
        tri = triage.get(stay_id)
        acuity = _int(tri.get("acuity")) if tri else None
        if tri is None or acuity not in _ACUITY_TO_CLASS:
            continue
        arrival = _time(stay["intime"])
        values = _triage_values(tri, early.get(stay_id, {}))
        values["age_years"] = _age(ages.get(stay["subject_id"]), arrival)
        values["sex_female"] = {"F": 1.0, "M": 0.0}.get(stay["gender"], math.nan)
        values["arrival_ambulance"] = 1.0 if stay["arrival_transport"] in ("AMBULANCE", "HELICOPTER") else 0.0
        group = complaint_group(tri.get("chiefcomplaint") or "")
        values |= {f"complaint_{g}": float(g == group) for g in GROUP_NAMES}
        features.append([values.get(name, math.nan) for name in FEATURE_NAMES])
        severity.append(_ACUITY_TO_CLASS[acuity])
        needs.append([int(need in labels.get(stay_id, set())) for need in NEEDS])
    if not features:
        raise MimicFormatError(f"No ED stay with a triage acuity under {root}: check the folder.")
    return Cohort(np.asarray(features, dtype=float), np.asarray(severity, dtype=np.int64),
                  np.asarray(needs, dtype=np.int64))


def _rows(root: Path, table: str, columns: tuple[str, ...]) -> Iterator[dict[str, str]]:
    path = next((p for p in (root / f"{table}.csv.gz", root / f"{table}.csv") if p.exists()), None)
    if path is None:
        raise MimicFormatError(f"{table}.csv.gz is missing under {root}.")
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        absent = [c for c in columns if c not in (reader.fieldnames or [])]
        if absent:
            raise MimicFormatError(f"{path.name} lacks column(s) {', '.join(absent)}: is this MIMIC-IV?")
        yield from reader


def _triage_values(tri: dict[str, str], early: dict[str, float]) -> dict[str, float]:
    values: dict[str, float] = {}
    for column, name in _VITALS.items():
        value = _float(tri.get(column))
        values[name] = value if value is not None else early.get(name, math.nan)
    if not math.isnan(values["temp_c"]):
        values["temp_c"] = round((values["temp_c"] - 32.0) * 5.0 / 9.0, 1)
    pain = _float(tri.get("pain"))
    values["pain_0_10"] = pain if pain is not None and 0 <= pain <= 10 else math.nan
    return values


def _early_vitals(root: Path, stays: dict[str, dict[str, str]]) -> dict[str, dict[str, float]]:
    """First value of each vital charted within the triage window, per stay."""
    found: dict[str, dict[str, tuple[datetime, float]]] = defaultdict(dict)
    for row in _rows(root, "ed/vitalsign", ("stay_id", "charttime", *_VITALS)):
        stay = stays.get(row["stay_id"])
        if stay is None:
            continue
        when = _time(row["charttime"])
        if when - _time(stay["intime"]) > timedelta(minutes=TRIAGE_WINDOW_MIN):
            continue
        for column, name in _VITALS.items():
            value = _float(row.get(column))
            if value is not None and (name not in found[row["stay_id"]] or when < found[row["stay_id"]][name][0]):
                found[row["stay_id"]][name] = (when, value)
    return {stay: {name: v for name, (_, v) in values.items()} for stay, values in found.items()}


def _ages(root: Path) -> dict[str, tuple[int, int]]:
    return {r["subject_id"]: (int(r["anchor_age"]), int(r["anchor_year"]))
            for r in _rows(root, "hosp/patients", ("subject_id", "anchor_age", "anchor_year"))}


def _age(anchor: tuple[int, int] | None, arrival: datetime) -> float:
    return math.nan if anchor is None else float(anchor[0] + arrival.year - anchor[1])


def _labels(root: Path, stays: dict[str, dict[str, str]]) -> dict[str, set[str]]:
    """Needs per ED stay, from ICU stays of the same admission and their events."""
    by_hadm = {s["hadm_id"]: (sid, _time(s["intime"])) for sid, s in stays.items() if s["hadm_id"]}
    icu_to_ed: dict[str, tuple[str, datetime]] = {}
    labels: dict[str, set[str]] = defaultdict(set)
    window = timedelta(hours=LABEL_WINDOW_H)
    for row in _rows(root, "icu/icustays", ("stay_id", "hadm_id", "intime")):
        ed = by_hadm.get(row["hadm_id"])
        if ed and timedelta(0) <= _time(row["intime"]) - ed[1] <= window:
            labels[ed[0]].add("icu")
            icu_to_ed[row["stay_id"]] = ed
    for table, items in (("icu/procedureevents", {"ventilator": VENTILATION_ITEMS, "dialysis": DIALYSIS_ITEMS}),
                         ("icu/inputevents", {"vasopressors": VASOPRESSOR_ITEMS, "sedatives": SEDATIVE_ITEMS,
                                              "opioids": OPIOID_ITEMS})):
        for row in _rows(root, table, ("stay_id", "itemid", "starttime")):
            ed = icu_to_ed.get(row["stay_id"])
            if ed is None or _time(row["starttime"]) - ed[1] > window:
                continue
            item = int(row["itemid"])
            labels[ed[0]].update(need for need, ids in items.items() if item in ids)
    return labels


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.strip())


def _float(text: str | None) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _int(text: str | None) -> int | None:
    value = _float(text)
    return None if value is None else int(value)
