"""Card intake benchmark (issue 27): a generated set the reader was not tuned on (seeds 50000+; tuning used 1000-1039
and 3000-3039): 30 cards of each kind, photographed badly (tests/intake/card_set.py). Per field, the exact-match
rate, and how many wrong values were flagged for the person rather than proposed as read; for the zones, how many
were read with every check digit holding and whether any wrong zone passed its checks (it must not). Target: one
card read (image decoded, OCR, zone, codes, fields) in under 1.5 s at p95 on 2 cores."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections import Counter
from datetime import date

from emsync_desktop.domain.card_fields import read_card
from emsync_desktop.domain.card_reading import CardReading
from emsync_desktop.ml.card_ocr import CardReader
from tests.intake.card_set import KINDS, font_names, make_card

TODAY = date(2026, 12, 1)
PER_KIND = 30
FIRST_SEED = 50_000


def _same(read: str, truth: str) -> bool:
    return " ".join(read.casefold().split()) == " ".join(truth.casefold().split())


def test_card_set_field_accuracy_and_speed() -> None:
    reader = CardReader()
    reader.warm_up()
    seconds: list[float] = []
    right, wrong_flagged, wrong_unflagged, missing, total = Counter(), Counter(), Counter(), Counter(), Counter()
    zones = Counter()
    for i in range(PER_KIND * len(KINDS)):
        card = make_card(FIRST_SEED + i, KINDS[i % len(KINDS)], today=TODAY)
        started = time.perf_counter()
        scan = reader.read(card.image_jpeg)
        reading = read_card(list(scan.lines), list(scan.codes), today=TODAY)
        seconds.append(time.perf_counter() - started)
        _score(card.fields, reading, right, wrong_flagged, wrong_unflagged, missing, total)
        if card.mrz:
            zones["cards"] += 1
            zones["checked"] += reading.zone_valid is True
            zones["exact"] += reading.zone_text == card.mrz
            zones["passed but wrong"] += reading.zone_valid is True and reading.zone_text.splitlines()[:2] != \
                card.mrz.splitlines()[:2] and _zone_numbers_differ(reading, card.fields)
    p95 = statistics.quantiles(seconds, n=20)[-1]
    print(f"\n{len(seconds)} cards on {platform.processor() or platform.machine()}, {os.cpu_count()} cores; fonts "
          f"{font_names()}")
    print(f"read time: median {statistics.median(seconds):.2f} s, p95 {p95:.2f} s, max {max(seconds):.2f} s")
    print("field            right   wrong, flagged   wrong, not flagged   not found   of")
    for name in total:
        print(f"{name:15} {right[name] / total[name]:6.1%}   {wrong_flagged[name]:14}   {wrong_unflagged[name]:18}   "
              f"{missing[name]:9}   {total[name]}")
    print(f"zones: {zones['cards']} cards with one; all check digits held on {zones['checked']}, zone exact on "
          f"{zones['exact']}; passed its checks yet wrong: {zones['passed but wrong']}")
    assert zones["passed but wrong"] == 0
    assert p95 < 1.5


def _score(truth: dict[str, str], reading: CardReading, right: Counter[str], wrong_flagged: Counter[str],
           wrong_unflagged: Counter[str], missing: Counter[str], total: Counter[str]) -> None:
    proposals = {p.field.value: p for p in reading.proposals}
    for name, value in truth.items():
        total[name] += 1
        proposal = proposals.get(name)
        if proposal is None:
            missing[name] += 1
        elif _same(proposal.value, value):
            right[name] += 1
        elif proposal.flag:
            wrong_flagged[name] += 1
        else:
            wrong_unflagged[name] += 1


def _zone_numbers_differ(reading: CardReading, truth: dict[str, str]) -> bool:
    got = {p.field.value: p.value for p in reading.proposals}
    return any(got.get(k) != truth[k] for k in ("id_number", "date_of_birth"))
