"""A heat map for any image classifier: occlusion, computed with the model itself (onnxruntime), within a
time budget. numpy only; runs on the caller's (worker) thread.

Method: the image as the model sees it (fitted to its input size, before value scaling) is covered one
square at a time with its own mean grey, and each covered copy is classified again; the heat of a square
is how much the shown label's probability falls when it is hidden (rises are 0). The grid (2×2, 3×3,
4×4, 6×6 … 16×16) is the finest whose passes fit the budget at the speed measured on the uncovered
image; if time is left, a finer one follows at the speed measured on the first, and the map is the mean
of the grids finished, at the finest one's resolution. So the map is as fine as the budget and the
model's speed allow, a grid starts only if it will finish in time, and the map says how fine it is
(``OcclusionMap.describe``). Zeiler & Fergus 2014 (occlusion sensitivity).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatImage = npt.NDArray[np.float32]
GRIDS = (2, 3, 4, 6, 8, 12, 16)
DEFAULT_BUDGET_S = 0.7

# Fitted grey images (n, h, w) → the label's probability for each: the model's whole path after fitting.
Scorer = Callable[[FloatImage], npt.NDArray[np.float64]]


@dataclass(frozen=True)
class OcclusionMap:
    heat: FloatImage  # (grid, grid), 0..1; all zero when hiding nothing lowers the probability
    grid: int  # the finest grid finished (0: none fitted the budget)
    passes: int  # covered copies classified
    seconds: float
    budget_s: float

    def describe(self) -> str:
        if not self.grid:
            return (f"No occlusion map: this model is too slow for even a 2×2 map within its "
                    f"{self.budget_s:.1f} s budget.")
        nothing = "; hiding no part of the image lowered the probability, so nothing is marked"
        return (f"Occlusion map, {self.grid}×{self.grid} grid, {self.passes} passes in {self.seconds:.2f} s "
                f"(budget {self.budget_s:.1f} s){nothing if not self.heat.any() else ''}")


def occlusion_map(fitted: FloatImage, score: Scorer, *, budget_s: float = DEFAULT_BUDGET_S,
                  batch: int = 8, clock: Callable[[], float] = time.perf_counter) -> OcclusionMap:
    """The occlusion map of ``fitted`` (h, w grey, as fed before value scaling) for the label ``score``
    reads. ``batch`` copies go through the model at once (1 for models with a fixed batch of one)."""
    started = clock()
    baseline = float(score(fitted[None])[0])
    seconds_per_pass = max(clock() - started, 1e-6)
    fill = float(fitted.mean())
    maps: list[FloatImage] = []
    passes = 0
    while (grid := _next_grid(maps[-1].shape[0] if maps else 0, budget_s - (clock() - started),
                              seconds_per_pass)):
        level_started = clock()
        maps.append(_grid_drops(fitted, score, baseline, grid, fill, batch))
        passes += grid * grid
        seconds_per_pass = max((clock() - level_started) / (grid * grid), 1e-6)
    heat = _combine(maps)
    return OcclusionMap(heat, len(heat) if maps else 0, passes, clock() - started, budget_s)


def _next_grid(finished: int, remaining_s: float, seconds_per_pass: float) -> int:
    """The finest grid finer than ``finished`` whose passes fit in 90 % of the time left (0: none)."""
    fitting = [g for g in GRIDS if g > finished and g * g * seconds_per_pass <= 0.9 * remaining_s]
    return max(fitting, default=0)


def _grid_drops(fitted: FloatImage, score: Scorer, baseline: float, grid: int, fill: float,
                batch: int) -> FloatImage:
    """(grid, grid): the fall of the probability with each square hidden."""
    height, width = fitted.shape
    rows = np.linspace(0, height, grid + 1).round().astype(int)
    cols = np.linspace(0, width, grid + 1).round().astype(int)
    squares = [(r, c) for r in range(grid) for c in range(grid)]
    drops = np.zeros(grid * grid, dtype=np.float64)
    for start in range(0, len(squares), batch):
        chunk = squares[start:start + batch]
        copies = np.repeat(fitted[None], len(chunk), axis=0)
        for i, (r, c) in enumerate(chunk):
            copies[i, rows[r]:rows[r + 1], cols[c]:cols[c + 1]] = fill
        drops[start:start + len(chunk)] = baseline - score(copies)
    return np.maximum(drops, 0.0).reshape(grid, grid).astype(np.float32)


def _combine(maps: list[FloatImage]) -> FloatImage:
    """Each grid's map scaled to 0..1, blown up to the finest grid (blocks), averaged, scaled to 0..1."""
    if not maps:
        return np.zeros((0, 0), dtype=np.float32)
    finest = maps[-1].shape[0]
    total = np.zeros((finest, finest), dtype=np.float64)
    for level in maps:
        index = (np.arange(finest) * level.shape[0] // finest)
        peak = float(level.max())
        total += (level / peak if peak > 0 else level)[np.ix_(index, index)]
    peak = float(total.max())
    return (total / peak if peak > 0 else total).astype(np.float32)
