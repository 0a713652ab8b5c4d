"""Tree models: gradient boosting (LightGBM) and randomized tree ensembles."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

from coupwatch.models.base import as_matrix, model_columns

# Where theory is clear: more recent coup activity (own or regional) never lowers risk,
# and more years without one never raises it.
MONOTONE = {"attempts_5y": 1, "attempts_10y": 1, "coups_5y": 1, "coups_10y": 1,
            "faileds_5y": 1, "faileds_10y": 1, "years_since_attempt": -1,
            "years_since_coup": -1, "subregion_attempts_1y": 1, "subregion_attempts_3y": 1,
            "subregion_attempts_5y": 1}


class Boosted(ClassifierMixin, BaseEstimator):
    """LightGBM trained once to the largest of ``rounds``; each entry of ``rounds`` is a
    variant (the same trees cut after that many rounds), so the number of trees can be chosen
    on out-of-sample forecasts (``models.nested``) at no extra training cost."""

    def __init__(self, learning_rate: float = 0.05, num_leaves: int = 7,
                 min_child_samples: int = 40, rounds: tuple[int, ...] = (
                     50, 100, 150, 200), pick: int = 2, random_state: int = 0) -> None:
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.rounds = rounds
        self.pick = pick
        self.random_state = random_state

    def _params(self) -> dict:
        # One thread and deterministic histograms: the same fit in any worker, bit for bit.
        return {"objective": "binary", "learning_rate": self.learning_rate,
                "num_leaves": self.num_leaves, "min_child_samples": self.min_child_samples,
                "feature_fraction": 0.7, "bagging_fraction": 0.8, "bagging_freq": 1,
                "lambda_l2": 5.0, "seed": self.random_state, "deterministic": True,
                "num_threads": 1, "verbose": -1, "force_col_wise": True, "max_bin": 63,
                "monotone_constraints": [MONOTONE.get(c, 0) for c in self.columns_]}

    def variant_names(self) -> list[str]:
        return [f"rounds={r}" for r in self.rounds]

    def fit(self, X: pd.DataFrame, y) -> Boosted:
        self.columns_ = model_columns(X)
        self.booster_ = lgb.train(self._params(),
                                  lgb.Dataset(as_matrix(X, self.columns_),
                                              np.asarray(y, dtype=int)),
                                  num_boost_round=max(self.rounds))
        self.classes_ = np.array([0, 1])
        return self

    def predict_variants(self, X: pd.DataFrame) -> np.ndarray:
        matrix = as_matrix(X, self.columns_)
        return np.column_stack([self.booster_.predict(matrix, num_iteration=r)
                                for r in self.rounds])

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = self.predict_variants(X)[:, self.pick]
        return np.column_stack([1 - p, p])

    def contributions(self, X: pd.DataFrame, variant: int | None = None) -> pd.DataFrame:
        """TreeSHAP values (log-odds), computed by LightGBM itself."""
        rounds = self.rounds[self.pick if variant is None else variant]
        values = self.booster_.predict(as_matrix(X, self.columns_), num_iteration=rounds,
                                       pred_contrib=True)
        return pd.DataFrame(values[:, :-1], columns=self.columns_, index=X.index)


class Forest(ClassifierMixin, BaseEstimator):
    """Randomized trees on half-samples (``kind``: ``extra`` for extremely randomized trees,
    ``random`` for a random forest); missing values enter as -1 (below every feature's range),
    which lets trees separate "no data" from any observed value. One variant."""

    def __init__(self, n_estimators: int = 100, min_samples_leaf: int = 20,
                 max_features: str | float = "sqrt", max_samples: float = 0.5,
                 kind: str = "extra", random_state: int = 0) -> None:
        self.n_estimators = n_estimators
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.max_samples = max_samples
        self.kind = kind
        self.random_state = random_state

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        return np.nan_to_num(as_matrix(X, self.columns_), nan=-1.0)

    def variant_names(self) -> list[str]:
        return [self.kind]

    def fit(self, X: pd.DataFrame, y) -> Forest:
        self.columns_ = model_columns(X)
        # One job: rolling origins already run in parallel, and parallel prediction sums
        # the trees in whatever order threads finish, which moves the last bits.
        build = ExtraTreesClassifier if self.kind == "extra" else RandomForestClassifier
        self.forest_ = build(n_estimators=self.n_estimators,
                             min_samples_leaf=self.min_samples_leaf,
                             max_features=self.max_features, bootstrap=True,
                             max_samples=self.max_samples, random_state=self.random_state,
                             n_jobs=1).fit(self._matrix(X), np.asarray(y, dtype=int))
        self.classes_ = np.array([0, 1])
        return self

    def predict_variants(self, X: pd.DataFrame) -> np.ndarray:
        return self.forest_.predict_proba(self._matrix(X))[:, [1]]

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.forest_.predict_proba(self._matrix(X))
