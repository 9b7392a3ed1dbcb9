"""Routing: the fallback chain, OpenRouteService against a loopback stand-in, Valhalla on real tiles."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from emsync_desktop.geo.eta import Eta, EtaSource, LatLon
from emsync_desktop.geo.roads import RoadData
from emsync_desktop.geo.routing import (
    FallbackRouter,
    OpenRouteServiceRouter,
    RoutingUnavailable,
    ValhallaRouter,
    router_for,
)
from tests.e2e.server_process import free_port

CENTRAL_STATION = LatLon(60.1710, 24.9414)
KALLIO = LatLon(60.1841, 24.9496)
PUNAVUORI = LatLon(60.1614, 24.9386)
KOCHI = LatLon(9.999, 76.2875)


class Broken:
    def etas(self, origin: LatLon, targets: Sequence[LatLon]) -> list[Eta | None]:
        raise RoutingUnavailable("Online routing quota used up for now.")


class KnowsFirstOnly:
    def etas(self, origin: LatLon, targets: Sequence[LatLon]) -> list[Eta | None]:
        return [Eta(60, 500, EtaSource.OFFLINE)] + [None] * (len(targets) - 1)


def test_fallback_goes_down_the_chain_and_ends_with_an_estimate() -> None:
    result = FallbackRouter([Broken(), KnowsFirstOnly()]).etas(CENTRAL_STATION, [KALLIO, PUNAVUORI])
    assert [e.source for e in result.etas] == [EtaSource.OFFLINE, EtaSource.ESTIMATE]
    assert result.notes == ("Online routing quota used up for now.",)


def test_no_router_at_all_still_gives_every_hospital_an_estimate() -> None:
    result = FallbackRouter([]).etas(CENTRAL_STATION, [KALLIO])
    assert result.etas[0].source is EtaSource.ESTIMATE and result.etas[0].eta_s > 0


def test_without_roads_or_key_the_app_estimates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTESERVICE_API_KEY", raising=False)
    assert router_for(tmp_path).routers == []


# ---- OpenRouteService, against a stand-in on loopback ---------------------------------------

class _Stub(BaseHTTPRequestHandler):
    status: ClassVar[int] = 200
    seen: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Stub.seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if "directions" in self.path:
            (lon0, lat0), (lon1, lat1) = body["coordinates"]
            payload: dict[str, object] = {"features": [{
                "properties": {"summary": {"duration": 300.0, "distance": 2500.0}},
                "geometry": {"coordinates": [[lon0, lat0], [(lon0 + lon1) / 2, lat0], [lon1, lat1]]}}]}
        else:
            n = len(body["destinations"])
            payload = {"durations": [[120.0 * (i + 1) for i in range(n)]],
                       "distances": [[1000.0 * (i + 1) for i in range(n)]]}
        data = json.dumps(payload if _Stub.status == 200 else {"error": "x"}).encode()
        self.send_response(_Stub.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def ors_stub() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Stub.status, _Stub.seen = 200, []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_online_matrix_sends_the_key_and_reads_times(ors_stub: str) -> None:
    etas = OpenRouteServiceRouter("test-key", ors_stub).etas(KOCHI, [KOCHI, KOCHI])
    assert [(e.eta_s, e.distance_m, e.source) for e in etas if e] == [(120, 1000, EtaSource.ONLINE),
                                                                     (240, 2000, EtaSource.ONLINE)]
    assert _Stub.seen[0]["path"] == "/v2/matrix/driving-car" and _Stub.seen[0]["auth"] == "test-key"


@pytest.mark.parametrize(("status", "words"), [(429, "quota"), (403, "API key"), (500, "HTTP 500")])
def test_online_errors_become_reasons_a_person_can_read(ors_stub: str, status: int, words: str) -> None:
    _Stub.status = status
    with pytest.raises(RoutingUnavailable, match=words):
        OpenRouteServiceRouter("test-key", ors_stub).etas(KOCHI, [KOCHI])


def test_unreachable_online_service_is_unavailable_not_an_error() -> None:
    with pytest.raises(RoutingUnavailable, match="not reachable"):
        OpenRouteServiceRouter("k", f"http://127.0.0.1:{free_port()}", timeout_s=(0.5, 0.5)).etas(KOCHI, [KOCHI])


# ---- Valhalla on tiles built from the real Helsinki extract ---------------------------------

def test_import_records_what_it_covers(helsinki_roads: RoadData) -> None:
    assert helsinki_roads.source == "Helsinki.osm.pbf" and helsinki_roads.tiles >= 1
    assert helsinki_roads.coverage.contains(CENTRAL_STATION) and not helsinki_roads.coverage.contains(KOCHI)


def test_offline_matrix_agrees_with_single_routes(helsinki_roads: RoadData) -> None:
    router = ValhallaRouter(helsinki_roads)
    matrix = router.etas(CENTRAL_STATION, [KALLIO, PUNAVUORI])
    for target, eta in zip((KALLIO, PUNAVUORI), matrix, strict=True):
        single, shape = router.route(CENTRAL_STATION, target)
        assert eta is not None and eta.source is EtaSource.OFFLINE
        assert abs(eta.eta_s - single.eta_s) <= 0.05 * single.eta_s + 5
        assert 500 < single.distance_m < 5_000 and len(shape) > 2
        assert abs(shape[0].lat - CENTRAL_STATION.lat) < 0.005


def test_ambulance_outside_the_imported_area_falls_back_with_a_reason(helsinki_roads: RoadData) -> None:
    result = FallbackRouter([ValhallaRouter(helsinki_roads)]).etas(KOCHI, [KOCHI])
    assert result.etas[0].source is EtaSource.ESTIMATE
    assert "outside the imported road data (Helsinki.osm.pbf)" in result.notes[0]


def test_hospitals_outside_the_area_get_estimates_the_rest_road_times(helsinki_roads: RoadData) -> None:
    result = FallbackRouter([ValhallaRouter(helsinki_roads)]).etas(CENTRAL_STATION, [KALLIO, KOCHI])
    assert [e.source for e in result.etas] == [EtaSource.OFFLINE, EtaSource.ESTIMATE]


def test_online_directions_give_the_route_to_draw(ors_stub: str) -> None:
    from emsync_desktop.services.hospital_ranking import HospitalRankingService

    service = HospitalRankingService(FallbackRouter([OpenRouteServiceRouter("k", ors_stub)]))
    shape = service.route_shape(KOCHI, LatLon(10.0465, 76.2755))
    assert shape[0] == KOCHI and shape[-1] == LatLon(10.0465, 76.2755) and len(shape) == 3
    assert _Stub.seen[-1]["path"] == "/v2/directions/driving-car/geojson"


def test_no_router_that_can_route_means_no_line_on_the_map(ors_stub: str) -> None:
    from emsync_desktop.services.hospital_ranking import HospitalRankingService

    _Stub.status = 503
    service = HospitalRankingService(FallbackRouter([OpenRouteServiceRouter("k", ors_stub)]))
    assert service.route_shape(KOCHI, LatLon(10.0465, 76.2755)) == []
