"""A triage data set in the models' feature order, and its stratified split."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.model_selection import train_test_split


@dataclass(frozen=True)
class Cohort:
    """Rows in ``FEATURE_NAMES`` order (NaN = missing), the urgency class (0 Critical,
    1 Moderate, 2 Low urgency), the six needs (0/1, ``NEEDS`` order) and, for synthetic
    data only, the exact posterior of those labels given the visible inputs and who died."""

    features: NDArray[np.float64]
    severity: NDArray[np.int64]
    needs: NDArray[np.int64]
    truth_severity: NDArray[np.float64] | None = None
    truth_needs: NDArray[np.float64] | None = None
    death: NDArray[np.int64] | None = None  # synthetic only: died in hospital (an evaluation label, not a target)

    def rows(self, index: NDArray[np.int64]) -> Cohort:
        return Cohort(
            self.features[index], self.severity[index], self.needs[index],
            None if self.truth_severity is None else self.truth_severity[index],
            None if self.truth_needs is None else self.truth_needs[index],
            None if self.death is None else self.death[index],
        )

    def __len__(self) -> int:
        return len(self.severity)


@dataclass(frozen=True)
class Split:
    train: Cohort
    validation: Cohort
    test: Cohort


def stratified_split(cohort: Cohort, seed: int, validation: float = 0.2, test: float = 0.2) -> Split:
    """Train / validation / test, stratified by urgency class. Validation picks early stopping
    and thresholds; test rows are used for nothing but the reported metrics."""
    index = np.arange(len(cohort))
    rest, test_idx = train_test_split(index, test_size=test, stratify=cohort.severity, random_state=seed)
    share = validation / (1.0 - test)
    train_idx, val_idx = train_test_split(rest, test_size=share, stratify=cohort.severity[rest],
                                          random_state=seed + 1)
    return Split(cohort.rows(train_idx), cohort.rows(val_idx), cohort.rows(test_idx))
