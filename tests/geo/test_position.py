from __future__ import annotations

import time
from pathlib import Path

import pytest

from emsync_desktop.geo.eta import LatLon, haversine_m
from emsync_desktop.geo.position import NmeaSource, SimulatedDrive, parse_nmea


def sentence(body: str) -> str:
    checksum = 0
    for char in body:
        checksum ^= ord(char)
    return f"${body}*{checksum:02X}"


KOCHI_RMC = sentence("GPRMC,101500.00,A,0959.9400,N,07617.2500,E,12.3,90.0,231126,,,A")
KOCHI_GGA = sentence("GNGGA,101500.00,0959.9400,N,07617.2500,E,1,09,0.9,5.0,M,-90.0,M,,")
NO_FIX_GGA = sentence("GPGGA,101501.00,,,,,0,00,99.9,,M,,M,,")


def test_rmc_gives_degrees_from_degrees_and_minutes() -> None:
    reading = parse_nmea(KOCHI_RMC)
    assert reading is not None and reading.point is not None
    assert reading.point.lat == pytest.approx(9.999, abs=1e-6) and reading.point.lon == pytest.approx(76.2875, abs=1e-6)


def test_gga_carries_satellites_and_southern_western_signs() -> None:
    reading = parse_nmea(sentence("GPGGA,1,3352.1280,S,15112.5580,W,1,07,1.0,3,M,0,M,,"))
    assert reading is not None and reading.satellites == 7
    assert reading.point == LatLon(pytest.approx(-33.868800), pytest.approx(-151.209300))  # type: ignore[arg-type]


def test_no_fix_and_void_status_give_no_point() -> None:
    assert parse_nmea(NO_FIX_GGA) == parse_nmea(NO_FIX_GGA) and parse_nmea(NO_FIX_GGA).point is None  # type: ignore[union-attr]
    void = parse_nmea(sentence("GPRMC,101500.00,V,,,,,,,231126,,,N"))
    assert void is not None and void.point is None


@pytest.mark.parametrize("line", [KOCHI_RMC[:-2] + "00", "GPRMC,no,dollar", "$GPXYZ,1,2*00", "", "garbage"])
def test_bad_checksum_and_other_sentences_are_ignored(line: str) -> None:
    assert parse_nmea(line) is None


def wait_for(condition, timeout_s: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_gps_file_is_followed_and_no_fix_keeps_the_last_position(tmp_path: Path) -> None:
    log = tmp_path / "gps.nmea"
    log.write_text(KOCHI_RMC + "\n")
    source = NmeaSource(log, poll_s=0.02)
    try:
        wait_for(lambda: source.latest() is not None)
        assert source.problem is None and source.latest().source == "GPS"  # type: ignore[union-attr]
        with log.open("a") as handle:
            handle.write(NO_FIX_GGA + "\n")
        wait_for(lambda: source.problem is not None)
        assert "no satellite fix, 0 satellites" in source.problem  # type: ignore[operator]
        assert source.latest().point.lat == pytest.approx(9.999, abs=1e-6)  # type: ignore[union-attr]
    finally:
        source.stop()


def test_unreadable_gps_device_is_reported(tmp_path: Path) -> None:
    source = NmeaSource(tmp_path / "ttyUSB9", poll_s=0.02)
    try:
        wait_for(lambda: source.problem is not None and "not readable" in source.problem)
        assert source.latest() is None
    finally:
        source.stop()


def test_simulated_drive_moves_along_the_path_at_its_speed() -> None:
    now = [0.0]
    path = [LatLon(10.0, 76.30), LatLon(10.0, 76.31), LatLon(10.01, 76.31)]
    drive = SimulatedDrive(path, speed_kmh=36.0, clock=lambda: now[0])  # 10 m/s
    assert drive.latest().point == path[0]  # type: ignore[union-attr]
    now[0] = 50.0
    moved = drive.latest().point  # type: ignore[union-attr]
    assert haversine_m(path[0], moved) == pytest.approx(500, rel=0.01) and moved.lat == pytest.approx(10.0)
    now[0] = 10_000.0
    assert drive.latest().point == path[-1] and drive.arrived  # type: ignore[union-attr]
