"""The map page as HTML: everything it loads is on this machine; the basemap is never empty."""

from __future__ import annotations

import json
import re

from emsync_desktop.geo.eta import LatLon
from emsync_desktop.geo.map_page import NO_MAP_NOTE, OSM_ATTRIBUTION, HospitalPin, MapScene, build_map_page
from emsync_desktop.geo.roads import RoadData

KOCHI = LatLon(10.0159, 76.3419)
SCENE = MapScene(KOCHI, [HospitalPin("h1", "Lourdes", 9.999, 76.2875, 2, "ICU", "≈ 15 min", 1)], KOCHI,
                 route=[KOCHI, LatLon(9.999, 76.2875)], selected="h1")


def loaded_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)


def test_page_loads_leaflet_and_plugins_from_local_files_only() -> None:
    urls = loaded_urls(build_map_page(SCENE, None))
    assert any(u.endswith("leaflet.js") for u in urls) and any(u.endswith("leaflet.markercluster.js") for u in urls)
    assert all(u.startswith(("file:///", "qrc:///")) for u in urls), urls


def test_without_roads_the_page_says_so_instead_of_a_blank_map() -> None:
    html = build_map_page(SCENE, None)
    assert NO_MAP_NOTE in html
    assert '"hasRoads": false' in html


def test_with_imported_roads_they_are_drawn_with_their_attribution(helsinki_roads: RoadData) -> None:
    assert helsinki_roads.basemap is not None
    html = build_map_page(MapScene(LatLon(60.171, 24.941), []), helsinki_roads.basemap)
    assert '"hasRoads": true' in html and '"LineString"' in html and json.dumps(OSM_ATTRIBUTION) in html


def test_scene_json_carries_pins_route_and_selection() -> None:
    data = SCENE.as_json()
    assert '"selected": "h1"' in data and '"route": [[10.0159, 76.3419], [9.999, 76.2875]]' in data


def test_cached_tiles_come_from_the_local_tile_server() -> None:
    html = build_map_page(SCENE, None, "http://127.0.0.1:5000/tiles/{z}/{x}/{y}.png", has_tiles=True)
    assert '"tileUrl": "http://127.0.0.1:5000/tiles/{z}/{x}/{y}.png"' in html and '"hasTiles": true' in html


def test_the_no_map_data_note_is_only_for_a_device_with_neither_tiles_nor_roads() -> None:
    script = build_map_page(SCENE, None)
    assert "if (!options.hasRoads && !options.hasTiles && options.note)" in script
    assert f'"note": "{NO_MAP_NOTE}"' in script


def test_a_compact_map_has_no_note_and_no_zoom_buttons() -> None:
    """The ward's approach map is too small for the note (the card's arrival line says where the time came from)."""
    script = build_map_page(SCENE, None, compact=True)
    assert '"note": ""' in script and '"compact": true' in script and '"zoomControl": false' in script
