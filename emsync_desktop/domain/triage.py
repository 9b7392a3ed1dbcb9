"""Triage features and results: the contract between the case, the models and the screen.

The feature order here IS the models' input order (``models_onnx/manifest.json`` repeats it
and the runtime refuses a manifest that disagrees). Units are in the names. A missing value
is NaN: the XGBoost models were trained with missing values and route them down the learned
default branch, so nothing is imputed on the device.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from emsync_desktop.domain.patient import CaseDetails, Sex
from emsync_desktop.domain.vitals import NUMERIC_SPECS, Consciousness, Vitals


class Severity(StrEnum):
    CRITICAL = "Critical"
    MODERATE = "Moderate"
    LOW = "Low urgency"


SEVERITY_CLASSES = (Severity.CRITICAL, Severity.MODERATE, Severity.LOW)
SEVERITY_MEANINGS = {
    Severity.CRITICAL: "ESI 1-2: needs life-saving care now, or is high-risk (new confusion, severe pain, "
                       "danger-zone vital signs, or a high-risk presentation such as chest pain that may be cardiac, "
                       "even with normal vital signs)",
    Severity.MODERATE: "ESI 3: stable, likely to need two or more resources (tests, drugs, imaging)",
    Severity.LOW: "ESI 4-5: stable, one resource or none",
}
"""What each urgency class means (docs/TRIAGE_MODELS.md): the Emergency Severity Index levels it stands for."""

NEEDS = ("icu", "ventilator", "vasopressors", "dialysis", "sedatives", "opioids")
NEED_LABELS = {
    "icu": "ICU admission",
    "ventilator": "Ventilator",
    "vasopressors": "Vasopressors",
    "dialysis": "Dialysis",
    "sedatives": "Sedatives",
    "opioids": "Opioids",
}


class ArrivalMode(StrEnum):
    AMBULANCE = "ambulance"  # includes helicopter
    WALK_IN = "walk_in"


# Chief complaint groups, matched by keywords (also the abbreviations ED triage notes use).
COMPLAINT_GROUPS: dict[str, tuple[str, ...]] = {
    "cardiac": ("chest pain", "chest tightness", "palpitation", "cardiac", "angina", "cp", "mi", "stemi",
                "arrest", "tachycardia", "bradycardia", "heart"),
    "respiratory": ("breath", "sob", "dyspnea", "dyspnoea", "asthma", "copd", "wheez", "cough", "respiratory",
                    "hypoxia", "choking"),
    "neurological": ("stroke", "weakness", "slurred", "facial droop", "seizure", "fit", "cva", "tia",
                     "numbness", "headache", "aphasia"),
    "trauma": ("trauma", "fall", "rta", "mvc", "mva", "accident", "injury", "fracture", "assault", "wound",
               "laceration", "burn", "s/p", "head injury", "bleeding"),
    "abdominal": ("abd", "abdominal", "vomit", "nausea", "diarrh", "gi bleed", "melena", "haematemesis",
                  "hematemesis", "flank", "epigastric"),
    "infection": ("fever", "sepsis", "infection", "cellulitis", "uti", "pneumonia", "rigors"),
    "altered_consciousness": ("altered", "unresponsive", "confusion", "confused", "syncope", "collapse",
                              "lethargy", "unconscious", "dizz", "faint", "ams", "loc"),
    "intoxication_psych": ("etoh", "alcohol", "intox", "overdose", "od", "poison", "ingestion", "suicid",
                           "psych", "agitation", "anxiety", "withdrawal"),
    "pain_musculoskeletal": ("back pain", "neck pain", "leg pain", "arm pain", "joint", "swelling", "sprain"),
}
OTHER_GROUP = "other"
GROUP_NAMES = (*COMPLAINT_GROUPS, OTHER_GROUP)
_WORD_SPLIT = re.compile(r"[^a-z0-9/]+")


def complaint_group(text: str) -> str:
    """The group of a free-text chief complaint; ``other`` when nothing matches.

    Groups are tried in the order above, so 'chest pain after fall' is cardiac: the
    more dangerous reading wins. Short keywords (≤ 3 letters) must be whole words.
    """
    lowered = text.casefold()
    words = set(_WORD_SPLIT.split(lowered))
    for group, keywords in COMPLAINT_GROUPS.items():
        for keyword in keywords:
            if (keyword in words) if len(keyword) <= 3 else (keyword in lowered):
                return group
    return OTHER_GROUP


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    label: str
    unit: str


_VITAL_FEATURES = ("hr_bpm", "rr_per_min", "spo2_pct", "sbp_mmhg", "dbp_mmhg", "temp_c", "gcs", "pain_0_10",
                   "glucose_mg_dl")
FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec("age_years", "Age", "years"),
    FeatureSpec("sex_female", "Sex", "1 = female, 0 = male"),
    *(FeatureSpec(n, NUMERIC_SPECS[n].label, NUMERIC_SPECS[n].unit) for n in _VITAL_FEATURES[:5]),
    FeatureSpec("on_oxygen", "Supplemental oxygen", "1 = on oxygen, 0 = air"),
    FeatureSpec("temp_c", "Temperature", "°C"),
    FeatureSpec("consciousness_acvpu", "Consciousness", "0 A, 1 C, 2 V, 3 P, 4 U"),
    *(FeatureSpec(n, NUMERIC_SPECS[n].label, NUMERIC_SPECS[n].unit) for n in _VITAL_FEATURES[6:]),
    FeatureSpec("arrival_ambulance", "Arrival mode", "1 = ambulance, 0 = walk-in"),
    *(FeatureSpec(f"complaint_{g}", f"Complaint: {g.replace('_', ' ')}", "1 = this group") for g in GROUP_NAMES),
)
FEATURE_NAMES = tuple(f.name for f in FEATURES)
ACVPU_ORDER = (Consciousness.ALERT, Consciousness.NEW_CONFUSION, Consciousness.VOICE, Consciousness.PAIN,
                Consciousness.UNRESPONSIVE)
NAN = float("nan")


@dataclass(frozen=True)
class TriageInput:
    """What the models see of a case: the latest observation set plus the patient's details."""

    age_years: float | None
    sex: Sex
    vitals: Vitals | None
    complaint: str
    arrival: ArrivalMode = ArrivalMode.AMBULANCE

    @property
    def complaint_group(self) -> str:
        return complaint_group(self.complaint)


def triage_input_of(details: CaseDetails, latest: Vitals | None,
                    arrival: ArrivalMode = ArrivalMode.AMBULANCE) -> TriageInput:
    age = float(details.age_years) if details.age_years is not None else None
    return TriageInput(age, details.sex, latest, details.chief_complaint, arrival)


def feature_vector(data: TriageInput) -> list[float]:
    """Values in ``FEATURE_NAMES`` order, NaN for missing."""
    v = data.vitals
    values: dict[str, float] = {
        "age_years": _num(data.age_years),
        "sex_female": {Sex.FEMALE: 1.0, Sex.MALE: 0.0}.get(data.sex, NAN),
        "on_oxygen": NAN if v is None or v.on_oxygen is None else float(v.on_oxygen),
        "consciousness_acvpu": NAN if v is None or v.consciousness is None
        else float(ACVPU_ORDER.index(v.consciousness)),
        "arrival_ambulance": 1.0 if data.arrival is ArrivalMode.AMBULANCE else 0.0,
    }
    for name in _VITAL_FEATURES:
        values[name] = _num(getattr(v, name) if v is not None else None)
    group = data.complaint_group
    for g in GROUP_NAMES:
        values[f"complaint_{g}"] = 1.0 if g == group else 0.0
    return [values[name] for name in FEATURE_NAMES]


def _num(value: float | None) -> float:
    return NAN if value is None else float(value)


def check_triage_input(data: TriageInput) -> str | None:
    """Refuse impossible values before inference, naming the field; None when fine.

    The case form already refuses these as they are typed; this guards data that
    reached the case another way (an older version, an import).
    """
    if data.age_years is not None and not 0 <= data.age_years <= 120:
        return f"Age {data.age_years:g} is impossible: correct it on the Patient tab."
    if data.vitals is None:
        return None
    for name in _VITAL_FEATURES:
        value = getattr(data.vitals, name)
        spec = NUMERIC_SPECS[name]
        if value is not None and (not math.isfinite(value) or not spec.hard_min <= value <= spec.hard_max):
            return (f"{spec.label} {value:g} is outside {spec.hard_min:g}–{spec.hard_max:g}: "
                    "correct the reading before triage.")
    return None


CORE_VITALS = ("hr_bpm", "rr_per_min", "spo2_pct", "sbp_mmhg", "consciousness")
CORE_LABELS = {"hr_bpm": "heart rate", "rr_per_min": "respiratory rate", "spo2_pct": "SpO2",
               "sbp_mmhg": "systolic BP", "consciousness": "consciousness (ACVPU)"}
MIN_AGE_YEARS = 16  # the training population is adult (ml/training/population.AGE_RANGE)
MIN_CORE_VITALS = 4
"""The models abstain below this many of the five core vitals, or without age or chief complaint.

Why: they were trained on triage records in which each core vital is missing in only 1-4 % of rows
(``ml/training/synthetic.MISSING_RATE``; MIMIC-IV-ED triage is similar), so a record lacking two core
vitals, the age or the complaint is almost never seen in training and what the trees say about it is
extrapolation down default branches: with only RR 22 recorded they called "Critical 76 %" while NEWS2 was 2.
One missing core vital is common in training, so the call is made and the panel says what would firm it."""


@dataclass(frozen=True)
class Readiness:
    """Whether the models may be asked (``enough``), and what to add (people's words)."""

    enough: bool
    required: tuple[str, ...]  # missing below the minimum: the models abstain until these are added
    would_help: tuple[str, ...]  # missing core inputs that do not block a call
    child: bool = False  # under MIN_AGE_YEARS: no call at any completeness

    def message(self) -> str:
        if self.child:
            return (f"The models are for adults (trained on patients aged {MIN_AGE_YEARS} and over), and NEWS2 is "
                    "validated from 16 too: use your paediatric triage tool.")
        if not self.enough:
            return f"Not enough data for the model: add {_words(self.required)}. NEWS2 does not depend on it."
        if self.would_help:
            return f"Call made without {_words(self.would_help)}: add it for a firmer call."
        return ""


def triage_readiness(data: TriageInput) -> Readiness:
    v = data.vitals
    missing_core = [n for n in CORE_VITALS if v is None or getattr(v, n) is None]
    required: list[str] = []
    if data.age_years is None:
        required.append("age")
    elif data.age_years < MIN_AGE_YEARS:
        return Readiness(enough=False, required=(), would_help=(), child=True)
    if not data.complaint.strip():
        required.append("chief complaint")
    short = len(CORE_VITALS) - len(missing_core) < MIN_CORE_VITALS
    if short:
        required += [CORE_LABELS[n] for n in missing_core]
    return Readiness(enough=not required, required=tuple(required),
                     would_help=() if short else tuple(CORE_LABELS[n] for n in missing_core))


def _words(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def missing_inputs(data: TriageInput) -> tuple[str, ...]:
    """Labels of the inputs the models will see as missing (shown to the paramedic)."""
    vector = feature_vector(data)
    missing = [f.label for f, x in zip(FEATURES, vector, strict=True) if math.isnan(x)]
    if not data.complaint.strip():
        missing.append("Chief complaint")
    return tuple(missing)


@dataclass(frozen=True)
class NeedEstimate:
    name: str
    probability: float
    threshold: float

    @property
    def label(self) -> str:
        return NEED_LABELS[self.name]

    @property
    def flagged(self) -> bool:
        return self.probability >= self.threshold


@dataclass(frozen=True)
class Factor:
    """How much one input moved the urgency call: the odds of what the call was decided on (``ml.triage``) with the
    input as recorded, divided by the odds with it replaced by a typical value (> 1 raises, < 1 lowers)."""

    feature: str
    label: str
    shown_value: str
    odds_ratio: float


@dataclass(frozen=True)
class TriagePrediction:
    severity: Severity
    severity_probabilities: dict[str, float]
    needs: tuple[NeedEstimate, ...]
    factors: tuple[Factor, ...]
    model_version: str
    missing: tuple[str, ...]

    @property
    def suggested_unit(self) -> str:
        return suggested_unit(self.severity, self.needs)


def suggested_unit(severity: Severity, needs: Sequence[NeedEstimate]) -> str:
    """ICU when organ support is likely, HDU for other critical patients or dialysis, else ER."""
    flagged = {n.name for n in needs if n.flagged}
    if flagged & {"icu", "ventilator", "vasopressors"}:
        return "ICU"
    if severity is Severity.CRITICAL or "dialysis" in flagged:
        return "HDU"
    return "ER"


def balanced_class(probabilities: Sequence[float], prevalence: Sequence[float]) -> int:
    """Index of the class with the largest probability relative to its prevalence.

    This is the decision that maximises balanced accuracy: a rare class such as
    Critical is called when it is several times likelier than usual, not only when
    it is the likeliest outcome outright.
    """
    ratios = [p / q for p, q in zip(probabilities, prevalence, strict=True)]
    return max(range(len(ratios)), key=ratios.__getitem__)


def ordinal_class(probabilities: Sequence[float], thresholds: Sequence[float]) -> int:
    """Index of the urgency called by cumulative thresholds: Critical when P(Critical) reaches
    ``thresholds[0]``; else Moderate when P(Critical or Moderate) reaches ``thresholds[1]``; else Low.

    With models whose P(Critical) and P(at least Moderate) never fall as an input worsens (monotone
    constraints, ``docs/TRIAGE_MODELS.md``), the call never becomes less urgent as that input worsens,
    which ``balanced_class`` cannot promise (a rise in P(Critical) can tip its ratios towards Low)."""
    critical, at_least_moderate = probabilities[0], probabilities[0] + probabilities[1]
    if critical >= thresholds[0]:
        return 0
    return 1 if at_least_moderate >= thresholds[1] else 2


def input_fingerprint(data: TriageInput) -> str:
    """Identifies the model inputs: equal fingerprints, equal predictions (for one model version)."""
    import hashlib
    import json

    vector = [None if math.isnan(x) else round(x, 4) for x in feature_vector(data)]
    return hashlib.sha256(json.dumps(vector).encode()).hexdigest()


def prediction_to_dict(p: TriagePrediction) -> dict[str, object]:
    return {
        "severity": p.severity.value,
        "severity_probabilities": p.severity_probabilities,
        "needs": [{"name": n.name, "probability": n.probability, "threshold": n.threshold} for n in p.needs],
        "factors": [{"feature": f.feature, "label": f.label, "shown_value": f.shown_value, "odds_ratio": f.odds_ratio}
                    for f in p.factors],
        "model_version": p.model_version,
        "missing": list(p.missing),
    }


def prediction_from_dict(d: dict[str, object]) -> TriagePrediction:
    needs = d["needs"]
    factors = d["factors"]
    probabilities = d["severity_probabilities"]
    missing = d["missing"]
    assert isinstance(needs, list) and isinstance(factors, list) and isinstance(probabilities, dict)
    assert isinstance(missing, list)
    return TriagePrediction(
        severity=Severity(str(d["severity"])),
        severity_probabilities={str(k): float(v) for k, v in probabilities.items()},
        needs=tuple(NeedEstimate(str(n["name"]), float(n["probability"]), float(n["threshold"])) for n in needs),
        factors=tuple(Factor(str(f["feature"]), str(f["label"]), str(f["shown_value"]), float(f["odds_ratio"]))
                      for f in factors),
        model_version=str(d["model_version"]),
        missing=tuple(str(m) for m in missing),
    )
