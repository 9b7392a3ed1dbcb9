"""A vector basemap from the imported extract: its roads as GeoJSON, drawn when no map tile is cached.

Written by ``roads import`` next to the routing tiles. Coordinates are rounded to 5 decimals (~1 m);
minor streets are kept only for small extracts, so a state-sized import stays a file a page can load.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MAJOR = ("motorway", "trunk", "primary", "secondary", "tertiary", "motorway_link", "trunk_link", "primary_link",
         "secondary_link")
MINOR = ("residential", "unclassified", "living_street", "service")
MINOR_UP_TO_BYTES = 40_000_000  # extracts larger than this get major roads only
BASEMAP_FILE = "roads.geojson"


def extract_roads_geojson(pbf: Path, out: Path) -> int:
    """Write the drivable roads of ``pbf`` to ``out``; returns how many lines were written."""
    import osmium  # only needed while importing

    keep = set(MAJOR) | (set(MINOR) if pbf.stat().st_size <= MINOR_UP_TO_BYTES else set())
    features: list[dict[str, Any]] = []

    class Roads(osmium.SimpleHandler):
        def way(self, way: Any) -> None:
            kind = way.tags.get("highway")
            if kind not in keep:
                return
            try:
                line = [[round(n.lon, 5), round(n.lat, 5)] for n in way.nodes]
            except osmium.InvalidLocationError:
                return  # a node outside the extract
            if len(line) >= 2:
                features.append({"type": "Feature", "properties": {"major": kind in MAJOR},
                                 "geometry": {"type": "LineString", "coordinates": line}})

    Roads().apply_file(str(pbf), locations=True)
    out.write_text(json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")))
    return len(features)
