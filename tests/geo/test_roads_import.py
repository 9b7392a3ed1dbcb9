"""Importing road data: refusals say what to do, and a failed import keeps the roads already there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from emsync_desktop.geo.roads import RoadImportError, import_roads, load_road_data
from tests.geo.conftest import helsinki_pbf

ROOT = Path(__file__).parents[2]


def test_a_file_that_is_not_a_pbf_is_refused_before_building(tmp_path: Path) -> None:
    fake = tmp_path / "kerala.osm.pbf"
    fake.write_text("<html>404 Not Found</html>")
    with pytest.raises(RoadImportError, match=r"not an OpenStreetMap \.osm\.pbf extract"):
        import_roads(fake, tmp_path / "data")


def test_a_truncated_extract_fails_and_the_roads_in_use_stay(tmp_path: Path) -> None:
    data = tmp_path / "data"
    import_roads(helsinki_pbf(), data)
    truncated = tmp_path / "cut.osm.pbf"
    truncated.write_bytes(helsinki_pbf().read_bytes()[:20_000])
    with pytest.raises(RoadImportError):
        import_roads(truncated, data)
    roads = load_road_data(data)
    assert roads is not None and roads.source == "Helsinki.osm.pbf" and roads.tiles >= 1
    assert not (data / "roads.building").exists()


def run_roads_import(extract: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "main.py", "--data-dir", str(data_dir), "roads", "import", str(extract)],
                          capture_output=True, text=True, cwd=ROOT, check=False)


def test_command_line_import_prints_steps_and_the_outcome_only(tmp_path: Path) -> None:
    result = run_roads_import(helsinki_pbf(), tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "[1/8] Reading roads from the extract…" in lines and "[8/8] Extracting roads for the offline map…" in lines
    assert "Done: 1 tile covering 60.00–60.25° N, 24.75–25.00° E." in lines
    assert len(lines) <= 12 and result.stderr == ""
    for internal in ("[TIMING]", "[WARN]", "[INFO]", "valhalla_build_tiles", "Admin db", "Class: "):
        assert internal not in result.stdout
    assert load_road_data(tmp_path) is not None


def test_command_line_import_keeps_valhallas_output_in_the_log(tmp_path: Path) -> None:
    run_roads_import(helsinki_pbf(), tmp_path)
    log = (tmp_path / "logs" / "roads-import.log").read_text("utf-8")
    assert "valhalla_build_tiles" in log and "[TIMING]" in log and "Admin db" in log
    assert "== Done: 1 tile covering" in log and log.count("\n") > 100


def test_command_line_build_failure_names_the_log(tmp_path: Path) -> None:
    truncated = tmp_path / "cut.osm.pbf"
    truncated.write_bytes(helsinki_pbf().read_bytes()[:20_000])
    result = run_roads_import(truncated, tmp_path / "d")
    log = tmp_path / "d" / "logs" / "roads-import.log"
    assert result.returncode == 1 and "PBF error" in result.stderr
    assert f"Valhalla's output is in {log}." in result.stderr
    assert "PBF error" in log.read_text("utf-8") and "[1/8]" in result.stdout


def test_command_line_refusal_exits_non_zero_with_the_reason(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.osm.pbf"
    result = subprocess.run([sys.executable, "main.py", "roads", "import", str(missing), "--data-dir",
                             str(tmp_path)], capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 1 and "Cannot read" in result.stderr
    assert "Valhalla" not in result.stderr  # nothing was built, so there is no log to point to


def test_import_writes_the_roads_for_the_offline_map(tmp_path: Path) -> None:
    import json

    roads = import_roads(helsinki_pbf(), tmp_path)
    assert roads.basemap is not None
    features = json.loads(roads.basemap.read_text())["features"]
    assert len(features) > 300 and any(f["properties"]["major"] for f in features)
    lon, lat = features[0]["geometry"]["coordinates"][0]
    assert roads.coverage.south <= lat <= roads.coverage.north and roads.coverage.west <= lon <= roads.coverage.east
