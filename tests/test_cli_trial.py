"""What a new user's trial of the CLI found: option ranges, what-ifs on inputs a forecast
left out, signed change in points everywhere (never "-0.0"), and the help and hints."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

from coupwatch import catalog

pytestmark = pytest.mark.usefixtures("forecast_home")


def _refused(run, parameter: str) -> str:
    assert run.returncode == 2, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and f"'{parameter}'" in lines[0], run.stderr
    return lines[0]


@pytest.mark.parametrize("args", [("forecast", "--top", "-5"), ("forecast", "--top", "0"),
                                  ("forecast", "--unit", "month", "--top", "0"),
                                  ("explain", "MLI", "--top", "0")])
def test_top_below_one_is_refused(forecast_home, args):
    _refused(run_cli(*args, home=forecast_home), "top")


def test_change_in_points_is_signed_and_never_minus_zero(forecast_home):
    assert catalog.points_text(-0.0004) == "0.0" == catalog.points_text(0.0004)
    assert catalog.points_text(0.125) == "+12.5" and catalog.points_text(-0.064) == "-6.4"
    assert catalog.signed_text(-0.001, 2) == "0.00"
    text = run_cli("region", "ECOWAS", home=forecast_home).stdout
    rows = [line for line in text.splitlines() if line.startswith("│")]
    header = next(line for line in text.splitlines() if line.startswith("┃"))
    assert "change (pt)" in header and "P(attempt)" in header
    changes = [[c.strip() for c in row.split("│")][6] for row in rows]
    assert len(changes) == 15 and not any(c.endswith("%") for c in changes)
    assert all(c == "0.0" or c[0] in "+-" for c in changes), changes
    assert "-0.0" not in text


def test_what_if_on_an_input_the_forecast_left_out_is_refused(forecast_home):
    from conftest import query

    runs = query(forecast_home / "warehouse.duckdb",
                 "SELECT * FROM forecast_runs ORDER BY created_at DESC LIMIT 1")
    assert "milex_gdp" in str(runs.iloc[0].to_dict())  # the stored run left it out
    line = _refused(run_cli("explain", "MLI", "--what-if", "milex_gdp=5", home=forecast_home),
                    "what-if")
    assert "milex_gdp was left out of the 2023 forecast" in line


def test_every_available_view_lists_its_columns(forecast_home):
    from coupwatch.read import console

    described = {v.name: v for v in console.describe(forecast_home / "warehouse.duckdb")}
    assert [c for c, _ in described["variables"].columns] == [
        "column", "label", "unit", "source", "variable", "attribution"]
    assert all(v.columns for v in described.values() if v.available)
    text = run_cli("sql", "--views", home=forecast_home).stdout
    lines = text.splitlines()
    below = lines[next(i for i, line in enumerate(lines) if line.startswith("variables:")) + 1]
    assert below.strip().startswith("column VARCHAR, label VARCHAR")


def test_region_suggests_only_commands_that_work(forecast_home):
    early = _refused(run_cli("region", "ECOWAS", "--year", "1960", home=forecast_home), "year")
    assert "coupwatch forecast" not in early and "forecasts can target 1971-2023" in early
    line = _refused(run_cli("region", "ECOWAS", "--year", "1980", home=forecast_home), "year")
    assert "`coupwatch forecast --year 1980`" in line
    assert "`coupwatch backtest --from 1980 --to 1980`" in line


def test_status_before_any_run_says_so_instead_of_false(home, forecast_home):
    from conftest import status_text

    from coupwatch import operations

    fresh = operations.data_status(home / "warehouse.duckdb")["freshness"]
    assert fresh["left_out"].isna().all() and fresh["left_out_monthly"].isna().all()
    assert '"left_out_monthly":null' in fresh.to_json(orient="records")
    text = status_text(home)
    assert "no monthly run yet" in text and "no forecast run yet" in text
    assert "False" not in text
    ran = operations.data_status(forecast_home / "warehouse.duckdb")["freshness"]
    assert ran["left_out_monthly"].map(lambda v: isinstance(v, bool)).all()
    assert ran.set_index("source").loc["reign", "left_out"] is True


def test_brier_skill_says_what_it_is_measured_against(forecast_home, tmp_path):
    import shutil

    from forecast_fixtures import MODEL

    anchors = Path(__file__).resolve().parents[2] / "shared" / "anchors"
    scored = run_cli("score", anchors / "forecaster2_forecasts_2020.csv", "--p-column",
                     "Attempt", "--model", MODEL, home=forecast_home)
    assert scored.returncode == 0, scored.stderr
    assert catalog.BRIER_SKILL["sample"] in scored.stdout
    assert "prior-years" not in scored.stdout
    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(forecast_home / "warehouse.duckdb", home / "warehouse.duckdb")
    tested = run_cli("backtest", "--from", "2021", "--to", "2022", "--model", "climatology",
                     home=home)
    assert tested.returncode == 0, tested.stderr
    assert catalog.BRIER_SKILL["prior_years"] in tested.stdout
    assert "this sample" not in tested.stdout


def test_memberships_once_as_of_the_forecast_year_with_suspensions(forecast_home, client):
    from coupwatch import regions

    assert regions.memberships_as_of(2023)[432] == (["AES", "ECOWAS", "Sahel"], ["ECOWAS"])
    assert regions.memberships_as_of(2010)[432] == (["ECOWAS", "Sahel"], [])  # before the AES
    mali = client.get("/api/countries/MLI").json()
    profile = mali.get("country", mali)
    assert profile["region"] == "AU-West"  # shown beside it; not repeated in memberships
    # as known when the 2023 forecast was made (end of 2022): no AES yet (founded 2023)
    assert profile["memberships"] == ["ECOWAS", "Sahel"]
    assert profile["suspended"] == ["ECOWAS"]  # still a member: a filter on ECOWAS finds it
    from coupwatch.read import console

    found = console.query("SELECT name FROM countries WHERE list_contains(memberships, "
                          "'ECOWAS') AND list_contains(suspended, 'ECOWAS')",
                          path=forecast_home / "warehouse.duckdb")
    assert "Mali" in {row[0] for row in found.rows}


def test_help_paragraphs_reflow_to_the_terminal(forecast_home):
    text = run_cli("--help", home=forecast_home).stdout  # COLUMNS=250
    line = next(line for line in text.splitlines() if " events " in line)
    assert "or the two sources compared." in line
    assert "known before it and predict it." in next(
        line for line in text.splitlines() if " backtest " in line)


def test_version(forecast_home):
    from coupwatch import __version__

    run = run_cli("--version", home=forecast_home)
    assert run.returncode == 0 and run.stdout.strip() == f"coupwatch {__version__}"


def test_a_name_of_no_state_now_suggests_the_states_named_like_it(forecast_home):
    line = _refused(run_cli("explain", "Korea", home=forecast_home), "country")
    assert "Korea is not a state in 2023 (did you mean North Korea or South Korea?)" in line


def test_sql_refusal_names_the_statement_given(forecast_home):
    for statement, word in (("INSTALL httpfs", "INSTALL"), ("LOAD httpfs", "LOAD"),
                            ("/* a */ install httpfs", "INSTALL")):
        line = _refused(run_cli("sql", statement, home=forecast_home), "sql")
        assert f"not {word}:" in line, line


def test_no_events_is_one_line_not_an_empty_table(forecast_home):
    done = run_cli("events", "--country", "MLI", "--from", "2013", "--to", "2019",
                   home=forecast_home)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "no events match"
