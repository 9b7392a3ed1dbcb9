"""Made-up case mix for the demo server only (issue 25): 120 days of transfers counted by age band, sex, complaint
group and severity, marked ``synthetic``, so the desk's case mix and its test have something to show.

Built with associations a coordinator would recognise, so the test has something to find: cardiac, neurological
and respiratory cases are more often Critical and older; trauma is younger and more often male; intoxication and
psychiatric cases are mostly Low urgency. The numbers are invented, not taken from any source.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from emsync_desktop.domain.case_mix import AGE_BANDS, SEVERITIES
from sync_server.case_mix_days import publish_case_mix_day
from sync_server.models_forecast import CaseMixDay

# complaint group: (share of transfers, P(Critical), P(Moderate), age weights per AGE_BANDS, P(male))
_GROUPS = {
    "cardiac": (0.16, 0.40, 0.45, (0.01, 0.08, 0.36, 0.35, 0.20), 0.60),
    "respiratory": (0.13, 0.30, 0.50, (0.10, 0.12, 0.28, 0.30, 0.20), 0.52),
    "neurological": (0.10, 0.38, 0.42, (0.03, 0.10, 0.32, 0.33, 0.22), 0.53),
    "trauma": (0.18, 0.22, 0.43, (0.12, 0.40, 0.30, 0.12, 0.06), 0.68),
    "abdominal": (0.11, 0.10, 0.55, (0.08, 0.32, 0.35, 0.17, 0.08), 0.47),
    "infection": (0.10, 0.18, 0.52, (0.15, 0.20, 0.28, 0.22, 0.15), 0.50),
    "altered_consciousness": (0.07, 0.30, 0.45, (0.04, 0.14, 0.30, 0.30, 0.22), 0.52),
    "intoxication_psych": (0.06, 0.08, 0.30, (0.08, 0.55, 0.30, 0.05, 0.02), 0.62),
    "pain_musculoskeletal": (0.05, 0.03, 0.37, (0.05, 0.35, 0.38, 0.15, 0.07), 0.48),
    "other": (0.04, 0.10, 0.45, (0.10, 0.30, 0.30, 0.18, 0.12), 0.50),
}
PER_DAY = 150


def seed_demo_case_mix(session: Session, now: datetime, *, days: int = 120, seed: int = 2026) -> bool:
    """Write ``days`` made-up days ending yesterday, unless the server has any case mix."""
    if session.scalar(select(func.count()).select_from(CaseMixDay)):
        return False
    rng = np.random.default_rng(seed)
    names = list(_GROUPS)
    shares = np.array([g[0] for g in _GROUPS.values()])
    for back in range(days, 0, -1):
        day = (now - timedelta(days=back)).date()
        tally: Counter[tuple[str, str, str, str]] = Counter()
        for index in rng.choice(len(names), size=rng.poisson(PER_DAY), p=shares / shares.sum()):
            tally[_case(rng, names[index])] += 1
        counts = sorted([*key, n] for key, n in tally.items())
        row = CaseMixDay(day=day.isoformat(), version=1, counts=counts, synthetic=True)
        session.add(row)
        publish_case_mix_day(session, row, now)  # feed rows are recorded in time order: all at seeding
    return True


def _case(rng: np.random.Generator, group: str) -> tuple[str, str, str, str]:
    _share, critical, moderate, ages, male = _GROUPS[group]
    severity = SEVERITIES[int(rng.choice(3, p=[critical, moderate, 1 - critical - moderate]))]
    age = AGE_BANDS[int(rng.choice(len(AGE_BANDS), p=np.array(ages) / sum(ages)))]
    return age, "male" if rng.random() < male else "female", group, severity
