"""The monthly early warning: coherent horizons, no look-ahead, byte-identical reruns, the
CLI end to end on a short span (the logistic model, to keep the suite fast), bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import query, run_cli, side_by_side

from coupwatch import operations
from coupwatch.forecasts import hazard, monthly, monthly_store
from coupwatch.panel import monthly as monthly_panel
from coupwatch.panel.months import index

MODEL = "logit"


@pytest.fixture(scope="module")
def data(warehouse_path: Path) -> monthly.Data:
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        return monthly.prepare(con)
    finally:
        con.close()


@pytest.fixture(scope="module")
def stored(tmp_path_factory, warehouse_path: Path) -> Path:
    """A home whose warehouse holds the monthly backtest of 2019 (logit, seed 0)."""
    home = tmp_path_factory.mktemp("monthly-home")
    shutil.copyfile(warehouse_path, home / "warehouse.duckdb")
    run = run_cli("backtest", "--unit", "month", "--horizon", "3", "--from", "2019", "--to",
                  "2019", "--model", MODEL, "--output", home / "first.csv", home=home)
    assert run.returncode == 0, run.stderr
    home.joinpath("first.out").write_text(run.stdout)
    return home


def test_stacked_rows_follow_the_risk_set(data):
    rows = hazard.stack(data.panel, seed=0)
    panel = data.panel
    origin = rows["row"].to_numpy()
    assert (panel["mi"].to_numpy()[origin] + rows["lead"].to_numpy() == rows["target"]).all()
    # Mali's coup of March 2012 is the target of leads 1..12 from origins April 2011 on;
    # the counter-coup of May 2012 only of leads 1 and 2 (an attempt in March came between)
    mali = rows[(panel["gwcode"].to_numpy()[origin] == 432) & (rows["y"] == 1)]
    march, may = index(2012, 3), index(2012, 5)
    assert sorted(mali.loc[mali["target"] == march, "lead"]) == list(range(1, 13))
    assert sorted(mali.loc[mali["target"] == may, "lead"]) == [1, 2]
    # the sample never depends on other rows: the same seed keeps the same rows
    assert rows.equals(hazard.stack(data.panel, seed=0))
    share = 1 - rows["y"].mean()
    assert 0.8 < share and len(rows) < 0.1 * 12 * len(panel)


def test_risks_cohere_across_horizons_and_outcomes():
    rng = np.random.default_rng(1)
    hazards, q = rng.uniform(0, 0.05, (500, 12)), rng.uniform(0, 1, 500)
    attempt = np.column_stack([hazard.cumulative(hazards, h) for h in hazard.HORIZONS])
    coup = np.column_stack([hazard.cumulative(hazards, h, q) for h in hazard.HORIZONS])
    assert (np.diff(attempt, axis=1) >= 0).all() and (np.diff(coup, axis=1) >= 0).all()
    assert (coup <= attempt).all()
    assert hazard.cumulative(np.full((1, 12), 0.1), 3)[0] == pytest.approx(1 - 0.9 ** 3)


def _poison_after(panel: pd.DataFrame, month: int) -> pd.DataFrame:
    """Scramble features and outcomes of every month after ``month``: a leak would show."""
    poisoned = panel.copy()
    later = poisoned["mi"] > month
    numeric = monthly_panel.feature_names(panel)
    rng = np.random.default_rng(7)
    poisoned.loc[later, numeric] = rng.uniform(0, 50, (int(later.sum()), len(numeric)))
    for outcome in ("attempt", "coup"):
        poisoned.loc[later, outcome] = rng.integers(0, 2, int(later.sum())).astype(float)
    return poisoned


def test_forecasts_at_an_origin_ignore_everything_after_it(data):
    origin = index(2012, 3)  # Mali's coup month; the 2012 model is fitted on 1950-2011
    dirty = _poison_after(data.panel, origin)

    def hazards(panel: pd.DataFrame) -> pd.DataFrame:
        return monthly._fit_year(hazard.features(panel), monthly._core(panel),
                                 hazard.stack(panel, 0), 2012, data.last, MODEL, 0)

    clean, poisoned = hazards(data.panel), hazards(dirty)
    upto = clean["origin"] <= origin
    pd.testing.assert_frame_equal(clean[upto], poisoned[upto])
    later = clean[~upto][monthly_store.HAZARDS].to_numpy()
    assert not np.allclose(later, poisoned[~upto][monthly_store.HAZARDS].to_numpy())


def test_backtest_file_and_metrics(stored):
    frame = pd.read_csv(stored / "first.csv")
    assert list(frame.columns) == monthly.COLUMNS
    assert sorted(frame["month"].unique()) == list(range(1, 13))
    assert set(frame["year"]) == {2019} and set(frame["horizon"]) == {3}
    assert frame["p"].between(0, 1).all() and set(frame["observed"]) == {0, 1}
    # Sudan, 11 April 2019: inside the 3-month windows of January, February and March
    sudan = frame[frame["gwcode"] == 625].set_index("month")["observed"]
    assert sudan[sudan == 1].index.tolist() == [1, 2, 3]
    out = (stored / "first.out").read_text()
    for word in ("roc_auc", "pr_auc", "brier_skill", "recall_top10", "calibration"):
        assert word in out


def test_reruns_are_byte_identical_and_do_not_depend_on_workers(stored, tmp_path):
    twin = tmp_path / "twin"
    twin.mkdir()
    shutil.copyfile(stored / "warehouse.duckdb", twin / "warehouse.duckdb")
    con = duckdb.connect(str(twin / "warehouse.duckdb"))
    con.execute("DELETE FROM monthly_backtests")  # refit from scratch, on two workers
    con.close()
    args = ["backtest", "--unit", "month", "--horizon", "3", "--from", "2019", "--to",
            "2019", "--model", MODEL]
    runs = side_by_side({"cached": (stored, [*args, "--output", tmp_path / "a.csv"]),
                         "fresh": (twin, [*args, "--workers", "2", "--output",
                                          tmp_path / "b.csv"])})
    assert all(r.returncode == 0 for r in runs.values()), runs
    first = (stored / "first.csv").read_bytes()
    assert first == (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_cache_is_keyed_to_the_data(stored):
    cached = query(stored / "warehouse.duckdb", """SELECT data_key, model, seed, count(*) AS n,
                   count(DISTINCT origin) AS origins FROM monthly_backtests GROUP BY ALL""")
    assert len(cached) == 1 and cached["origins"].iloc[0] == 12 and cached["model"].iloc[0] \
        == MODEL
    con = duckdb.connect(str(stored / "warehouse.duckdb"), read_only=True)
    try:
        assert monthly_store.data_key(con) == cached["data_key"].iloc[0]
    finally:
        con.close()


def test_history_of_a_country_from_the_stored_backtest(stored):
    mali = operations.monthly_history("Mali", stored / "warehouse.duckdb", start=2019,
                                      end=2019, model=MODEL)
    assert len(mali) == 12 and set(mali["iso3"]) == {"MLI"}
    first = pd.read_csv(stored / "first.csv")
    expected = first[first["gwcode"] == 432]["p"].to_numpy()
    np.testing.assert_allclose(mali["p"].to_numpy(), expected, atol=1e-9)
    twelve = operations.monthly_history("MLI", stored / "warehouse.duckdb", horizon=12,
                                        start=2019, end=2019, model=MODEL)
    assert (twelve["p"].to_numpy() >= mali["p"].to_numpy()).all()


def test_forecast_by_month(stored):
    run = run_cli("forecast", "--unit", "month", "--model", MODEL, "--top", "5", "--output",
                  stored / "forecast.csv", home=stored, COLUMNS="80")
    assert run.returncode == 0, run.stderr
    assert "watchlist" in run.stdout and "after 2022-11" in run.stdout
    # at 80 columns: whole names, human headers, change in points, what the numbers are
    table = [line for line in run.stdout.splitlines() if line.startswith(("│", "┃"))]
    assert all(len(line) <= 80 for line in table)
    assert "3 months" in run.stdout and "change (pt)" in run.stdout
    assert "p_attempt_3m" not in run.stdout
    assert "probability of at least one coup attempt" in run.stdout
    frame = pd.read_csv(stored / "forecast.csv")
    assert (frame["year"].unique().tolist(), frame["month"].unique().tolist()) == ([2022], [11])
    assert frame["rank"].tolist() == list(range(1, len(frame) + 1))
    risks = frame[["p_attempt_1m", "p_attempt_3m", "p_attempt_6m", "p_attempt_12m"]]
    assert (np.diff(risks.to_numpy(), axis=1) >= 0).all()
    assert (frame["p_coup_3m"] <= frame["p_attempt_3m"]).all()
    assert frame["p_attempt_3m"].is_monotonic_decreasing
    runs = query(stored / "warehouse.duckdb", "SELECT * FROM monthly_runs")
    assert len(runs) == 1 and runs["model"].iloc[0] == MODEL
    assert (runs["origin_year"].iloc[0], runs["origin_month"].iloc[0]) == (2022, 11)
    assert runs["run_id"].iloc[0] in run.stdout
    kept = query(stored / "warehouse.duckdb", "SELECT * FROM monthly_forecasts ORDER BY rank")
    assert len(kept) == len(frame)
    np.testing.assert_allclose(kept["p_attempt_3m"], frame["p_attempt_3m"])
    # REIGN's leader list ends in February 2021 and is carried 12 months: by November 2022
    # no state has a leader value, so the run left those inputs out and says so
    left = json.loads(runs["left_out"].iloc[0])
    assert {"reign"} <= {e["source"] for e in left}
    assert any(e["feature"].endswith("leader_months") for e in left), left
    assert "inputs left out" in run.stdout


@pytest.mark.parametrize(("args", "parameter"), [
    (["backtest", "--unit", "month", "--horizon", "0"], "horizon"),
    (["backtest", "--unit", "month", "--horizon", "500"], "horizon"),
    (["backtest", "--unit", "week"], "unit"),
    (["forecast", "--unit", "week"], "unit"),
    (["backtest", "--horizon", "3"], "horizon"),
    (["backtest", "--unit", "month", "--from", "1955", "--to", "1960"], "from"),
    (["backtest", "--unit", "month", "--horizon", "12", "--from", "2020", "--to", "2022"],
     "to"),
    (["backtest", "--unit", "month", "--outcome", "failed"], "outcome"),
    (["backtest", "--unit", "month", "--model", "history", "--from", "2019", "--to",
      "2019"], "model"),
    (["forecast", "--unit", "month", "--year", "2023"], "year"),
])
def test_bad_monthly_parameters(home, args, parameter):
    before = query(home / "warehouse.duckdb", "SELECT count(*) AS n FROM duckdb_tables()")
    run = run_cli(*args, home=home)
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.strip().count("\n") == 0 and f"parameter '{parameter}'" in run.stderr
    after = query(home / "warehouse.duckdb", "SELECT count(*) AS n FROM duckdb_tables()")
    assert before.equals(after)
