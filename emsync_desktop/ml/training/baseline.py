"""NEWS2 on the same held-out rows, as the rule-based baseline every model is compared with."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

from emsync_desktop.domain.news2 import News2Band, compute_news2
from emsync_desktop.domain.triage import ACVPU_ORDER, FEATURE_NAMES
from emsync_desktop.domain.vitals import Vitals

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def vitals_of_row(row: NDArray[np.float64]) -> Vitals:
    value = {name: (None if math.isnan(x) else float(x)) for name, x in zip(FEATURE_NAMES, row, strict=True)}
    oxygen, acvpu = value["on_oxygen"], value["consciousness_acvpu"]
    return Vitals(
        taken_at=_EPOCH, hr_bpm=value["hr_bpm"], rr_per_min=value["rr_per_min"], spo2_pct=value["spo2_pct"],
        on_oxygen=None if oxygen is None else bool(oxygen), sbp_mmhg=value["sbp_mmhg"],
        dbp_mmhg=value["dbp_mmhg"], temp_c=value["temp_c"],
        consciousness=None if acvpu is None else ACVPU_ORDER[int(acvpu)],
    )


def news2_scores(features: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """NEWS2 total (missing parameters count 0) and a three-class call from its band:
    high → Critical, medium or single 3 → Moderate, low or zero → Low urgency."""
    totals, calls = [], []
    for row in features:
        news2 = compute_news2(vitals_of_row(row), 1)
        totals.append(news2.total)
        calls.append(0 if news2.band is News2Band.HIGH else
                     1 if news2.band in (News2Band.MEDIUM, News2Band.LOW_MEDIUM) else 2)
    return np.array(totals, dtype=float), np.array(calls, dtype=np.int64)
