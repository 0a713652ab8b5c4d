"""Model choice by nested evaluation: inner origins before the target only, the stack's
choices, and the stored rolling fits giving exactly what the self-contained estimator gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from coupwatch import warehouse
from coupwatch.forecasts import rolling, service
from coupwatch.forecasts.engine import fit_predict, training_rows
from coupwatch.models.nested import INNER_YEARS, MIN_TRAIN_YEARS, Stack, inner_origins


def test_inner_origins_are_the_windows_last_years_only() -> None:
    assert inner_origins(2000, 1951) == list(range(2000 - INNER_YEARS, 2000))
    early = inner_origins(1975, 1951)
    assert early == list(range(1951 + MIN_TRAIN_YEARS, 1975))
    assert inner_origins(1971, 1951) == []


def _members(n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Columns: member A (good, then blurred variant), member B (noise)."""
    rng = np.random.default_rng(seed)
    risk = rng.normal(-3.5, 1.2, n)
    y = (rng.uniform(size=n) < expit(risk)).astype(float)
    good = expit(risk)
    blurred = expit(risk * 0.3 - 2.5)
    noise = expit(rng.normal(-3.5, 1.0, n))
    return np.column_stack([good, blurred, noise]), y


def test_stack_picks_the_better_variant_and_weights_the_informative_member() -> None:
    V, y = _members()
    stack = Stack(groups=[[0, 1], [2]], defaults=[1, 0], weights="search").fit(V, y)
    assert stack.picks_ == [0, 2]
    assert stack.weights_[0] > 0.7 and stack.weights_.sum() == pytest.approx(1)
    equal = Stack(groups=[[0, 1], [2]], defaults=[1, 0]).fit(V, y)
    assert equal.picks_ == [0, 2] and np.allclose(equal.weights_, 0.5)


def test_stack_keeps_defaults_without_enough_events() -> None:
    V, y = _members(n=300)
    y[:] = 0
    y[:3] = 1
    stack = Stack(groups=[[0, 1], [2]], defaults=[1, 0], weights="search").fit(V, y)
    assert stack.picks_ == [1, 2] and np.allclose(stack.weights_, 0.5)
    p = stack.predict_proba(V)
    assert p.shape == (len(V), 2) and np.allclose(p.sum(axis=1), 1)


def test_stored_rolling_fits_give_what_the_estimator_gives(home) -> None:
    # service combines the rolling backtest's stored fits of the inner years; the estimator
    # refits them itself: the same numbers, bit for bit.
    target = 2000
    con = warehouse.connect(home / "warehouse.duckdb")
    try:
        design = service.design_rows(con)
        frame = service.backtest(con, design, [target], model="logit", workers=1)
        stack = rolling.stack_at(con, design, target, "logit", 0)
    finally:
        con.close()
    test = design[design["year"] == target]
    direct, fitted = fit_predict(training_rows(design, target), test, "logit")
    assert np.array_equal(frame["p_attempt_raw"].to_numpy(),
                          direct["p_attempt_raw"].to_numpy())
    assert fitted["attempt"].stack_.picks_ == stack.picks_
    assert isinstance(frame, pd.DataFrame) and frame["year"].unique().tolist() == [target]
