"""Tree models: gradient boosting (LightGBM) and a random forest."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import RandomForestClassifier

from coupwatch.models.base import as_matrix, model_columns, tuning_split

# Where theory is clear: more recent coup activity (own or regional) never lowers risk,
# and more years without one never raises it.
MONOTONE = {"attempts_5y": 1, "attempts_10y": 1, "coups_5y": 1, "coups_10y": 1,
            "faileds_5y": 1, "faileds_10y": 1, "years_since_attempt": -1,
            "years_since_coup": -1, "subregion_attempts_1y": 1, "subregion_attempts_3y": 1,
            "subregion_attempts_5y": 1}


class Boosted(ClassifierMixin, BaseEstimator):
    """LightGBM; the number of trees is set by early stopping on the window's last years."""

    def __init__(self, learning_rate: float = 0.03, num_leaves: int = 7,
                 min_child_samples: int = 40, max_rounds: int = 600, holdout: int = 5,
                 random_state: int = 0) -> None:
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.max_rounds = max_rounds
        self.holdout = holdout
        self.random_state = random_state

    def _params(self) -> dict:
        return {"objective": "binary", "learning_rate": self.learning_rate,
                "num_leaves": self.num_leaves, "min_child_samples": self.min_child_samples,
                "feature_fraction": 0.7, "bagging_fraction": 0.8, "bagging_freq": 1,
                "lambda_l2": 5.0, "seed": self.random_state, "deterministic": True,
                "num_threads": 1, "verbose": -1, "force_col_wise": True,
                "monotone_constraints": [MONOTONE.get(c, 0) for c in self.columns_]}

    def fit(self, X: pd.DataFrame, y) -> Boosted:
        y = np.asarray(y, dtype=int)
        self.columns_ = model_columns(X)
        matrix = as_matrix(X, self.columns_)
        train, valid = tuning_split(X["year"].to_numpy(), self.holdout)
        self.rounds_ = 150
        if y[train].sum() >= 5 and y[valid].sum() > 0:
            probe = lgb.train(self._params(), lgb.Dataset(matrix[train], y[train]),
                              num_boost_round=self.max_rounds,
                              valid_sets=[lgb.Dataset(matrix[valid], y[valid])],
                              callbacks=[lgb.early_stopping(50, verbose=False)])
            self.rounds_ = max(20, int(probe.best_iteration or self.max_rounds))
        self.booster_ = lgb.train(self._params(), lgb.Dataset(matrix, y),
                                  num_boost_round=self.rounds_)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = self.booster_.predict(as_matrix(X, self.columns_))
        return np.column_stack([1 - p, p])

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """SHAP values (log-odds) from the shap package's TreeExplainer."""
        import shap

        values = shap.TreeExplainer(self.booster_).shap_values(as_matrix(X, self.columns_))
        values = values[1] if isinstance(values, list) else values
        return pd.DataFrame(values, columns=self.columns_, index=X.index)


class Forest(ClassifierMixin, BaseEstimator):
    """A random forest on half-samples; missing values enter as -1 (below every feature's
    range), which lets trees separate "no data" from any observed value."""

    def __init__(self, n_estimators: int = 150, min_samples_leaf: int = 20,
                 max_features: str | float = "sqrt", max_samples: float = 0.5,
                 random_state: int = 0) -> None:
        self.n_estimators = n_estimators
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.max_samples = max_samples
        self.random_state = random_state

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        return np.nan_to_num(as_matrix(X, self.columns_), nan=-1.0)

    def fit(self, X: pd.DataFrame, y) -> Forest:
        self.columns_ = model_columns(X)
        self.forest_ = RandomForestClassifier(
            n_estimators=self.n_estimators, min_samples_leaf=self.min_samples_leaf,
            max_features=self.max_features, max_samples=self.max_samples,
            random_state=self.random_state, n_jobs=2,
        ).fit(self._matrix(X), np.asarray(y, dtype=int))
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        # Parallel prediction sums the trees in whatever order threads finish, which moves
        # the last bits; one thread keeps reruns byte-identical.
        self.forest_.n_jobs = 1
        try:
            return self.forest_.predict_proba(self._matrix(X))
        finally:
            self.forest_.n_jobs = 2
