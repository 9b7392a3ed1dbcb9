"""Where the ambulance is, in the real window: GPS from NMEA, its problems, the demo's simulated drive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from emsync_desktop.geo.position import SimulatedDrive
from emsync_desktop.services.bootstrap import AppContext
from emsync_desktop.services.runner import DbRunner
from emsync_desktop.ui.main_window import MainWindow
from emsync_desktop.ui.paramedic import hospital_chooser
from emsync_desktop.ui.tasks import TaskRelay
from emsync_desktop.ui.theme import LIGHT
from tests.geo.test_position import KOCHI_RMC, NO_FIX_GGA
from tests.ui.test_hospital_ranking import open_hospital_tab


@pytest.fixture(autouse=True)
def fast_position_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hospital_chooser, "POSITION_POLL_MS", 50)


@pytest.fixture
def gps_window(qtbot: QtBot, app_context: AppContext, tmp_path: Path) -> Iterator[tuple[MainWindow, Path]]:
    log = tmp_path / "gps.nmea"
    log.write_text("")
    runner = DbRunner()
    window = MainWindow(app_context, TaskRelay(runner), LIGHT, gps=log)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    yield window, log
    window.close()
    runner.shutdown()


def test_gps_fix_places_the_ambulance_and_ranks_from_there(qtbot: QtBot, gps_window: tuple[MainWindow, Path]) -> None:
    window, log = gps_window
    log.write_text(KOCHI_RMC + "\n")  # at Lourdes Hospital
    panel = open_hospital_tab(qtbot, window)
    qtbot.waitUntil(lambda: "Ranked from the GPS" in panel.routing_note.text(), timeout=15_000)

    def eta_of(name: str) -> str:
        return next(panel.hospitals.item(r, 1).text() for r in range(panel.hospitals.rowCount())  # type: ignore[union-attr]
                    if panel.hospitals.item(r, 0).text() == name)  # type: ignore[union-attr]

    qtbot.waitUntil(lambda: eta_of("Lourdes") == "≈ 0 min", timeout=10_000)
    assert eta_of("Rajagiri") not in ("≈ 0 min", "…")


def test_gps_without_fix_says_so_and_uses_the_start_point(qtbot: QtBot,
                                                            gps_window: tuple[MainWindow, Path]) -> None:
    window, log = gps_window
    log.write_text(NO_FIX_GGA + "\n")
    panel = open_hospital_tab(qtbot, window)
    qtbot.waitUntil(lambda: "no satellite fix" in panel.routing_note.text(), timeout=15_000)
    assert "demo start point" in panel.routing_note.text()


def test_demo_drive_starts_when_the_case_is_sent(qtbot: QtBot, window: MainWindow) -> None:
    panel = open_hospital_tab(qtbot, window)
    panel.send_selected()
    qtbot.waitUntil(lambda: isinstance(panel.chooser.source, SimulatedDrive), timeout=10_000)
    qtbot.waitUntil(lambda: "Ranked from the simulated drive" in panel.routing_note.text(), timeout=10_000)
