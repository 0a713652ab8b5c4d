"""The live forecast: ranked, coherent, stored with provenance; and its drivers."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest
from conftest import MIRROR, run_cli
from forecast_fixtures import MODEL


def test_forecast_is_ranked_coherent_and_stored(private_home, tmp_path) -> None:
    out = tmp_path / "f.csv"
    run = run_cli("forecast", "--model", MODEL, "--format", "csv", "--output", out,
                  home=private_home)
    assert run.returncode == 0, run.stderr
    frame = pd.read_csv(out)
    assert frame["year"].unique().tolist() == [2023]  # coup data run to November 2022
    assert frame["rank"].tolist() == list(range(1, len(frame) + 1))
    assert frame["p_attempt"].is_monotonic_decreasing
    assert ((frame["p_coup"] + frame["p_failed"] - frame["p_attempt"]).abs() < 1e-12).all()
    assert frame["change"].notna().mean() > 0.95 and frame["region"].notna().all()
    assert len(frame) > 150 and frame["p_attempt"].between(0, 1).all()
    con = duckdb.connect(str(private_home / "warehouse.duckdb"), read_only=True)
    run_row = con.execute("""SELECT run_id, target_year, model, data_versions
                             FROM forecast_runs ORDER BY created_at DESC LIMIT 1""").fetchone()
    stored = con.execute("SELECT count(*) FROM forecasts WHERE run_id = ?",
                         [run_row[0]]).fetchone()[0]
    con.close()
    assert run_row[1:3] == (2023, MODEL) and stored == len(frame)
    versions = json.loads(run_row[3])
    assert {v["source"] for v in versions} >= {"powell_thyne", "vdem", "wdi", "reign"}
    assert all(len(v["sha256"]) == 64 for v in versions)


def test_table_output_and_year_outside_data(private_home) -> None:
    table = run_cli("forecast", "--model", MODEL, "--year", "2012", home=private_home)
    assert table.returncode == 0, table.stderr
    assert "coup risk 2012" in table.stdout and "Mali" in table.stdout
    for year in ("1960", "2031"):
        bad = run_cli("forecast", "--model", MODEL, "--year", year, home=private_home)
        assert bad.returncode == 2 and "parameter 'year'" in bad.stderr


def test_forecast_on_empty_warehouse_updates_data_first(tmp_path) -> None:
    run = run_cli("forecast", "--model", "history", "--format", "json", home=tmp_path,
                  COUPWATCH_MIRROR=str(MIRROR))
    assert run.returncode == 0, run.stderr
    payload = json.loads(run.stdout[run.stdout.index("["):])
    assert payload[0]["rank"] == 1 and len(payload) > 150


def test_explain_in_plain_words_with_what_if(private_home) -> None:
    run = run_cli("explain", "MLI", "--year", "2020", "--model", MODEL, "--format", "json",
                  "--what-if", "years_since_attempt=40", home=private_home)
    assert run.returncode == 0, run.stderr
    assert "Warning" not in run.stderr  # no library chatter reaches the analyst
    result = json.loads(run.stdout)
    assert result["country"] == "Mali" and result["year"] == 2020
    texts = [d["text"] for d in result["drivers"]]
    assert any("coup attempt" in t for t in texts)
    assert {d["direction"] for d in result["drivers"]} == {"raises", "lowers"}
    assert result["p_attempt_what_if"] < result["p_attempt"]


@pytest.mark.parametrize("args, parameter", [
    (["explain", "Narnia"], "country"),
    (["explain", "MLI", "--what-if", "magic=1"], "what-if"),
    (["explain", "MLI", "--what-if", "gdp_pc=lots"], "what-if"),
    (["explain", "MLI", "--year", "1900"], "year"),
])
def test_explain_bad_input(private_home, args, parameter) -> None:
    run = run_cli(*args, "--model", MODEL, home=private_home)
    assert run.returncode == 2 and f"parameter '{parameter}'" in run.stderr


def test_forecast_stores_fits_and_drivers_so_explain_does_not_refit(private_home) -> None:
    from forecast_fixtures import stored_rows

    path = private_home / "warehouse.duckdb"
    con = duckdb.connect(str(path), read_only=True)
    run_id, year = con.execute("""SELECT run_id, target_year FROM forecast_runs
                                  ORDER BY created_at DESC LIMIT 1""").fetchone()
    drivers = con.execute("""SELECT count(DISTINCT gwcode), count(*) FROM forecast_drivers
                             WHERE run_id = ?""", [run_id]).fetchone()
    kept = con.execute("SELECT DISTINCT member FROM fitted_members WHERE year = ?",
                       [year]).fetchall()
    con.close()
    assert drivers[0] > 150 and drivers[1] > 150 * 20
    assert {m for (m,) in kept} >= {MODEL.replace("ensemble", "logit"), "success"}
    before = stored_rows(path)
    run = run_cli("explain", "MLI", "--model", MODEL, "--format", "json",
                  "--what-if", "years_since_attempt=40", home=private_home)
    assert run.returncode == 0, run.stderr
    assert stored_rows(path)["member_forecasts"] == before["member_forecasts"]  # no new fit
    assert stored_rows(path)["fitted_members"] == before["fitted_members"]
    result = json.loads(run.stdout)
    assert result["year"] == year and result["p_attempt_what_if"] < result["p_attempt"]


def test_stored_drivers_are_read_without_the_model_libraries(private_home) -> None:
    # The read layer shows drivers from the stored run: no scikit-learn, LightGBM or shap.
    code = (
        "import sys, duckdb\n"
        "from coupwatch.forecasts import drivers\n"
        f"con = duckdb.connect({str(private_home / 'warehouse.duckdb')!r}, read_only=True)\n"
        "got = drivers.stored(con, 'MLI')\n"
        "heavy = [m for m in ('sklearn', 'lightgbm', 'shap') if m in sys.modules]\n"
        "print(got['country'], got['year'], len(got['drivers']), heavy)\n")
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    country, year, count, heavy = out.stdout.split(" ", 3)
    assert country == "Mali" and year == "2023" and int(count) == 10
    assert heavy.strip() == "[]"


def test_a_past_year_forecast_is_history_not_the_served_run(private_home) -> None:
    # A forecast for a past year is stored and readable, but the dashboard, the API, the
    # drivers (explain, brief) keep serving the forecast for the latest target year.
    from coupwatch import warehouse
    from coupwatch.forecasts import drivers, service
    from coupwatch.read import snapshot

    path = private_home / "warehouse.duckdb"
    con = warehouse.connect(path)
    try:
        _, past_id = service.forecast(con, 2021, model=MODEL, seed=0)
    finally:
        con.close()
    snap = snapshot.load(path)
    assert snap.run["target_year"] == 2023 and snap.run["run_id"] != past_id
    assert snap.forecast["year"].unique().tolist() == [2023]
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert drivers.stored(con, "MLI")["year"] == 2023
        assert drivers.stored(con, "MLI", 2021)["year"] == 2021  # the past run stays readable
        years = {y for (y,) in con.execute("SELECT target_year FROM forecast_runs").fetchall()}
    finally:
        con.close()
    assert years == {2021, 2023}


def test_an_identical_forecast_reuses_the_stored_run(private_home) -> None:
    # Same target year, model, seed, code and data: one run, one id; anything else differs:
    # a new run.
    from coupwatch import warehouse
    from coupwatch.forecasts import service

    path = private_home / "warehouse.duckdb"
    con = warehouse.connect(path)
    try:
        first, a = service.forecast(con, 2020, model=MODEL, seed=0)
        second, b = service.forecast(con, 2020, model=MODEL, seed=0)
        _, other = service.forecast(con, 2020, model=MODEL, seed=1)
        runs = con.execute("""SELECT seed, count(*) FROM forecast_runs WHERE target_year = 2020
                              GROUP BY seed ORDER BY seed""").fetchall()
        rows = con.execute("SELECT count(*) FROM forecasts WHERE run_id = ?", [a]).fetchone()
        drivers = con.execute("""SELECT count(*), count(DISTINCT (gwcode, feature)) FROM
                                 forecast_drivers WHERE run_id = ?""", [a]).fetchone()
    finally:
        con.close()
    assert a == b and other != a
    assert runs == [(0, 1), (1, 1)]
    assert rows[0] == len(first) and drivers[0] == drivers[1] > 0  # stored once
    pd.testing.assert_frame_equal(first, second)


def test_a_forecast_brings_its_past_years_calibrated_on_whole_windows(private_home) -> None:
    # the risk trend beside a forecast (brief, dashboard) must be there after a first
    # forecast, without a separate backtest
    from coupwatch import warehouse
    from coupwatch.forecasts import service

    con = warehouse.connect(private_home / "warehouse.duckdb")
    try:
        con.execute("DELETE FROM backtests")
        service.forecast(con, 2019, model=MODEL, seed=0)
        years = {int(y) for (y,) in con.execute(
            "SELECT DISTINCT year FROM backtests WHERE model = ?", [MODEL]).fetchall()}
    finally:
        con.close()
    assert set(range(2019 - service.HISTORY_YEARS, 2020)) <= years
