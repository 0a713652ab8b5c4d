"""Regularized logistic regressions: on coup history only, and on every feature."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from coupwatch.models.base import HISTORY, as_matrix, model_columns

LOG_COLUMNS = ("years_since", "pop", "gdp_pc", "tenure", "duration", "state_age", "infmort")


def _prepare(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    # Heavy right tails (years since, population, income) enter on the log scale.
    matrix = as_matrix(frame, columns)
    for index, name in enumerate(columns):
        if name.startswith(LOG_COLUMNS) and not name.endswith(("_d1", "_d5", "growth")):
            matrix[:, index] = np.log1p(np.clip(matrix[:, index], 0, None))
    return matrix


class Logit(ClassifierMixin, BaseEstimator):
    """L2 logistic regression on standardized, median-imputed features, one fit per penalty.

    Every ``C`` in ``Cs`` is fitted on the whole window (a *variant*); ``predict_proba`` gives
    variant ``pick``. Which penalty to trust is chosen outside, by ``models.nested``, on
    forecasts of years the fit never saw -- not on the window's own last years.
    """

    def __init__(self, columns: list[str] | None = None, Cs: tuple[float, ...] = (
            0.003, 0.01, 0.03, 0.1), pick: int = 0) -> None:
        self.columns = columns
        self.Cs = Cs
        self.pick = pick

    def variant_names(self) -> list[str]:
        return [f"C={C:g}" for C in self.Cs]

    def fit(self, X: pd.DataFrame, y) -> Logit:
        # One BLAS thread: several are slower on matrices this small, far slower on a busy
        # machine, and one gives the same bits in every process.
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(X, y)

    def _fit(self, X: pd.DataFrame, y) -> Logit:
        y = np.asarray(y, dtype=int)
        # named columns the rows do not have (an input left out at this origin) are skipped
        self.columns_ = [c for c in self.columns if c in X.columns] if self.columns \
            else model_columns(X)
        matrix = _prepare(X, self.columns_)
        # Imputation and scaling do not depend on C: fitted once, shared by the variants.
        self.scaler_ = make_pipeline(SimpleImputer(strategy="median", add_indicator=True,
                                                   keep_empty_features=True),
                                     StandardScaler()).fit(matrix)
        z = self.scaler_.transform(matrix)
        # Each penalty starts from the previous one's coefficients (warm start): the same
        # optimum, in about half the iterations.
        self.models_, start = [], None
        for C in self.Cs:
            model = LogisticRegression(C=C, max_iter=2000, warm_start=True)
            if start is not None:
                model.coef_, model.intercept_ = start.coef_.copy(), start.intercept_.copy()
            start = model.fit(z, y)
            self.models_.append(model)
        self.classes_ = np.array([0, 1])
        return self

    def predict_variants(self, X: pd.DataFrame) -> np.ndarray:
        z = self.scaler_.transform(_prepare(X, self.columns_))
        return np.column_stack([m.predict_proba(z)[:, 1] for m in self.models_])

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = self.predict_variants(X)[:, self.pick]
        return np.column_stack([1 - p, p])

    def contributions(self, X: pd.DataFrame, variant: int | None = None) -> pd.DataFrame:
        """Coefficient x standardized value, in log-odds, per original feature."""
        model = self.models_[self.pick if variant is None else variant]
        z = self.scaler_.transform(_prepare(X, self.columns_))
        terms = z * model.coef_[0]
        return pd.DataFrame(terms[:, : len(self.columns_)], columns=self.columns_,
                            index=X.index)


def history_model() -> Logit:
    """Coup history alone: the reference every richer model must beat."""
    return Logit(columns=HISTORY, Cs=(0.1,))
