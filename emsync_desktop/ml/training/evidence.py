"""What happens to the synthetic patients: urgency, the six needs and in-hospital death, as probabilities of the
TRUE inputs (SYNTHETIC world; docs/TRIAGE_MODELS.md lists every effect with its source or marks it an assumption).

- **Urgency** is the Emergency Severity Index as its handbook decides it, in three classes: Critical = ESI 1-2
  (needs a life-saving intervention now, ``ESI1``; or a high-risk situation, new confusion or lethargy, severe
  pain, or danger-zone vital signs, ``esi2``), Low urgency = ESI 4-5 (at most one resource), Moderate = ESI 3.
  A "high-risk situation" is a fact the triage nurse sees and the model does not (chest pain that may be an acute
  coronary syndrome, a stroke, a dangerous mechanism): a hidden event whose chance rises with age. The recorded
  class carries triage error (``UNDER_TRIAGE``, ``OVER_TRIAGE``).
- **Death** in hospital: for chest pain that is an acute coronary syndrome, the GRACE in-hospital model (Granger et
  al. 2003: its points and its published probability curve); otherwise a logistic model of NEWS2 and age.
- **ICU admission** and the needs that follow it (ventilation, vasopressors, dialysis, sedation) and opioids:
  logistic models (assumptions, calibrated so the world reproduces published figures where there are some).

Hidden events (coronary syndrome, ST deviation, raised enzymes, creatinine, high-risk situation) are summed out
exactly; pain and glucose may be given as a distribution (``pain_dist``, ``hypo``) so that a hidden reading is
summed out exactly too (``synthetic.posterior``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from emsync_desktop.domain.news2 import SCALE1_ROWS
from emsync_desktop.domain.triage import GROUP_NAMES
from emsync_desktop.ml.training.population import GROUP_INDEX, Columns

UNDER_TRIAGE, OVER_TRIAGE = 0.08, 0.04  # recorded one level too low / too high (assumption)
DANGER_ZONE_UPTRIAGE = 0.5  # share of danger-zone patients the nurse up-triages to ESI 2 (assumption)
SEVERE_PAIN_UPTRIAGE = 0.3  # share of patients in severe pain (7/10+) made ESI 2 (assumption; the handbook: "consider")
# GRACE in-hospital death (Granger CB et al., Arch Intern Med 2003;163:2345-53), points per band.
GRACE_AGE = ((30, 0), (40, 8), (50, 25), (60, 41), (70, 58), (80, 75), (90, 91), (None, 100))
GRACE_HR = ((50, 0), (70, 3), (90, 9), (110, 15), (150, 24), (200, 38), (None, 46))
GRACE_SBP = ((80, 58), (100, 53), (120, 43), (140, 34), (160, 24), (200, 10), (None, 0))  # below the bound
GRACE_KILLIP = (0, 20, 39, 59)
GRACE_CREATININE = ((7, 0.55), (10, 0.25), (13, 0.10), (21, 0.10))  # points, share (0.8-1.2, 1.2-1.6, 1.6-2, 2-4)
GRACE_ARREST, GRACE_ST, GRACE_ENZYMES = 39, 28, 14
P_ST_DEVIATION, P_ENZYMES = 0.5, 0.6  # among coronary syndromes (assumption)
# Chance that the nurse sees a high-risk situation, by group: logit at age 50, and per decade (assumptions).
HIGH_RISK = {"cardiac": -1.8, "respiratory": -2.9, "neurological": -2.0, "trauma": -3.6, "abdominal": -3.4,
             "infection": -3.0, "altered_consciousness": -2.2, "intoxication_psych": -3.2,
             "pain_musculoskeletal": -5.4, "other": -5.4}
HIGH_RISK_PER_DECADE = 0.45
RESOURCES = {"cardiac": 4.5, "respiratory": 4.0, "neurological": 4.5, "trauma": 3.2, "abdominal": 4.0,
             "infection": 4.0, "altered_consciousness": 4.5, "intoxication_psych": 3.5,
             "pain_musculoskeletal": 1.2, "other": 2.0}  # logit of needing two or more resources at age 50
DEATH_INTERCEPT, DEATH_PER_NEWS2_POINT = -6.6, 0.46
DEATH_PER_SHOCK_INDEX_TENTH = 0.2  # per 0.1 of shock index above 0.7, fitted (docs/TRIAGE_MODELS.md)
DEATH_AGE_OR_PER_DECADE = 1.9  # what the GRACE curve gives near its median score (docs/TRIAGE_MODELS.md)
DEATH_GROUP = {"infection": 0.3, "respiratory": 0.2, "neurological": 0.2, "altered_consciousness": 0.2,
               "trauma": -0.3, "abdominal": -0.3, "intoxication_psych": -0.8, "pain_musculoskeletal": -1.5,
               "other": -0.5, "cardiac": 0.0}
ICU_INTERCEPT, ICU_PER_NEWS2_POINT, ICU_PER_DECADE, ICU_HIGH_RISK = -4.6, 0.42, 0.15, 0.9
PAINFUL = ("trauma", "cardiac", "abdominal", "pain_musculoskeletal")
# In the ICU (logit intercepts fitted so the world's rates are the published ones; docs/TRIAGE_MODELS.md):
VENTILATED_IN_ICU = -1.83  # 33 % of ICU admissions ventilated over 12 h (Esteban A et al., JAMA 2002;287:345-55)
DIALYSED_IN_ICU = -3.62  # 4.3 % of ICU patients given renal replacement (Uchino S et al., JAMA 2005;294:813-8)
SEDATED_IF_VENTILATED = 0.72  # sedatives on day 2 of ventilation (Payen JF et al., Anesthesiology 2007;106:687-95)
OPIOID_INTERCEPT = -2.7  # fitted: opioids given in the ED at 8.9 % of adult visits (NCHS Data Brief 338, 2016)


@dataclass(frozen=True)
class Outcomes:
    urgency: NDArray[np.float64]  # (n, 3): P(recorded Critical, Moderate, Low urgency)
    needs: NDArray[np.float64]  # (n, 6) in NEEDS order
    death: NDArray[np.float64]


def outcome_probabilities(cols: Columns, pain_dist: NDArray[np.float64] | None = None,
                          hypo: NDArray[np.float64] | None = None) -> Outcomes:
    """Per row, the probability of every outcome given its TRUE inputs. ``pain_dist`` (n, 11) and ``hypo`` (n,)
    stand for the pain score and for "glucose below 54 mg/dL" when they are not known exactly."""
    if pain_dist is None:
        pain_dist = np.eye(11)[cols["pain_0_10"].astype(int)]
    if hypo is None:
        hypo = (cols["glucose_mg_dl"] < 54).astype(float)
    group = cols["group"].astype(int)
    news2 = news2_totals(cols)
    high_risk = _per_group(HIGH_RISK, group) + HIGH_RISK_PER_DECADE * (cols["age_years"] - 50.0) / 10.0
    p_high_risk = np.asarray(expit(high_risk))
    cardiac = group == GROUP_INDEX["cardiac"]
    death = np.where(cardiac, p_high_risk * grace_death(cols) + (1 - p_high_risk) * general_death(cols, news2),
                     general_death(cols, news2))
    icu_logit = (ICU_INTERCEPT + ICU_PER_NEWS2_POINT * news2 + ICU_PER_DECADE * (cols["age_years"] - 60.0) / 10.0
                 + 0.3 * _is(group, "respiratory", "infection"))
    high_risk_weight = np.where(_is(group, "cardiac", "neurological", "infection") > 0, 1.0, 0.0)
    p_icu = (p_high_risk * expit(icu_logit + ICU_HIGH_RISK * high_risk_weight)
             + (1 - p_high_risk) * expit(icu_logit))
    urgency = recorded_urgency(cols, news2, p_high_risk, pain_dist, hypo)
    return Outcomes(urgency, _needs(cols, p_icu, pain_dist), np.asarray(death))


def news2_totals(cols: Columns) -> NDArray[np.float64]:
    """NEWS2 (RCP 2017, SpO2 scale 1) of every row."""
    total = 2.0 * cols["on_oxygen"] + 3.0 * (cols["consciousness_acvpu"] >= 1)
    for name, column in (("rr", "rr_per_min"), ("spo2", "spo2_pct"), ("sbp", "sbp_mmhg"), ("hr", "hr_bpm"),
                         ("temp", "temp_c")):
        total = total + _points(cols[column], SCALE1_ROWS[name])
    return np.asarray(total)


def _points(values: NDArray[np.float64], rows: tuple[tuple[float | None, int], ...]) -> NDArray[np.float64]:
    out = np.full(len(values), float(rows[-1][1]))
    for bound, points in reversed(rows[:-1]):
        assert bound is not None  # only the last row is open-ended
        out = np.where(values <= bound, float(points), out)
    return out


def _banded(values: NDArray[np.float64], bands: tuple[tuple[int | None, int], ...]) -> NDArray[np.float64]:
    """GRACE points: the first band whose upper bound (exclusive) the value is below."""
    out = np.full(len(values), float(bands[-1][1]))
    for bound, points in reversed(bands[:-1]):
        out = np.where(values < bound, float(points), out)  # type: ignore[operator]
    return out


def grace_probability(points: NDArray[np.float64]) -> NDArray[np.float64]:
    """In-hospital death by GRACE points: the published curve from 60 to 250 points (percent =
    1.289e-5 s^3 - 0.003583 s^2 + 0.3420 s - 10.40); held at its 60-point value below, continued on the logit
    scale above 250 (the paper gives ">52 %")."""
    s = np.clip(points, 60.0, 250.0)
    percent = 1.289e-5 * s ** 3 - 0.003583 * s ** 2 + 0.3420 * s - 10.40
    p = np.clip(percent / 100.0, 5e-5, 0.99)
    above = np.maximum(points - 250.0, 0.0)
    return np.asarray(expit(np.log(p / (1 - p)) + 0.02 * above))


def grace_death(cols: Columns) -> NDArray[np.float64]:
    """P(death) of an acute coronary syndrome: GRACE with Killip class from SpO2, oxygen and blood pressure,
    cardiac arrest as unresponsive, and ST deviation, raised enzymes and creatinine summed out."""
    spo2, sbp = cols["spo2_pct"], cols["sbp_mmhg"]
    killip = np.where(spo2 < 90, 2, np.where((spo2 < 94) | (cols["on_oxygen"] > 0), 1, 0))
    killip = np.where((spo2 < 90) & (sbp < 90), 3, killip)
    known = (_banded(cols["age_years"], GRACE_AGE) + _banded(cols["hr_bpm"], GRACE_HR) + _banded(sbp, GRACE_SBP)
             + np.take(GRACE_KILLIP, killip) + GRACE_ARREST * (cols["consciousness_acvpu"] >= 4))
    total = np.zeros(len(spo2))
    for st, p_st in ((GRACE_ST, P_ST_DEVIATION), (0, 1 - P_ST_DEVIATION)):
        for enzymes, p_enz in ((GRACE_ENZYMES, P_ENZYMES), (0, 1 - P_ENZYMES)):
            for creatinine, p_cr in GRACE_CREATININE:
                total += p_st * p_enz * p_cr * grace_probability(known + st + enzymes + creatinine)
    return total


def general_death(cols: Columns, news2: NDArray[np.float64]) -> NDArray[np.float64]:
    shock_index = cols["hr_bpm"] / np.maximum(cols["sbp_mmhg"], 1.0)
    logit = (DEATH_INTERCEPT + DEATH_PER_NEWS2_POINT * news2
             + DEATH_PER_SHOCK_INDEX_TENTH * np.maximum(shock_index - 0.7, 0.0) * 10.0
             + np.log(DEATH_AGE_OR_PER_DECADE) * (cols["age_years"] - 60.0) / 10.0
             + _per_group(DEATH_GROUP, cols["group"].astype(int)))
    return np.asarray(expit(logit))


def immediate(cols: Columns) -> NDArray[np.bool_]:
    """ESI 1: a life-saving intervention now (unresponsive or responding to pain only, SpO2 under 85 %, systolic
    under 80, heart rate over 150 or under 35, breathing over 35 or under 7 a minute)."""
    return np.asarray((cols["consciousness_acvpu"] >= 3) | (cols["spo2_pct"] < 85) | (cols["sbp_mmhg"] < 80)
                      | (cols["hr_bpm"] > 150) | (cols["hr_bpm"] < 35) | (cols["rr_per_min"] > 35)
                      | (cols["rr_per_min"] < 7))


def esi2_seen(cols: Columns) -> NDArray[np.bool_]:
    """ESI 2 from what the models also see: new confusion or a response to voice only, or oxygen needed."""
    return np.asarray(((cols["consciousness_acvpu"] >= 1) & (cols["consciousness_acvpu"] <= 2))
                      | (cols["on_oxygen"] > 0))


def danger_zone(cols: Columns) -> NDArray[np.bool_]:
    """The handbook's adult danger-zone vital signs (heart rate over 100, breathing over 20, SpO2 under 92 %):
    the nurse then considers ESI 2 and up-triages with ``DANGER_ZONE_UPTRIAGE``."""
    return np.asarray((cols["hr_bpm"] > 100) | (cols["rr_per_min"] > 20) | (cols["spo2_pct"] < 92))


def recorded_urgency(cols: Columns, news2: NDArray[np.float64], p_high_risk: NDArray[np.float64],
                     pain_dist: NDArray[np.float64], hypo: NDArray[np.float64]) -> NDArray[np.float64]:
    group = cols["group"].astype(int)
    severe_pain = pain_dist[:, 7:].sum(axis=1)
    danger = DANGER_ZONE_UPTRIAGE * danger_zone(cols)
    pain = SEVERE_PAIN_UPTRIAGE * severe_pain
    other_esi2 = 1.0 - (1.0 - pain) * (1.0 - hypo) * (1.0 - p_high_risk) * (1.0 - danger)
    critical = np.where(immediate(cols) | esi2_seen(cols), 1.0, other_esi2)
    resources = expit(_per_group(RESOURCES, group) + 0.3 * (cols["age_years"] - 50.0) / 10.0 + 0.25 * news2)
    low = (1.0 - critical) * (1.0 - resources)
    moderate = 1.0 - critical - low
    recorded_critical = (1 - UNDER_TRIAGE) * critical + OVER_TRIAGE * moderate
    recorded_low = (1 - OVER_TRIAGE) * low + UNDER_TRIAGE * moderate
    return np.column_stack([recorded_critical, 1.0 - recorded_critical - recorded_low, recorded_low])


def _needs(cols: Columns, p_icu: NDArray[np.float64], pain_dist: NDArray[np.float64]) -> NDArray[np.float64]:
    parts = need_parts(cols, pain_dist)
    follow = p_icu[:, None] * parts.marginal(parts.in_icu) + (1.0 - p_icu[:, None]) * parts.marginal(parts.out_icu)
    return np.column_stack([p_icu, follow, parts.opioids])


@dataclass(frozen=True)
class NeedParts:
    """The needs that follow ICU admission, if admitted (``in_icu``) and if not (``out_icu``), each (n, 4):
    P(ventilation), P(vasopressors), P(dialysis) and P(sedation if NOT ventilated); a ventilated patient is
    sedated with ``SEDATED_IF_VENTILATED``. ``opioids`` (n,) follows pain alone."""

    in_icu: NDArray[np.float64]
    out_icu: NDArray[np.float64]
    opioids: NDArray[np.float64]

    @staticmethod
    def marginal(part: NDArray[np.float64]) -> NDArray[np.float64]:
        """``part`` with its sedation column made P(sedation), ventilated or not."""
        ventilated = part[:, 0]
        sedated = ventilated * SEDATED_IF_VENTILATED + (1.0 - ventilated) * part[:, 3]
        return np.column_stack([part[:, :3], sedated])


def need_parts(cols: Columns, pain_dist: NDArray[np.float64]) -> NeedParts:
    """The needs as ``NeedParts``. Their rates in the ICU are fitted to published ones (ventilation: Esteban
    2002; dialysis: Uchino 2005; sedation of the ventilated: Payen 2007; docs/TRIAGE_MODELS.md); which inputs
    raise each, and by how much, are assumptions (the monotone directions hold); opioids follow pain."""
    group = cols["group"].astype(int)
    hypoxia = (100.0 - cols["spo2_pct"] - 3.0) / 4.0
    shock = (cols["hr_bpm"] / cols["sbp_mmhg"] - 0.7) / 0.25
    tachypnoea = np.maximum(cols["rr_per_min"] - 18.0, 0.0) / 5.0
    unconscious, older = cols["consciousness_acvpu"], (cols["age_years"] - 55.0) / 20.0
    infection, intox = _is(group, "infection"), _is(group, "intoxication_psych")
    in_icu = np.column_stack([
        VENTILATED_IN_ICU + 0.7 * hypoxia + 0.6 * unconscious + 0.3 * tachypnoea + 0.5 * cols["on_oxygen"],
        -1.6 + 1.0 * shock + 0.5 * infection + 0.1 * older,
        DIALYSED_IN_ICU + 0.4 * older + 0.5 * infection + 0.3 * shock,
        -2.2 + 0.3 * unconscious + 1.0 * intox])
    out_icu = np.column_stack([-7.0 + 0.7 * hypoxia + 0.6 * unconscious, -7.5 + 1.0 * shock + 0.1 * older,
                               -7.0 + 0.4 * older, -5.5 + 1.2 * intox])
    base = OPIOID_INTERCEPT - 0.4 * unconscious + 0.8 * _is(group, *PAINFUL)
    pain_logit = base[:, None] + 0.35 * (np.arange(11) - 5.0)
    opioids = (pain_dist * expit(pain_logit)).sum(axis=1)
    return NeedParts(np.asarray(expit(in_icu)), np.asarray(expit(out_icu)), np.asarray(opioids))


def _per_group(values: dict[str, float], group: NDArray[np.int64]) -> NDArray[np.float64]:
    return np.asarray([values[g] for g in GROUP_NAMES])[group]


def _is(group: NDArray[np.int64], *names: str) -> NDArray[np.float64]:
    return np.isin(group, [GROUP_INDEX[n] for n in names]).astype(float)
