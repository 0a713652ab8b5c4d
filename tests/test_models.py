"""The estimator contract, outcome coherence, calibration and contagion features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from coupwatch import countries, models
from coupwatch.forecasts.engine import fit_predict, training_rows
from coupwatch.models.calibration import Platt
from coupwatch.models.trees import MONOTONE, Boosted
from coupwatch.panel import design


@pytest.fixture(scope="module")
def rows(panel: pd.DataFrame) -> pd.DataFrame:
    return design(models.add_context(panel))


@pytest.mark.parametrize("name", ["climatology", "history", "logit", "forest"])
def test_estimators_share_one_contract(rows: pd.DataFrame, name: str) -> None:
    train = training_rows(rows, 2001)
    test = rows[rows["year"] == 2001]
    estimator = models.make(name, seed=0)
    fitted = clone(estimator).fit(train, train["attempt"].astype(int))
    proba = fitted.predict_proba(test)
    assert proba.shape == (len(test), 2)
    assert np.allclose(proba.sum(axis=1), 1)
    assert ((proba >= 0) & (proba <= 1)).all()
    if name != "climatology":  # a real model ranks: not every country gets the same risk
        assert proba[:, 1].std() > 0


def test_unknown_model_is_bad_input() -> None:
    from coupwatch.errors import BadInput

    with pytest.raises(BadInput, match="model"):
        models.make("crystal-ball")


def test_three_outcomes_cohere(rows: pd.DataFrame) -> None:
    train = training_rows(rows, 2012)
    test = rows[rows["year"] == 2012]
    out, _ = fit_predict(train, test, "logit")
    p_coup, p_failed = models.split_outcomes(out["p_attempt_raw"].to_numpy(),
                                             out["q_success"].to_numpy())
    assert np.allclose(p_coup + p_failed, out["p_attempt_raw"])
    assert ((out["q_success"] > 0) & (out["q_success"] < 1)).all()


def test_platt_is_identity_without_enough_events_and_monotone_with_them() -> None:
    p = np.linspace(0.001, 0.3, 50)
    assert np.array_equal(Platt().fit(p, np.zeros(50)).predict(p), p)
    rng = np.random.default_rng(1)
    raw = rng.uniform(0.001, 0.2, 2000)
    y = rng.uniform(size=2000) < raw * 2  # raw forecasts are too low by half
    mapped = Platt().fit(raw, y).predict(np.sort(raw))
    assert np.all(np.diff(mapped) >= 0)
    assert mapped.mean() > np.sort(raw).mean()


def test_boosted_trees_respect_monotone_constraints(rows: pd.DataFrame) -> None:
    train = training_rows(rows, 2005)
    model = Boosted().fit(train, train["attempt"].astype(int))
    probe = rows[rows["year"] == 2005].head(40).copy()
    low = model.predict_proba(probe.assign(attempts_5y=0))[:, 1]
    high = model.predict_proba(probe.assign(attempts_5y=3))[:, 1]
    assert "attempts_5y" in MONOTONE
    assert (high >= low - 1e-12).all() and (high > low).any()


def test_regional_contagion_excludes_the_country_itself(panel: pd.DataFrame) -> None:
    context = models.add_context(panel)
    mali = countries.resolve("MLI")
    row = context[(context["gwcode"] == mali) & (context["year"] == 2012)].iloc[0]
    western_africa = context[(context["year"] == 2012) & context["gwcode"].isin(
        [g for g in context["gwcode"].unique()
         if models.features.regions.geography().loc[g, "un_subregion"] == "Western Africa"])]
    expected = western_africa["n_attempts"].sum() - row["n_attempts"]
    assert row["subregion_attempts_1y"] == expected
    assert row["member_ecowas"] == 1 and row["member_g5_sahel"] == 0  # G5 Sahel began 2014
