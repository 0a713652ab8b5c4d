"""One rolling origin of one member: fit on target years before T, forecast T.

A *member* (``models.MEMBERS``: logit, lgbm, forest, ...) gives one column per variant
(penalty, number of trees); ``success`` gives q = P(success | attempt). A model
(``models.MODELS``) combines members' variants, chosen on their forecasts of earlier years
(``models.nested``); calibration across years happens in ``service``. Each job is a pure
function of the design rows, the member, the seed and the year, so jobs run in any order,
in any process, and give the same bits.
"""

from __future__ import annotations

import io
import warnings

import joblib
import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from coupwatch import models
from coupwatch.forecasts import availability
from coupwatch.models.base import model_columns

OUTCOMES = ("attempt", "coup", "failed")
SUCCESS = "success"  # the member giving q = P(success | attempt)


def training_rows(design: pd.DataFrame, target: int) -> pd.DataFrame:
    """Rows whose outcome was known before ``target``: target years < T, never T itself."""
    return design[(design["year"] < target) & design["attempt"].notna()]


def fit_member(train: pd.DataFrame, member: str, seed: int = 0):
    """The member fitted on ``train`` (``success``: on its attempt-years only)."""
    # One BLAS thread: faster than two on matrices this small (much faster when the other
    # core is busy), and the same bits in every process.
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore")  # convergence chatter on early, small windows
        if member == SUCCESS:
            attempts = train[train["attempt"] == 1]
            return models.SuccessModel().fit(attempts, (attempts["coup"] > 0).astype(int))
        return models.make_member(member, seed).fit(train, train["attempt"].astype(int))


def variants(fitted, rows: pd.DataFrame, member: str) -> pd.DataFrame:
    """Long rows ``gwcode, year, variant, p`` of a fitted member on ``rows``."""
    if member == SUCCESS:
        values, names = fitted.predict_proba(rows)[:, [1]], ["q"]
    else:
        values, names = fitted.predict_variants(rows), fitted.variant_names()
    wide = pd.DataFrame(values, columns=names)
    wide["gwcode"], wide["year"] = rows["gwcode"].to_numpy(), rows["year"].to_numpy()
    return wide.melt(id_vars=["gwcode", "year"], var_name="variant", value_name="p")


def origin_rows(design: pd.DataFrame, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training rows for target ``year`` and the year's own rows, both without the features
    the origin (the end of ``year - 1``) has no value for (``availability``)."""
    test = design[design["year"] == year]
    return availability.restrict(training_rows(design, year), test, model_columns(design))


def member_job(design: pd.DataFrame, member: str, seed: int, year: int,
               keep: bool = False) -> tuple[pd.DataFrame, bytes | None]:
    """Fit ``member`` for target ``year``; its variants on that year's rows and, if ``keep``,
    the fitted member serialised (for explanations and what-ifs without a refit)."""
    train, test = origin_rows(design, year)
    fitted = fit_member(train, member, seed)
    with threadpool_limits(limits=1):
        out = variants(fitted, test, member)
    return out, dump(fitted) if keep else None


def dump(fitted) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(fitted, buffer)
    return buffer.getvalue()


def load(blob: bytes):
    return joblib.load(io.BytesIO(blob))


def wide(long: pd.DataFrame) -> pd.DataFrame:
    """Member rows ``member, gwcode, year, variant, p`` as one column per member:variant."""
    if long.empty:
        return pd.DataFrame(columns=["gwcode", "year"])
    keyed = long.assign(column=long["member"] + ":" + long["variant"])
    out = keyed.pivot_table(index=["year", "gwcode"], columns="column", values="p",
                            aggfunc="first", sort=True)
    out.columns.name = None
    return out.reset_index()


def fit_predict(train: pd.DataFrame, test: pd.DataFrame, model: str = "ensemble",
                seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """Raw P(attempt) and q for ``test`` from ``model`` fitted on ``train`` in one go.

    The self-contained path (the model's own inner evaluation refits members on earlier
    windows); ``service`` gets the same numbers from stored rolling fits instead.
    """
    train, test = availability.restrict(train, test, model_columns(train))
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore")
        attempt_model = models.make(model, seed).fit(train, train["attempt"].astype(int))
        p = attempt_model.predict_proba(test)[:, 1]
    success = fit_member(train, SUCCESS, seed)
    q = success.predict_proba(test)[:, 1]
    out = test[["gwcode", "iso3", "country", "year"]].copy()
    out["p_attempt_raw"], out["q_success"] = np.asarray(p), q
    return out, {"attempt": attempt_model, "success": success}
