"""The default model: an average of logistic, boosted-tree and forest probabilities,
recalibrated, plus a model of whether an attempt succeeds so the three outcomes cohere."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from coupwatch.models.linear import Logit
from coupwatch.models.trees import Boosted, Forest


def _members(seed: int) -> list:
    return [Logit(), Boosted(random_state=seed), Forest(random_state=seed)]


class Ensemble(ClassifierMixin, BaseEstimator):
    """Mean of the member probabilities (logistic, boosted trees, forest).

    Calibration is a separate step (``models.calibration.Platt``) fitted on out-of-sample
    forecasts of earlier years, so the ensemble itself has no hidden state across windows.
    """

    def __init__(self, random_state: int = 0, members: list | None = None) -> None:
        self.random_state = random_state
        self.members = members

    def fit(self, X: pd.DataFrame, y) -> Ensemble:
        y = np.asarray(y, dtype=int)
        template = self.members or _members(self.random_state)
        self.members_ = [clone(m).fit(X, y) for m in template]
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        probs = np.column_stack([m.predict_proba(X)[:, 1] for m in self.members_])
        p = np.clip(probs.mean(axis=1), 1e-5, 1 - 1e-5)
        return np.column_stack([1 - p, p])


SUCCESS_FEATURES = ["years_since_coup", "coups_10y", "faileds_10y", "leader_military",
                    "reign_militarycareer", "regime_duration", "v2x_horacc_osp", "v2xcl_rol",
                    "gdp_pc", "state_age"]


class SuccessModel(ClassifierMixin, BaseEstimator):
    """P(an attempt succeeds | an attempt), fitted on attempt-years only.

    Then P(coup) = P(attempt) x q and P(failed) = P(attempt) x (1 - q), so the three
    probabilities always cohere (P(coup) + P(failed) = P(attempt)); this treats a year as
    having at most one attempt, true of 95 % of attempt-years since 1950.
    """

    def fit(self, X: pd.DataFrame, y) -> SuccessModel:
        self.model_ = Logit(columns=SUCCESS_FEATURES, Cs=(0.1,)).fit(X, y)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.model_.predict_proba(X)


def split_outcomes(p_attempt: np.ndarray, q_success: np.ndarray) -> tuple[np.ndarray, ...]:
    return p_attempt * q_success, p_attempt * (1 - q_success)


__all__ = ["Ensemble", "SuccessModel", "split_outcomes"]
