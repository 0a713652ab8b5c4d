"""A model of whether an attempt succeeds, so the three outcomes cohere."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from coupwatch.models.linear import Logit

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


__all__ = ["SuccessModel", "split_outcomes"]
