"""Synthetic radiograph-like images for the shipped demonstration model. Not chest X-rays.

No licensed, labelled chest X-ray set is on this machine, so the shipped model learns a task whose truth
is known exactly: a bright, soft-edged opacity (class "opacity") inside one of two dark lung-shaped
fields, or none ("clear"). Ribs, a mediastinum, exposure, noise and the position and size of the
opacity vary. Because each opacity's position is known, the tests can check that the heat map points
at it. A hospital trains the real thing on its own images with the same command (--folder).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

CLASSES = ("clear", "opacity")
DESCRIPTION = ("Synthetic radiograph-like images (two dark lung fields, ribs, mediastinum, noise); class "
               "'opacity' adds one soft bright blob inside a lung field. Generated, seeded; no patient data. "
               "A demonstration of the pipeline, not a chest X-ray model.")


@dataclass(frozen=True)
class SyntheticSet:
    images: npt.NDArray[np.float32]  # (n, size, size, 1) in [0, 1]
    labels: npt.NDArray[np.int64]  # 0 clear, 1 opacity
    centres: npt.NDArray[np.float32]  # (n, 2) opacity centre (row, col) as fractions; -1 when clear


def generate(n: int, size: int, seed: int) -> SyntheticSet:
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float32) / size
    images = np.empty((n, size, size, 1), dtype=np.float32)
    labels = (rng.random(n) < 0.5).astype(np.int64)
    centres = np.full((n, 2), -1.0, dtype=np.float32)
    for i in range(n):
        image, lungs = _chest(rng, rows, cols)
        if labels[i]:
            centres[i] = _add_opacity(rng, image, lungs, rows, cols)
        image += rng.normal(0, rng.uniform(0.01, 0.05), image.shape).astype(np.float32)
        images[i, :, :, 0] = np.clip(image * rng.uniform(0.8, 1.1) + rng.uniform(-0.05, 0.05), 0, 1)
    return SyntheticSet(images, labels, centres)


def _chest(rng: np.random.Generator, rows: npt.NDArray[np.float32],
           cols: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float32], list[tuple[float, float, float, float]]]:
    image = np.full(rows.shape, rng.uniform(0.55, 0.75), dtype=np.float32)
    lungs = []
    for side in (-1, 1):
        centre_c = 0.5 + side * rng.uniform(0.19, 0.23)
        centre_r, half_h, half_w = rng.uniform(0.45, 0.52), rng.uniform(0.27, 0.33), rng.uniform(0.13, 0.16)
        inside = ((rows - centre_r) / half_h) ** 2 + ((cols - centre_c) / half_w) ** 2 < 1
        image[inside] -= rng.uniform(0.3, 0.4)
        lungs.append((centre_r, centre_c, half_h, half_w))
    image += 0.06 * (np.sin(rows * rng.uniform(28, 36) + rng.uniform(0, 6)) > 0.6)  # ribs
    image += 0.15 * np.exp(-((cols - 0.5) / 0.06) ** 2)  # mediastinum
    return image, lungs


def _add_opacity(rng: np.random.Generator, image: npt.NDArray[np.float32],
                 lungs: list[tuple[float, float, float, float]], rows: npt.NDArray[np.float32],
                 cols: npt.NDArray[np.float32]) -> tuple[float, float]:
    centre_r, centre_c, half_h, half_w = lungs[int(rng.integers(2))]
    r = centre_r + rng.uniform(-0.6, 0.6) * half_h
    c = centre_c + rng.uniform(-0.5, 0.5) * half_w
    radius = rng.uniform(0.05, 0.10)
    image += rng.uniform(0.18, 0.32) * np.exp(-(((rows - r) ** 2 + (cols - c) ** 2) / (2 * radius**2)))
    return r, c
