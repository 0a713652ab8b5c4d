"""Regularized logistic regressions: on coup history only, and on every feature."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from coupwatch.models.base import HISTORY, as_matrix, model_columns, tuning_split

LOG_COLUMNS = ("years_since", "pop", "gdp_pc", "tenure", "duration", "state_age", "infmort")


def _prepare(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    # Heavy right tails (years since, population, income) enter on the log scale.
    matrix = as_matrix(frame, columns)
    for index, name in enumerate(columns):
        if name.startswith(LOG_COLUMNS) and not name.endswith(("_d1", "_d5", "growth")):
            matrix[:, index] = np.log1p(np.clip(matrix[:, index], 0, None))
    return matrix


class Logit(ClassifierMixin, BaseEstimator):
    """L2 logistic regression on standardized, median-imputed features.

    The penalty ``C`` is picked from ``Cs`` by log-loss on the last years of the training
    window, then the model is refitted on the whole window.
    """

    def __init__(self, columns: list[str] | None = None, Cs: tuple[float, ...] = (
            0.003, 0.01, 0.03, 0.1), holdout: int = 5) -> None:
        self.columns = columns
        self.Cs = Cs
        self.holdout = holdout

    def _pipeline(self, C: float):
        return make_pipeline(SimpleImputer(strategy="median", add_indicator=True,
                                           keep_empty_features=True),
                             StandardScaler(), LogisticRegression(C=C, max_iter=2000))

    def fit(self, X: pd.DataFrame, y) -> Logit:
        y = np.asarray(y, dtype=int)
        self.columns_ = list(self.columns) if self.columns else model_columns(X)
        matrix = _prepare(X, self.columns_)
        self.C_ = self.Cs[0]
        if len(self.Cs) > 1:
            train, valid = tuning_split(X["year"].to_numpy(), self.holdout)
            if y[train].sum() >= 5 and 0 < y[valid].sum():
                losses = [log_loss(y[valid], self._pipeline(C).fit(matrix[train], y[train])
                                   .predict_proba(matrix[valid])[:, 1], labels=[0, 1])
                          for C in self.Cs]
                self.C_ = self.Cs[int(np.argmin(losses))]
        self.pipeline_ = self._pipeline(self.C_).fit(matrix, y)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.pipeline_.predict_proba(_prepare(X, self.columns_))

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Coefficient x standardized value, in log-odds, per original feature."""
        imputer, scaler, model = self.pipeline_.steps[0][1], self.pipeline_.steps[1][1], \
            self.pipeline_.steps[2][1]
        z = scaler.transform(imputer.transform(_prepare(X, self.columns_)))
        terms = z * model.coef_[0]
        return pd.DataFrame(terms[:, : len(self.columns_)], columns=self.columns_,
                            index=X.index)


def history_model() -> Logit:
    """Coup history alone: the reference every richer model must beat."""
    return Logit(columns=HISTORY, Cs=(0.1,))
