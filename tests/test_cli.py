"""The command line as a user runs it: `coupwatch data|panel|events` in a fresh home."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from conftest import MIRROR, run_cli, side_by_side

from coupwatch.panel import feature_columns
from coupwatch.sources import CONNECTORS


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A new COUPWATCH_HOME filled by `coupwatch data update --mirror MIRROR`."""
    home = tmp_path_factory.mktemp("cli-home")
    result = run_cli("data", "update", "--mirror", MIRROR, home=home)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    for name in CONNECTORS:
        assert name in result.stdout
    assert "loaded" in result.stdout and "unchanged" not in result.stdout
    assert (home / "warehouse.duckdb").is_file()
    return home


@pytest.fixture(scope="module")
def runs(fresh: Path) -> dict:
    """Read-only commands on the fresh warehouse, side by side."""
    out = fresh / "exports"
    out.mkdir()
    return side_by_side({
        "status": (fresh, ["data", "status"]),
        "csv": (fresh, ["panel", "export", "--format", "csv", "--output", out / "p.csv",
                        "--from", "2000", "--to", "2010"]),
        "parquet": (fresh, ["panel", "export", "--format", "parquet", "--output",
                            out / "p.parquet", "--from", "2015", "--to", "2022"]),
        "mali": (fresh, ["events", "--country", "Mali"]),
        "2021": (fresh, ["events", "--from", "2021", "--to", "2021"]),
        "bad-date": (fresh, ["events", "--from", "2021-13-01"]),
        "bad-range": (fresh, ["panel", "export", "--format", "csv", "--output",
                              out / "never.csv", "--from", "2020", "--to", "2010"]),
    })


def ok(result) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    return result.stdout


def test_data_status_shows_every_source_hash_and_unmapped(runs):
    text = ok(runs["status"])
    for name, connector in CONNECTORS.items():
        assert name in text
        for file in (f for f in connector.files if not f.online_only):
            digest = hashlib.sha256((MIRROR / file.path).read_bytes()).hexdigest()
            assert digest[:16] in text, file.path
            assert digest not in text  # a prefix, to keep the table readable
    assert "not mapped to a G&W state" in text
    assert "ISO3 ABW" in text and "Aruba" in text
    assert "V2015.05.20" in text and "V2022.11.29" in text
    assert "duplicates" in text


def test_panel_export_csv(runs, panel, fresh):
    assert "wrote" in ok(runs["csv"])
    frame = pd.read_csv(fresh / "exports" / "p.csv")
    expected = panel[panel["year"].between(2000, 2010)].reset_index(drop=True)
    assert frame["year"].min() == 2000 and frame["year"].max() == 2010
    assert len(frame) == len(expected)
    assert list(frame.columns) == list(expected.columns)
    features = feature_columns(expected)
    pd.testing.assert_frame_equal(frame[["gwcode", "year", *features]],
                                  expected[["gwcode", "year", *features]],
                                  check_dtype=False, check_exact=False, rtol=1e-12)
    assert frame.groupby("year")["n_attempts"].sum()[2000] == 8


def test_panel_export_parquet(runs, panel, fresh):
    ok(runs["parquet"])
    frame = pd.read_parquet(fresh / "exports" / "p.parquet")
    expected = panel[panel["year"].between(2015, 2022)].reset_index(drop=True)
    assert len(frame) == len(expected)
    pd.testing.assert_frame_equal(frame, expected, check_dtype=False)
    assert frame.groupby("year")["n_attempts"].sum()[2021] == 7


def test_events_by_country(runs):
    text = ok(runs["mali"])
    assert "8 coup attempts" in text
    dates = ["1968-11-19", "1978-02-15", "1991-03-26", "1991-07-14", "2012-03-22",
             "2012-05-01", "2020-08-18", "2021-05-21"]
    assert [d for d in dates if d in text] == dates
    assert text.count("Mali") == 8
    assert "V2022.11.29" in text  # the newest release by default


def test_events_in_a_year(runs):
    text = ok(runs["2021"])
    assert "7 coup attempts" in text
    for country in ("Mali", "Chad", "Guinea", "Sudan", "Niger", "Myanmar"):
        assert country in text
    assert "2020-" not in text and "2022-" not in text


@pytest.mark.parametrize("key", ["bad-date", "bad-range"])
def test_bad_parameters_exit_2_with_one_line(runs, fresh, key):
    result = runs[key]
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: parameter 'from': ")
    assert result.stderr.count("\n") == 1
    assert not (fresh / "exports" / "never.csv").exists()


def test_events_api_filters(warehouse_path):
    """The filters behind `coupwatch events` (in process: no new CLI start-up)."""
    from coupwatch import operations

    since = operations.list_events("MLI", "2020-01", path=warehouse_path)
    assert since["date"].tolist() == ["2020-08-18", "2021-05-21"]
    month = operations.list_events(None, "2021-09", "2021-10", path=warehouse_path)
    assert set(month["country"]) == {"Guinea", "Sudan"}
    old = operations.list_events("Mali", release="V2015.05.20", path=warehouse_path)
    assert len(old) == 6 and set(old["release"]) == {"V2015.05.20"}
    assert {"file", "line"} <= set(old.columns)  # every event traceable to its file row
