"""Fitting on a training window and predicting a target year: raw P(attempt) and
P(success | attempt); calibration across years happens in ``service``."""

from __future__ import annotations

import warnings

import pandas as pd
from threadpoolctl import threadpool_limits

from coupwatch import models

OUTCOMES = ("attempt", "coup", "failed")


def training_rows(design: pd.DataFrame, target: int) -> pd.DataFrame:
    """Rows whose outcome was known before ``target``: target years < T, never T itself."""
    return design[(design["year"] < target) & design["attempt"].notna()]


def fit_predict(train: pd.DataFrame, test: pd.DataFrame, model: str = "ensemble",
                seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """Raw P(attempt) and q = P(success | attempt) for ``test``, fitted on ``train``."""
    # Multi-threaded BLAS is slower than one thread on matrices this small, and much slower
    # when the other core is busy; the forest parallelises over trees instead.
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore")  # convergence chatter from tiny tuning folds
        attempt_model = models.make(model, seed).fit(train, train["attempt"].astype(int))
        p = attempt_model.predict_proba(test)[:, 1]
        attempts = train[train["attempt"] == 1]
        success = models.SuccessModel().fit(attempts, (attempts["coup"] > 0).astype(int))
        q = success.predict_proba(test)[:, 1]
    out = test[["gwcode", "iso3", "country", "year"]].copy()
    out["p_attempt_raw"], out["q_success"] = p, q
    return out, {"attempt": attempt_model, "success": success}
