"""Forecasts that stay honest when a source stops: a feature no state has a value for at the
forecast's origin is left out of the model, origin by origin, and the run says so."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import query, run_cli
from reign_cut import cut_reign

from coupwatch import catalog, operations, warehouse
from coupwatch.forecasts import availability, engine, metrics, service
from coupwatch.forecasts import backtest as bt
from coupwatch.models.base import model_columns

YEARS = [2019, 2020, 2021, 2022]


def test_left_out_is_what_no_state_has():
    rows = pd.DataFrame({"gwcode": [1, 2], "a": [np.nan, np.nan], "b": [1.0, np.nan],
                         "c": [0.0, 0.0]})
    assert availability.left_out(rows, ["a", "b", "c"]) == ["a"]
    assert availability.left_out(availability.blind(rows), ["a", "b", "c"]) == []
    train = pd.DataFrame({"a": [1.0], "b": [2.0], "c": [3.0]})
    fit_rows, origin = availability.restrict(train, rows, ["a", "b", "c"])
    assert "a" not in fit_rows.columns and "a" not in origin.columns


@pytest.fixture(scope="module")
def cut_home(tmp_path_factory) -> Path:
    """A warehouse from a mirror whose REIGN files stop at the end of 2017."""
    base = tmp_path_factory.mktemp("reign-cut")
    mirror = cut_reign(base / "mirror", 2017)
    home = base / "home"
    home.mkdir()
    operations.update_data(mirror=mirror, path=home / "warehouse.duckdb")
    return home


@pytest.fixture(scope="module")
def design(cut_home: Path) -> pd.DataFrame:
    con = warehouse.connect(cut_home / "warehouse.duckdb")
    try:
        return service.design_rows(con)
    finally:
        con.close()


def test_each_origin_fits_on_what_it_knows(design):
    columns = model_columns(design)
    train, origin = engine.origin_rows(design, 2018)  # origin: the end of 2017
    assert "leader_tenure" in origin.columns and "leader_tenure" in train.columns
    train, origin = engine.origin_rows(design, 2022)  # REIGN's values ran out by 2021
    gone = set(columns) - set(origin.columns)
    assert {"leader_tenure", "leader_military", "reign_tenure_months"} <= gone
    assert gone == set(columns) - set(train.columns)
    # REIGN's inputs ran out; and military spending, whose WDI release (2018) ends in 2016
    assert {catalog.get(c).source for c in gone} == {"reign", "wdi"}
    assert {c for c in gone if catalog.get(c).source == "wdi"} == {
        "milex_gdp", "milex_gdp_d1", "milex_gdp_d5"}


def test_aware_backtest_scores_no_worse_on_the_same_rows(cut_home, design):
    """Issue 12's check on real data (logit here, to keep the suite fast; the ensemble's
    figures are in bench/bench_availability.py)."""
    con = warehouse.connect(cut_home / "warehouse.duckdb")
    try:
        aware = service.backtest(con, design, YEARS, model="logit", workers=1)
        blind = service.backtest(con, availability.blind(design), YEARS, model="logit",
                                 workers=1)
    finally:
        con.close()
    rows = {name: bt.rows(frame, "attempt", "logit")
            for name, frame in (("aware", aware), ("blind", blind))}
    assert rows["aware"][["gwcode", "year", "observed"]].equals(
        rows["blind"][["gwcode", "year", "observed"]])  # the same country-years
    auc = {name: metrics.roc_auc(r["observed"].to_numpy(), r["p"].to_numpy())
           for name, r in rows.items()}
    assert auc["aware"] >= auc["blind"], auc
    assert not np.allclose(rows["aware"]["p"], rows["blind"]["p"])  # the rule did something


def test_the_forecast_lists_the_reign_inputs_as_left_out(cut_home):
    run = run_cli("forecast", "--model", "logit", home=cut_home)
    assert run.returncode == 0, run.stderr
    assert "inputs left out" in run.stdout and "reign" in run.stdout
    stored = query(cut_home / "warehouse.duckdb", "SELECT left_out FROM forecast_runs")
    entries = json.loads(stored["left_out"].iloc[-1])
    assert {e["source"] for e in entries} == {"reign", "wdi"}  # wdi: military spending
    tenure = next(e for e in entries if e["feature"] == "leader_tenure")
    assert tenure["last_observed"] == 2017 and "no value" in tenure["reason"]
