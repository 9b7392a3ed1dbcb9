"""The occlusion heat map: finds what the model looks at, and keeps to its time budget."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from emsync_desktop.ml.occlusion import occlusion_map


def bright_corner_scorer(images: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """A 'model' whose probability is the mean brightness of the top-left quarter."""
    quarter = images.shape[1] // 2
    return images[:, :quarter, :quarter].mean(axis=(1, 2)).astype(np.float64)


class FakeClock:
    """Each call to the scorer costs ``seconds_per_image`` per image, in this clock's time."""

    def __init__(self, seconds_per_image: float) -> None:
        self.now = 0.0
        self.seconds_per_image = seconds_per_image

    def __call__(self) -> float:
        return self.now

    def scorer(self, images: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        self.now += self.seconds_per_image * len(images)
        return bright_corner_scorer(images)


def test_occlusion_marks_the_region_the_model_reads() -> None:
    image = np.zeros((64, 64), np.float32)
    image[:32, :32] = 1.0
    result = occlusion_map(image, bright_corner_scorer, budget_s=5.0)
    half = result.grid // 2
    assert result.heat[:half, :half].min() > 0.5
    assert result.heat[half:, :].max() == 0 and result.heat[:, half:].max() == 0


def test_grid_is_as_fine_as_the_budget_allows_and_the_budget_is_kept() -> None:
    image = np.random.default_rng(1).random((32, 32)).astype(np.float32)
    clock = FakeClock(seconds_per_image=0.035)  # a DenseNet-121 pass on 2 cores
    result = occlusion_map(image, clock.scorer, budget_s=0.7, clock=clock)
    assert result.grid == 4 and result.passes == 16
    assert result.seconds <= 0.7
    assert "4×4 grid, 16 passes" in result.describe()


def test_a_slower_model_gets_a_coarser_map() -> None:
    image = np.random.default_rng(2).random((32, 32)).astype(np.float32)
    fast, slow = FakeClock(0.001), FakeClock(0.05)
    assert occlusion_map(image, slow.scorer, clock=slow).grid < occlusion_map(image, fast.scorer, clock=fast).grid


def test_a_model_too_slow_for_any_grid_says_so() -> None:
    clock = FakeClock(seconds_per_image=1.0)
    result = occlusion_map(np.ones((8, 8), np.float32), clock.scorer, budget_s=0.5, clock=clock)
    assert result.grid == 0 and result.heat.size == 0
    assert "too slow" in result.describe()


def test_nothing_marked_is_said_in_words() -> None:
    result = occlusion_map(np.zeros((16, 16), np.float32), bright_corner_scorer, budget_s=5.0)
    assert not result.heat.any() and "nothing is marked" in result.describe()
