"""Importing road data: an OpenStreetMap extract (.osm.pbf) → Valhalla routing tiles in the data dir.

The build runs Valhalla's own ``valhalla_build_tiles`` (shipped in the pyvalhalla wheel) into a
fresh folder; only a complete build replaces the tiles in use (atomic rename), so a failed or
interrupted import never leaves the app without the roads it had. ``roads/manifest.json`` records
the source file, the date and the area covered (from the tiles' own grid). The builder's own output
goes to ``logs/roads-import.log`` in the data dir; the caller hears only steps and the outcome.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from emsync_desktop.geo.basemap import BASEMAP_FILE, extract_roads_geojson
from emsync_desktop.geo.eta import BoundingBox

ROADS_DIR = "roads"
TILES_DIR = "valhalla_tiles"
MANIFEST = "manifest.json"
_LEVEL2_DEG = 0.25  # Valhalla's local-road tiles are 0.25° squares
_LEVEL2_COLUMNS = int(360 / _LEVEL2_DEG)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
LOGS_DIR = "logs"
IMPORT_LOG = "roads-import.log"
# Lines of valhalla_build_tiles that start a stage worth telling the user about (the rest, timings and
# warnings about optional admin/time-zone/elevation data, only go to the log). A stage whose line a
# later Valhalla words differently is just not announced.
_STAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), text) for pattern, text in (
    (r"Parsing files for ways", "Reading roads from the extract…"),
    (r"Parsing files for relations", "Reading turn restrictions and junctions…"),
    (r"Creating graph edges", "Building the road graph…"),
    (r"Building \d+ tiles", "Writing road tiles…"),
    (r"Enhancing local graph", "Adding speeds and intersections…"),
    (r"HierarchyBuilder", "Building the road hierarchy and shortcuts…"),
    (r"Validating, finishing and binning tiles", "Checking the tiles…"),
))


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


def import_log_path(data_dir: Path) -> Path:
    """Where the last import's full build output goes (overwritten by each import)."""
    return data_dir / LOGS_DIR / IMPORT_LOG


def import_roads(pbf: Path, data_dir: Path, progress: Callable[[str], None] = lambda _line: None,
                 timeout_s: float = 3600) -> RoadData:
    """Build routing tiles from ``pbf`` into ``data_dir/roads``. Blocking: run off the GUI thread.

    ``progress`` gets a few plain-language steps and the outcome; Valhalla's own output (about 120
    lines for a small city, mostly timings and warnings about optional databases) goes only to
    ``import_log_path(data_dir)``, which a build failure names in its message.
    """
    check_pbf(pbf)
    log_path = import_log_path(data_dir)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w", encoding="utf-8") as log:
        def report(message: str) -> None:
            log.write(f"== {message}\n")
            log.flush()
            progress(message)

        _build(pbf, data_dir, report, log, timeout_s)
    road_data = load_road_data(data_dir)
    assert road_data is not None
    return road_data


def _build(pbf: Path, data_dir: Path, report: Callable[[str], None], log: TextIO,
           timeout_s: float) -> None:
    import valhalla

    building = data_dir / f"{ROADS_DIR}.building"
    shutil.rmtree(building, ignore_errors=True)
    (building / TILES_DIR).mkdir(parents=True)
    config = valhalla.get_config(tile_extract="", tile_dir=str(building / TILES_DIR), verbose=True)
    config_path = building / "valhalla.json"
    config_path.write_text(json.dumps(config))
    command = [str(valhalla.PYVALHALLA_DIR / "bin" / "valhalla_build_tiles"), "-c", str(config_path), str(pbf)]
    _run_build(command, report, log, timeout_s, building)
    count, coverage = _coverage(building / TILES_DIR)
    if count == 0:
        shutil.rmtree(building, ignore_errors=True)
        raise RoadImportError(f"{pbf.name} holds no roads a vehicle can use. Choose an extract with a road network. "
                              f"Valhalla's output is in {log.name}.")
    report(_step(len(_STAGES) + 1, "Extracting roads for the offline map…"))
    extract_roads_geojson(pbf, building / BASEMAP_FILE)
    meta = {"source": pbf.name, "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "coverage": coverage.__dict__, "tiles": count}
    (building / MANIFEST).write_text(json.dumps(meta, indent=1))
    _swap_in(building, data_dir / ROADS_DIR)
    report(f"Done: {count} tile{'' if count == 1 else 's'} covering {_describe(coverage)}.")


def _run_build(command: list[str], report: Callable[[str], None], log: TextIO, timeout_s: float,
               building: Path) -> None:
    report("Building routing tiles (this can take minutes for a large region)…")
    log.write(f"$ {' '.join(command)}\n")
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        assert proc.stdout is not None
        tail = _relay(proc.stdout, report, log)
        try:
            code = proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = -1
    log.write(f"$ exit status {code}\n")
    if code != 0:
        shutil.rmtree(building, ignore_errors=True)
        raise RoadImportError(f"Building routing tiles failed ({_failure_detail(tail)}). The roads imported "
                              f"before, if any, are still in use. Valhalla's output is in {log.name}.")


def _relay(output: Iterable[str], report: Callable[[str], None], log: TextIO) -> list[str]:
    """Every line of the builder to ``log``, a step to ``report`` when a known stage starts; returns
    the last lines (for a failure's reason)."""
    seen: set[int] = set()
    tail: list[str] = []
    for raw in output:
        line = _ANSI.sub("", raw).rstrip()
        log.write(line + "\n")
        tail = [*tail[-20:], line.strip()]
        stage = _stage_of(line)
        if stage is not None and stage not in seen:
            seen.add(stage)
            report(_step(stage + 1, _STAGES[stage][1]))
    return tail


def _failure_detail(tail: list[str]) -> str:
    """The last line that names an error, else the last line said."""
    said = [line for line in tail if line]
    return next((line for line in reversed(said) if "error" in line.lower()), said[-1] if said else "no output")


def _stage_of(line: str) -> int | None:
    said = line.split("[INFO]", 1)[-1].strip()  # after Valhalla's time stamp, when it has one
    return next((i for i, (pattern, _) in enumerate(_STAGES) if pattern.match(said)), None)


def _step(number: int, text: str) -> str:
    return f"[{number}/{len(_STAGES) + 1}] {text}"


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
