"""The estimator contract: scikit-learn style ``fit(X, y)`` / ``predict_proba(X)``.

``X`` is a DataFrame of design rows (see ``panel.design``); each model picks its columns.
Rows carry a ``year`` column (the target year) so models that tune themselves
(``models.nested``) can evaluate on the latest years of their own training window -- never
anything later. A member fits all its *variants* at once (``variant_names``,
``predict_variants``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

HISTORY = ["years_since_attempt", "years_since_coup", "years_since_failed",
           "attempts_5y", "attempts_10y", "coups_5y", "coups_10y", "faileds_5y", "faileds_10y",
           "no_attempt_on_record"]
EXCLUDE_SUFFIXES = ("_cf",)
ID = {"gwcode", "iso3", "country", "year", "n_attempts", "n_coups", "n_failed", "attempt",
      "coup", "failed", "outcome_partial_year"}


def model_columns(frame: pd.DataFrame) -> list[str]:
    """Every numeric feature but identifiers, outcomes and carry-forward flags."""
    return [c for c in frame.columns if c not in ID and not c.endswith(EXCLUDE_SUFFIXES)
            and pd.api.types.is_numeric_dtype(frame[c])]


def as_matrix(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    return frame.reindex(columns=columns).astype("float64").to_numpy()


class Climatology(ClassifierMixin, BaseEstimator):
    """The base rate of the training window, for every row."""

    def fit(self, X: pd.DataFrame, y) -> Climatology:
        self.rate_ = float(np.mean(y))
        self.classes_ = np.array([0, 1])
        return self

    def variant_names(self) -> list[str]:
        return ["rate"]

    def predict_variants(self, X: pd.DataFrame) -> np.ndarray:
        return np.full((len(X), 1), self.rate_)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = np.full(len(X), self.rate_)
        return np.column_stack([1 - p, p])
