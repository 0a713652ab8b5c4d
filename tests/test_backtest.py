"""Rolling-origin backtests: no look-ahead, honest calibration, byte-identical reruns."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli, side_by_side

from coupwatch import models
from coupwatch.forecasts import backtest as bt
from coupwatch.forecasts import metrics
from coupwatch.forecasts.engine import fit_predict, member_job, training_rows
from coupwatch.forecasts.service import calibrate
from coupwatch.panel import design


@pytest.fixture(scope="module")
def rows(panel: pd.DataFrame) -> pd.DataFrame:
    return design(models.add_context(panel))


def _poison_future(rows: pd.DataFrame, target: int) -> pd.DataFrame:
    """Scramble everything from ``target`` on (features, outcomes): a leak would show."""
    poisoned = rows.copy()
    later = poisoned["year"] > target
    numeric = poisoned.select_dtypes("number").columns.drop(["gwcode", "year"])
    poisoned[numeric] = poisoned[numeric].astype("float64")
    rng = np.random.default_rng(7)
    poisoned.loc[later, numeric] = rng.uniform(0, 50, (int(later.sum()), len(numeric)))
    now = poisoned["year"] == target
    poisoned.loc[now, "attempt"] = 1 - poisoned.loc[now, "attempt"]
    return poisoned


@pytest.mark.parametrize("model", ["logit", "ensemble"])
def test_forecast_for_T_ignores_everything_from_T_on(rows: pd.DataFrame, model: str) -> None:
    target = 1992
    clean, _ = fit_predict(training_rows(rows, target), rows[rows["year"] == target], model)
    dirty_rows = _poison_future(rows, target)
    dirty, _ = fit_predict(training_rows(dirty_rows, target),
                           dirty_rows[dirty_rows["year"] == target].assign(
                               attempt=rows.loc[rows["year"] == target, "attempt"]), model)
    assert training_rows(rows, target)["year"].max() == target - 1
    np.testing.assert_allclose(clean["p_attempt_raw"], dirty["p_attempt_raw"])


def test_calibration_for_a_year_uses_only_earlier_years() -> None:
    rng = np.random.default_rng(3)
    years = np.repeat(np.arange(2000, 2016), 150)
    raw = rng.uniform(0.001, 0.1, len(years))
    frame = pd.DataFrame({"year": years, "gwcode": np.tile(np.arange(150), 16),
                          "p_attempt_raw": raw, "q_success": 0.5,
                          "observed_attempt": (rng.uniform(size=len(years)) < raw * 3) * 1.0})
    before = calibrate(frame, "ensemble")
    changed = frame.copy()
    later = changed["year"] >= 2012
    changed.loc[later, "observed_attempt"] = 1 - changed.loc[later, "observed_attempt"]
    after = calibrate(changed, "ensemble")
    upto = before["year"] <= 2012
    np.testing.assert_allclose(before.loc[upto, "p_attempt"], after.loc[upto, "p_attempt"])
    assert not np.allclose(before.loc[~upto, "p_attempt"], after.loc[~upto, "p_attempt"])


def test_metrics_have_intervals_around_the_estimate() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 0.2, 3000)
    frame = pd.DataFrame({"year": np.repeat(np.arange(2000, 2020), 150), "p": p,
                          "observed": (rng.uniform(size=3000) < p).astype(int)})
    table = metrics.summary(frame, n_boot=200).set_index("metric")
    for name in ("roc_auc", "pr_auc", "brier", "brier_skill", "log_loss", "recall_top10"):
        low, value, high = table.loc[name, ["ci_low", "value", "ci_high"]]
        assert low <= value <= high and low < high
    assert 0.6 < table.loc["roc_auc", "value"] < 0.9
    calibration = metrics.calibration(frame)
    assert calibration["n"].sum() == 3000 and len(calibration) == 10


@pytest.mark.parametrize("member", ["logit", "lgbm", "forest", "success"])
def test_members_refit_identically(rows: pd.DataFrame, member: str) -> None:
    first, _ = member_job(rows, member, 3, 1990)
    second, _ = member_job(rows, member, 3, 1990)
    assert np.array_equal(first["p"].to_numpy(), second["p"].to_numpy())
    assert first["p"].std() > 0


def test_same_data_and_seed_give_byte_identical_backtests(home, tmp_path) -> None:
    # End to end through calibration and the CSV writer; the members' own determinism
    # (LightGBM's bagging, the forest's bootstrap) is checked in process above.
    twin = tmp_path / "twin"
    twin.mkdir()
    shutil.copyfile(home / "warehouse.duckdb", twin / "warehouse.duckdb")
    args = ["backtest", "--from", "2019", "--to", "2020", "--model", "logit"]
    runs = side_by_side({"a": (home, [*args, "--output", tmp_path / "a.csv"]),
                         "b": (twin, [*args, "--output", tmp_path / "b.csv"])})
    for run in runs.values():
        assert run.returncode == 0, run.stderr
    first, second = (tmp_path / "a.csv").read_bytes(), (tmp_path / "b.csv").read_bytes()
    assert first == second
    frame = pd.read_csv(tmp_path / "a.csv")
    assert list(frame.columns) == bt.COLUMNS
    assert sorted(frame["year"].unique()) == [2019, 2020]
    assert "roc_auc" in runs["a"].stdout and "calibration" in runs["a"].stdout


@pytest.mark.parametrize("args, parameter", [
    (["--from", "1955", "--to", "1960"], "from"),
    (["--from", "2010", "--to", "2030"], "to"),
    (["--from", "2015", "--to", "2010"], "from"),
    (["--start", "2015", "--end", "2010"], "from"),  # the old spelling still works
    (["--outcome", "revolution"], "outcome"),
    (["--model", "oracle", "--from", "2019", "--to", "2019"], "model"),
])
def test_bad_backtest_parameters(home, args, parameter) -> None:
    run = run_cli("backtest", *args, home=home)
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0
    assert f"parameter '{parameter}'" in run.stderr


def test_backtest_on_an_empty_warehouse_is_bad_input(tmp_path) -> None:
    run = run_cli("backtest", home=tmp_path)
    assert run.returncode == 2 and "empty" in run.stderr


def test_fast_metrics_equal_scikit_learn() -> None:
    from sklearn.metrics import average_precision_score, roc_auc_score

    rng = np.random.default_rng(5)
    for decimals in (2, 8):  # with and without tied forecasts
        p = np.round(rng.uniform(0, 0.3, 2000), decimals)
        y = (rng.uniform(size=2000) < p).astype(float)
        assert metrics.roc_auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)
        assert metrics.average_precision(y, p) == pytest.approx(
            average_precision_score(y, p), abs=1e-12)


def test_cached_forecasts_are_keyed_to_data_and_code(warehouse_path, monkeypatch) -> None:
    import duckdb

    from coupwatch.forecasts import store

    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        key = store.data_key(con)
        assert key == store.data_key(con)
        monkeypatch.setattr(store, "code_fingerprint", lambda: "edited-model-code")
        assert store.data_key(con) != key
    finally:
        con.close()


def test_served_past_years_do_not_depend_on_later_backtests(forecast_home, tmp_path) -> None:
    # The stored record of a (data, model, seed) is the same whichever backtests ran after
    # the forecast: a shorter (or longer) span stores the same numbers for the years it shares.
    from forecast_fixtures import MODEL

    from coupwatch import warehouse
    from coupwatch.forecasts import service
    from coupwatch.read import snapshot

    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(forecast_home / "warehouse.duckdb", path)
    before = snapshot.load(path).backtests[["year", "gwcode", "p_attempt", "p_coup"]]
    assert before["year"].nunique() > 3
    con = warehouse.connect(path)
    try:
        design = service.design_rows(con)
        service.backtest(con, design, [2020, 2021, 2022], model=MODEL, seed=0)
        service.backtest(con, design, [2013, 2014], model=MODEL, seed=0)
    finally:
        con.close()
    after = snapshot.load(path).backtests[["year", "gwcode", "p_attempt", "p_coup"]]
    both = before.merge(after, on=["year", "gwcode"], suffixes=("", "_after"))
    assert len(both) == len(before)
    for column in ("p_attempt", "p_coup"):
        assert (both[column] - both[f"{column}_after"]).abs().max() < 1e-12
