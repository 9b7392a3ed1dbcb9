"""The demo network's beds and their starting states, shared by client and server seeds.

Pure: takes the parsed ``resources/demo_network.json`` and returns the plan; the
same input gives the same beds, ids and statuses on every machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from emsync_desktop.domain.ids import demo_id


@dataclass(frozen=True)
class DemoBed:
    id: str
    hospital_id: str
    unit: str
    label: str
    status: str


def demo_beds(network: dict[str, Any]) -> list[DemoBed]:
    rng = random.Random(2026)
    mix: dict[str, float] = network["bed_status_mix"]
    beds = []
    for spec in network["hospitals"]:
        hospital_id = demo_id("hospital", spec["short_name"])
        for unit, count in spec["units"].items():
            for n in range(1, count + 1):
                status = rng.choices(list(mix), weights=list(mix.values()))[0]
                label = f"{unit}-{n:02d}"
                beds.append(DemoBed(demo_id("bed", f"{spec['short_name']}/{label}"), hospital_id, unit, label, status))
    return beds
