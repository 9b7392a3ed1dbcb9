"""Travel times from the ambulance to many hospitals: online service, offline road graph, estimate.

``FallbackRouter`` asks each router in order for the hospitals still without a time and ends with
the straight-line estimate, so every hospital always gets an ETA and says where it came from; why a
router was skipped goes into ``RoutingResult.notes`` for the screen.
Threading: blocking (network, disk); call from a worker thread, never the GUI thread.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import requests

from emsync_desktop.geo.eta import Eta, EtaSource, LatLon, straight_line_eta
from emsync_desktop.geo.roads import RoadData, load_road_data

ORS_URL = "https://api.openrouteservice.org"
ORS_KEY_ENV = "OPENROUTESERVICE_API_KEY"
USER_AGENT = "EMsync-Desktop/0.1 (offline-first ambulance coordination)"


class RoutingUnavailable(RuntimeError):
    """This router cannot answer now; ``str()`` says why in words for the paramedic."""


class Router(Protocol):
    def etas(self, origin: LatLon, targets: Sequence[LatLon]) -> list[Eta | None]: ...


@dataclass(frozen=True)
class RoutingResult:
    etas: list[Eta]
    notes: tuple[str, ...]


class FallbackRouter:
    def __init__(self, routers: Sequence[Router]) -> None:
        self.routers = list(routers)

    def etas(self, origin: LatLon, targets: Sequence[LatLon]) -> RoutingResult:
        found: list[Eta | None] = [None] * len(targets)
        notes: list[str] = []
        for router in self.routers:
            missing = [i for i, eta in enumerate(found) if eta is None]
            if not missing:
                break
            try:
                answers = router.etas(origin, [targets[i] for i in missing])
            except RoutingUnavailable as exc:
                notes.append(str(exc))
                continue
            for i, eta in zip(missing, answers, strict=True):
                found[i] = eta
        return RoutingResult([eta or straight_line_eta(origin, t) for eta, t in zip(found, targets, strict=True)],
                             tuple(notes))


class ValhallaRouter:
    """In-process routing on imported tiles. The Valhalla actor is built on first use and reused;
    calls are serialized (one lock) because the actor is not documented as thread-safe."""

    def __init__(self, roads: RoadData) -> None:
        self.roads = roads
        self._actor: Any = None
        self._lock = threading.Lock()

    def etas(self, origin: LatLon, targets: Sequence[LatLon]) -> list[Eta | None]:
        if not self.roads.coverage.contains(origin):
            raise RoutingUnavailable(f"The ambulance is outside the imported road data ({self.roads.source}).")
        inside = [i for i, t in enumerate(targets) if self.roads.coverage.contains(t)]
        result: list[Eta | None] = [None] * len(targets)
        if not inside:
            return result
        request = {"sources": [_loc(origin)], "targets": [_loc(targets[i]) for i in inside], "costing": "auto",
                   "date_time": {"type": 0}}
        cells = self._call("matrix", request)["sources_to_targets"][0]
        for i, cell in zip(inside, cells, strict=True):
            if cell.get("time") is not None:
                result[i] = Eta(float(cell["time"]), float(cell["distance"]) * 1000.0, EtaSource.OFFLINE)
        return result

    def route(self, origin: LatLon, target: LatLon) -> tuple[Eta, list[LatLon]]:
        """Time, distance and the road geometry, for drawing and for the transfer's ETA."""
        answer = self._call("route", {"locations": [_loc(origin), _loc(target)], "costing": "auto"})
        leg = answer["trip"]["legs"][0]
        summary = answer["trip"]["summary"]
        eta = Eta(float(summary["time"]), float(summary["length"]) * 1000.0, EtaSource.OFFLINE)
        return eta, decode_polyline6(leg["shape"])

    def _call(self, action: str, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            try:
                if self._actor is None:
                    self._actor = _make_actor(self.roads.tiles_dir)
                answer = getattr(self._actor, action)(request)
            except Exception as exc:  # ValhallaError and RuntimeError from the C++ side
                raise RoutingUnavailable(f"Offline routing failed here ({_short(exc)}).") from exc
        return json.loads(answer) if isinstance(answer, str) else dict(answer)


def _make_actor(tiles_dir: Path) -> Any:
    import valhalla  # heavy: loaded on first route only

    return valhalla.Actor(valhalla.get_config(tile_extract="", tile_dir=str(tiles_dir), verbose=False))


class OpenRouteServiceRouter:
    """Online matrix from OpenRouteService. The key comes from the environment, never from files."""

    def __init__(self, api_key: str, base_url: str = ORS_URL, timeout_s: tuple[float, float] = (2.0, 5.0)) -> None:
        self._key = api_key
        self._url = base_url.rstrip("/")
        self._timeout = timeout_s
        self._http = requests.Session()
        self._http.headers.update({"User-Agent": USER_AGENT, "Authorization": api_key})

    def etas(self, origin: LatLon, targets: Sequence[LatLon]) -> list[Eta | None]:
        body: dict[str, Any] = {"locations": [[p.lon, p.lat] for p in (origin, *targets)], "sources": [0],
                "destinations": list(range(1, len(targets) + 1)), "metrics": ["duration", "distance"]}
        data = self._post("/v2/matrix/driving-car", body)
        try:
            durations, distances = data["durations"][0], data["distances"][0]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise RoutingUnavailable("Online routing sent an answer EMsync cannot read.") from exc
        return [Eta(float(t), float(d), EtaSource.ONLINE) if t is not None and d is not None else None
                for t, d in zip(durations, distances, strict=True)]

    def route(self, origin: LatLon, target: LatLon) -> tuple[Eta, list[LatLon]]:
        """Time, distance and road geometry from the online directions service."""
        body = {"coordinates": [[origin.lon, origin.lat], [target.lon, target.lat]]}
        data = self._post("/v2/directions/driving-car/geojson", body)
        try:
            feature = data["features"][0]
            summary = feature["properties"]["summary"]
            shape = [LatLon(lat, lon) for lon, lat in feature["geometry"]["coordinates"]]
            return Eta(float(summary["duration"]), float(summary["distance"]), EtaSource.ONLINE), shape
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise RoutingUnavailable("Online routing sent an answer EMsync cannot read.") from exc


    def _post(self, path: str, body: dict[str, Any]) -> Any:
        try:
            response = self._http.post(f"{self._url}{path}", json=body, timeout=self._timeout)
        except requests.RequestException as exc:
            raise RoutingUnavailable(f"Online routing not reachable ({type(exc).__name__}).") from exc
        if response.status_code in (401, 403):
            raise RoutingUnavailable("Online routing refused the API key: check OPENROUTESERVICE_API_KEY.")
        if response.status_code == 429:
            raise RoutingUnavailable("Online routing quota used up for now.")
        if response.status_code >= 400:
            raise RoutingUnavailable(f"Online routing answered HTTP {response.status_code}.")
        try:
            return response.json()
        except ValueError as exc:
            raise RoutingUnavailable("Online routing sent an answer EMsync cannot read.") from exc


def router_for(data_dir: Path) -> FallbackRouter:
    """Online service when a key is set, the offline road graph when roads were imported, else estimates."""
    routers: list[Router] = []
    if key := os.environ.get(ORS_KEY_ENV, "").strip():
        routers.append(OpenRouteServiceRouter(key, os.environ.get("EMSYNC_ORS_URL", ORS_URL)))
    if roads := load_road_data(data_dir):
        routers.append(ValhallaRouter(roads))
    return FallbackRouter(routers)


def decode_polyline6(encoded: str) -> list[LatLon]:
    """Valhalla's shapes: Google polyline encoding with six decimals."""
    points: list[LatLon] = []
    index = lat = lon = 0
    while index < len(encoded):
        deltas = []
        for _ in range(2):
            shift = result = 0
            while True:
                byte = ord(encoded[index]) - 63
                index += 1
                result |= (byte & 0x1F) << shift
                shift += 5
                if byte < 0x20:
                    break
            deltas.append(~(result >> 1) if result & 1 else result >> 1)
        lat += deltas[0]
        lon += deltas[1]
        points.append(LatLon(lat / 1e6, lon / 1e6))
    return points


def _loc(p: LatLon) -> dict[str, float]:
    return {"lat": p.lat, "lon": p.lon}


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]
