"""Arrival times from positions on a desk (issue 29): one route at a time whatever the fleet, a redirect routed
again to the new hospital, and an answer overtaken by a newer position never shown."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from emsync_desktop.geo.eta import Eta, EtaSource, LatLon, haversine_m
from emsync_desktop.geo.routing import FallbackRouter
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.services.ward import AmbulanceFix
from emsync_desktop.ui.live_etas import LiveEtas
from emsync_desktop.ui.tasks import TaskRelay

T0 = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
LOURDES, AMRITA = LatLon(9.999, 76.2875), LatLon(10.0325, 76.2935)


class SlowRouter:
    """Metres as seconds, after a pause; counts how many routes ran at once."""

    def __init__(self) -> None:
        self.running = self.most = 0
        self.lock = threading.Lock()

    def etas(self, origin: LatLon, targets: Sequence[LatLon]) -> list[Eta | None]:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.02)
        with self.lock:
            self.running -= 1
        return [Eta(haversine_m(origin, t), haversine_m(origin, t), EtaSource.OFFLINE) for t in targets]


def fix(seconds: float, destination: LatLon = LOURDES) -> AmbulanceFix:
    return AmbulanceFix(LatLon(9.95, 76.29), T0 + timedelta(seconds=seconds), "GPS", destination)


def test_a_fleet_is_routed_one_position_at_a_time(qtbot: QtBot, runner: DbRunner) -> None:
    router = SlowRouter()
    live = LiveEtas(TaskRelay(runner), FallbackRouter([router]))
    live.update({f"t{i}": fix(0) for i in range(12)})
    qtbot.waitUntil(lambda: all(live.get(f"t{i}") is not None for i in range(12)), timeout=5_000)
    assert router.most == 1


def test_a_redirect_is_routed_again_to_the_new_hospital(qtbot: QtBot, runner: DbRunner) -> None:
    live = LiveEtas(TaskRelay(runner), FallbackRouter([SlowRouter()]))
    live.update({"t1": fix(0)})
    qtbot.waitUntil(lambda: live.get("t1") is not None, timeout=5_000)
    to_lourdes = live.get("t1")
    live.update({"t1": fix(0, AMRITA)})  # the same position, another destination
    qtbot.waitUntil(lambda: live.get("t1") != to_lourdes, timeout=5_000)
    assert live.get("t1").eta_s > to_lourdes.eta_s  # type: ignore[union-attr]  # Amrita is farther away


def test_an_answer_overtaken_by_a_newer_position_is_never_shown(qtbot: QtBot, runner: DbRunner) -> None:
    live = LiveEtas(TaskRelay(runner), FallbackRouter([SlowRouter()]))
    live.update({"t1": fix(0)})
    live.update({"t1": fix(15)})  # arrives while the first is being routed
    qtbot.waitUntil(lambda: live.get("t1") is not None and live.get("t1").position_at == fix(15).at,  # type: ignore[union-attr]
                    timeout=5_000)
