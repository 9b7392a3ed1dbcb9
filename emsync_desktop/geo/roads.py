"""Importing road data: an OpenStreetMap extract (.osm.pbf) → Valhalla routing tiles in the data dir.

The build runs Valhalla's own ``valhalla_build_tiles`` (shipped in the pyvalhalla wheel) into a
fresh folder; only a complete build replaces the tiles in use (atomic rename), so a failed or
interrupted import never leaves the app without the roads it had. ``roads/manifest.json`` records
the source file, the date and the area covered (from the tiles' own grid).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from emsync_desktop.geo.basemap import BASEMAP_FILE, extract_roads_geojson
from emsync_desktop.geo.eta import BoundingBox

ROADS_DIR = "roads"
TILES_DIR = "valhalla_tiles"
MANIFEST = "manifest.json"
_LEVEL2_DEG = 0.25  # Valhalla's local-road tiles are 0.25° squares
_LEVEL2_COLUMNS = int(360 / _LEVEL2_DEG)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class RoadImportError(RuntimeError):
    """The import failed; ``str()`` says why and what to do. The previous roads stay in use."""


@dataclass(frozen=True)
class RoadData:
    tiles_dir: Path
    source: str
    imported_at: str
    coverage: BoundingBox
    tiles: int

    @property
    def basemap(self) -> Path | None:
        """The roads as GeoJSON for the offline map, when the import wrote them."""
        path = self.tiles_dir.parent / BASEMAP_FILE
        return path if path.exists() else None


def roads_dir(data_dir: Path) -> Path:
    return data_dir / ROADS_DIR


def load_road_data(data_dir: Path) -> RoadData | None:
    """The imported roads, or None when none were imported (or the manifest is unreadable)."""
    folder = roads_dir(data_dir)
    try:
        meta = json.loads((folder / MANIFEST).read_text("utf-8"))
        box = BoundingBox(**meta["coverage"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return RoadData(folder / TILES_DIR, str(meta["source"]), str(meta["imported_at"]), box, int(meta["tiles"]))


def check_pbf(path: Path) -> None:
    """Refuse anything that is not an OpenStreetMap PBF before spending minutes on it."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError as exc:
        raise RoadImportError(f"Cannot read {path}: {exc.strerror}. Check the path.") from exc
    if b"\x0a\x09OSMHeader" not in head[4:32]:
        raise RoadImportError(f"{path.name} is not an OpenStreetMap .osm.pbf extract (or it is damaged). "
                              "Download a regional extract again and retry.")


def import_roads(pbf: Path, data_dir: Path, progress: Callable[[str], None] = lambda _line: None,
                 timeout_s: float = 3600) -> RoadData:
    """Build routing tiles from ``pbf`` into ``data_dir/roads``. Blocking: run off the GUI thread."""
    import valhalla

    check_pbf(pbf)
    target = roads_dir(data_dir)
    building = data_dir / f"{ROADS_DIR}.building"
    shutil.rmtree(building, ignore_errors=True)
    (building / TILES_DIR).mkdir(parents=True)
    config = valhalla.get_config(tile_extract="", tile_dir=str(building / TILES_DIR), verbose=True)
    config_path = building / "valhalla.json"
    config_path.write_text(json.dumps(config))
    command = [str(valhalla.PYVALHALLA_DIR / "bin" / "valhalla_build_tiles"), "-c", str(config_path), str(pbf)]
    _run_build(command, progress, timeout_s, building)
    count, coverage = _coverage(building / TILES_DIR)
    if count:
        progress("Extracting roads for the offline map…")
        extract_roads_geojson(pbf, building / BASEMAP_FILE)
    if count == 0:
        shutil.rmtree(building, ignore_errors=True)
        raise RoadImportError(f"{pbf.name} holds no roads a vehicle can use. Choose an extract with a road network.")
    meta = {"source": pbf.name, "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "coverage": coverage.__dict__, "tiles": count}
    (building / MANIFEST).write_text(json.dumps(meta, indent=1))
    _swap_in(building, target)
    progress(f"Done: {count} tiles covering {_describe(coverage)}.")
    road_data = load_road_data(data_dir)
    assert road_data is not None
    return road_data


def _run_build(command: list[str], progress: Callable[[str], None], timeout_s: float, building: Path) -> None:
    progress("Building routing tiles (this can take minutes for a large region)…")
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        assert proc.stdout is not None
        tail: list[str] = []
        for raw in proc.stdout:
            line = _ANSI.sub("", raw).strip()
            tail = [*tail[-20:], line]
            if line:
                progress(line.split("[INFO]", 1)[-1].strip())
        try:
            code = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = -1
    if code != 0:
        shutil.rmtree(building, ignore_errors=True)
        detail = next((t for t in reversed(tail) if "ERROR" in t), tail[-1] if tail else "no output")
        raise RoadImportError(f"Building routing tiles failed ({detail}). The roads imported before, if any, "
                              "are still in use.")


def _coverage(tiles_dir: Path) -> tuple[int, BoundingBox]:
    """Count of level-2 tiles and the area they span, from the tile ids in their file names."""
    rows, cols = [], []
    for path in (tiles_dir / "2").rglob("*.gph") if (tiles_dir / "2").exists() else []:
        tile_id = int("".join(path.relative_to(tiles_dir / "2").with_suffix("").parts))
        rows.append(tile_id // _LEVEL2_COLUMNS)
        cols.append(tile_id % _LEVEL2_COLUMNS)
    if not rows:
        return 0, BoundingBox(0, 0, 0, 0)
    return len(rows), BoundingBox(south=-90 + min(rows) * _LEVEL2_DEG, west=-180 + min(cols) * _LEVEL2_DEG,
                                  north=-90 + (max(rows) + 1) * _LEVEL2_DEG, east=-180 + (max(cols) + 1) * _LEVEL2_DEG)


def _swap_in(building: Path, target: Path) -> None:
    old = target.with_name(f"{ROADS_DIR}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    building.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _describe(box: BoundingBox) -> str:
    return f"{box.south:.2f}–{box.north:.2f}° N, {box.west:.2f}–{box.east:.2f}° E"
