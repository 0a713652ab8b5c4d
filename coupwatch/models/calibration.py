"""Probability calibration fitted on out-of-sample forecasts of earlier years only."""

from __future__ import annotations

import numpy as np
from scipy.special import logit
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression


class Platt(BaseEstimator):
    """Logistic map from a forecast's log-odds to the outcome.

    Fitted on (forecast, outcome) pairs from *earlier* target years, each forecast made
    out of sample, so applying it to year T uses nothing from T or later. With fewer than
    ``min_events`` events it stays the identity.
    """

    def __init__(self, min_events: int = 5, C: float = 10.0) -> None:
        self.min_events = min_events
        self.C = C

    def fit(self, p, y) -> Platt:
        p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=int)
        self.model_ = None
        if y.sum() >= self.min_events and y.sum() < len(y):
            self.model_ = LogisticRegression(C=self.C).fit(self._x(p), y)
        return self

    def _x(self, p: np.ndarray) -> np.ndarray:
        return logit(np.clip(p, 1e-5, 1 - 1e-5)).reshape(-1, 1)

    def predict(self, p) -> np.ndarray:
        p = np.asarray(p, dtype=float)
        return p if self.model_ is None else self.model_.predict_proba(self._x(p))[:, 1]
