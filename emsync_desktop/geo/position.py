"""Where the ambulance is: GPS (NMEA 0183 from a serial device or a file), a simulated drive, a fixed point.

Every source answers ``latest()`` from memory (thread-safe, no I/O), so the GUI may poll it; a GPS
source reads its device on its own daemon thread. ``problem`` says, in words for the paramedic, why
the position may be stale (no satellite fix, device unreadable); the last good fix is kept.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Protocol

from emsync_desktop.geo.eta import LatLon, haversine_m


@dataclass(frozen=True)
class Fix:
    point: LatLon
    source: str  # "GPS", "simulated drive", "demo start point"
    at: datetime
    satellites: int | None = None


class PositionSource(Protocol):
    def latest(self) -> Fix | None: ...

    @property
    def problem(self) -> str | None: ...

    def stop(self) -> None: ...


class FixedPosition:
    """A point that does not move (the demo's start point): each reading is a fix taken now, as a GPS standing
    still gives, so reports of it keep coming (an unchanging time would look like a position never renewed)."""

    def __init__(self, point: LatLon, label: str) -> None:
        self._point, self._label = point, label

    def latest(self) -> Fix | None:
        return Fix(self._point, self._label, datetime.now(UTC))

    @property
    def problem(self) -> str | None:
        return None

    def stop(self) -> None:
        pass


class SimulatedDrive:
    """Demo mode: the ambulance drives along ``path`` at ``speed_kmh`` from the moment it is made."""

    def __init__(self, path: Sequence[LatLon], speed_kmh: float = 40.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if len(path) < 2:
            raise ValueError("a drive needs at least two points")
        self._path = list(path)
        self._legs = [haversine_m(a, b) for a, b in pairwise(self._path)]
        self._speed_mps = speed_kmh / 3.6
        self._clock = clock
        self._start = clock()

    @property
    def length_m(self) -> float:
        return sum(self._legs)

    def latest(self) -> Fix | None:
        travelled = (self._clock() - self._start) * self._speed_mps
        return Fix(_along(self._path, self._legs, travelled), "simulated drive", datetime.now(UTC))

    @property
    def arrived(self) -> bool:
        return (self._clock() - self._start) * self._speed_mps >= self.length_m

    @property
    def problem(self) -> str | None:
        return None

    def stop(self) -> None:
        pass


def _along(path: list[LatLon], legs: list[float], distance_m: float) -> LatLon:
    for (a, b), leg in zip(pairwise(path), legs, strict=True):
        if distance_m <= leg and leg > 0:
            t = distance_m / leg
            return LatLon(a.lat + (b.lat - a.lat) * t, a.lon + (b.lon - a.lon) * t)
        distance_m -= leg
    return path[-1]


# ---- NMEA 0183 -------------------------------------------------------------------------------

@dataclass(frozen=True)
class NmeaReading:
    point: LatLon | None  # None: the receiver says it has no fix
    satellites: int | None = None


def parse_nmea(line: str) -> NmeaReading | None:
    """One sentence (RMC or GGA, any talker) → a reading; None for other sentences or a bad checksum."""
    line = line.strip()
    if not line.startswith("$") or "*" not in line:
        return None
    body, _, checksum = line[1:].partition("*")
    try:
        if int(checksum[:2], 16) != _checksum(body):
            return None
    except ValueError:
        return None
    fields = body.split(",")
    kind = fields[0][-3:]
    try:
        if kind == "RMC" and len(fields) >= 7:
            return NmeaReading(_point(fields[3:7]) if fields[2] == "A" else None)
        if kind == "GGA" and len(fields) >= 8:
            quality, satellites = int(fields[6] or 0), int(fields[7] or 0)
            return NmeaReading(_point(fields[2:6]) if quality > 0 else None, satellites)
    except ValueError:
        return None
    return None


def _checksum(body: str) -> int:
    value = 0
    for char in body:
        value ^= ord(char)
    return value


def _point(f: list[str]) -> LatLon | None:
    """``ddmm.mmmm, N|S, dddmm.mmmm, E|W`` → degrees."""
    if not f[0] or not f[2]:
        return None
    lat = int(float(f[0]) / 100) + math.fmod(float(f[0]), 100) / 60
    lon = int(float(f[2]) / 100) + math.fmod(float(f[2]), 100) / 60
    return LatLon(-lat if f[1] == "S" else lat, -lon if f[3] == "W" else lon)


class NmeaSource:
    """GPS from NMEA sentences in ``path``: a serial device (e.g. /dev/ttyUSB0, configured by the OS)
    or a file a logger writes (followed like ``tail -f``). Reads on a daemon thread."""

    def __init__(self, path: Path, poll_s: float = 0.5) -> None:
        self._path = path
        self._poll_s = poll_s
        self._lock = threading.Lock()
        self._fix: Fix | None = None
        self._problem: str | None = "Waiting for the GPS…"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="emsync-gps", daemon=True)
        self._thread.start()

    def latest(self) -> Fix | None:
        with self._lock:
            return self._fix

    @property
    def problem(self) -> str | None:
        with self._lock:
            return self._problem

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._path.open("r", encoding="ascii", errors="replace") as stream:
                    self._follow(stream)
            except OSError as exc:
                self._set_problem(f"GPS not readable ({self._path}: {exc.strerror}); using the last known position.")
            self._stop.wait(self._poll_s * 4)

    def _follow(self, stream: object) -> None:
        readline = stream.readline  # type: ignore[attr-defined]
        while not self._stop.is_set():
            line = readline()
            if not line:
                self._stop.wait(self._poll_s)
                continue
            reading = parse_nmea(line)
            if reading is not None:
                self._take(reading)

    def _take(self, reading: NmeaReading) -> None:
        with self._lock:
            if reading.point is None:
                sats = f", {reading.satellites} satellites" if reading.satellites is not None else ""
                self._problem = f"GPS has no satellite fix{sats}; using the last known position."
                return
            self._fix = Fix(reading.point, "GPS", datetime.now(UTC), reading.satellites)
            self._problem = None

    def _set_problem(self, text: str) -> None:
        with self._lock:
            self._problem = text
