"""Scoring other people's forecast files against observed coups, beside our backtest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_cli
from forecast_fixtures import MODEL

from coupwatch.errors import BadInput
from coupwatch.forecasts.score import read_forecasts

ANCHORS = Path(__file__).resolve().parents[2] / "shared" / "anchors"
FORECASTER2 = ANCHORS / "forecaster2_test_forecasts_2011_2020.csv"
LIVE_2020 = ANCHORS / "forecaster2_forecasts_2020.csv"


def test_reads_forecaster2_files_unchanged() -> None:
    test_set = read_forecasts(FORECASTER2, start=2011, end=2019)
    assert (test_set.country_column, test_set.year_column) == ("gwcode", "for_year")
    assert len(test_set.frame) == 1518
    live = read_forecasts(LIVE_2020, p_column="Attempt")
    assert (live.country_column, live.year_column, len(live.frame)) == ("GWcode", "Year", 169)


def test_scores_forecaster2_test_set_on_common_country_years(forecast_home) -> None:
    run = run_cli("score", FORECASTER2, "--from", "2011", "--to", "2019", "--model", MODEL,
                  home=forecast_home)
    assert run.returncode == 0, run.stderr
    assert "1,518 common country-years 2011-2019, 18 events" in run.stdout
    # their published figure, recomputed from their file on the same rows
    assert re.search(r"roc_auc\s*│\s*0\.794", run.stdout)
    assert "paired bootstrap" in run.stdout


def test_scores_the_2020_live_forecasts(forecast_home) -> None:
    run = run_cli("score", LIVE_2020, "--p-column", "Attempt", "--model", MODEL,
                  home=forecast_home)
    assert run.returncode == 0, run.stderr
    assert "2020-2020, 1 events" in run.stdout  # Mali, August 2020


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.csv"
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, where", [
    ("iso3,year,prob\nMLI,2015,0.2\n", "column 'p'"),
    ("iso3,year,p\nMLI,2015,0.2\nNER,2015,1.7\n", "row 3, column 'p'"),
    ("iso3,year,p\nMLI,2015,0.2\nNER,2015,\n", "row 3, column 'p'"),
    ("iso3,year,p\nMLI,2015,0.2\nMLI,2015,0.3\n", "row 3"),
    ("iso3,year,p\nMLI,2015,0.2\nXXZ,2015,0.3\n", "row 3, column 'iso3'"),
    ("iso3,year,p\nMLI,20x5,0.2\n", "row 2, column 'year'"),
])
def test_bad_forecast_files(tmp_path: Path, text: str, where: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(BadInput) as caught:
        read_forecasts(path)
    assert where in str(caught.value) and str(path) in str(caught.value)


def test_bad_forecast_file_through_the_cli_changes_nothing(forecast_home, tmp_path) -> None:
    before = (forecast_home / "warehouse.duckdb").stat().st_mtime_ns
    run = run_cli("score", _write(tmp_path, "iso3,year,p\nMLI,2015,nan\n"), home=forecast_home)
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert (forecast_home / "warehouse.duckdb").stat().st_mtime_ns == before
    outside = run_cli("score", _write(tmp_path, "iso3,year,p\nUSA,1955,0.1\n"),
                      home=forecast_home)
    assert outside.returncode == 2 and "outside the data" in outside.stderr
