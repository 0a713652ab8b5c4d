"""Probability calibration fitted on out-of-sample forecasts of earlier years only."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit
from sklearn.base import BaseEstimator


def _newton(x: np.ndarray, y: np.ndarray, C: float, steps: int = 50) -> np.ndarray:
    """Intercept and slope of an L2-penalised logistic regression on one feature (the
    objective of scikit-learn's ``LogisticRegression(C)``: the slope penalised, the intercept
    not), by Newton's method: two parameters, so a 2x2 solve per step and no solver set-up."""
    design = np.column_stack([np.ones_like(x), x])
    beta = np.array([logit(np.clip(y.mean(), 1e-6, 1 - 1e-6)), 0.0])
    penalty = np.diag([0.0, 1.0 / C])
    for _ in range(steps):
        p = expit(design @ beta)
        gradient = design.T @ (p - y) + penalty @ beta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        beta = beta - step
        if np.max(np.abs(step)) < 1e-12:
            break
    return beta


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
        p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
        self.coef_ = None
        if y.sum() >= self.min_events and y.sum() < len(y):
            self.coef_ = _newton(self._x(p), y, self.C)
        return self

    def _x(self, p: np.ndarray) -> np.ndarray:
        return logit(np.clip(p, 1e-5, 1 - 1e-5))

    def predict(self, p) -> np.ndarray:
        p = np.asarray(p, dtype=float)
        if self.coef_ is None:
            return p
        return expit(self.coef_[0] + self.coef_[1] * self._x(p))
