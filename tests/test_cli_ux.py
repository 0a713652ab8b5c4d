"""What a new analyst sees in a terminal (issue 14, parts 8, 9, 11, 12): tables that fit 80
columns with human headers, progress that says what it does, a line for every file written,
a first run without network that says what to do and leaves nothing, a score that places
rows by any country column, and a --help in the order of the work."""

from __future__ import annotations

import itertools
import re
import socket
from pathlib import Path

import pandas as pd
from conftest import MIRROR, REPO, query, run_cli
from forecast_fixtures import MODEL

from coupwatch.cli.helpstyle import ORDER
from coupwatch.forecasts.score import read_forecasts

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")



def _ok(run) -> str:
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_forecast_table_fits_80_columns_with_human_headers_and_a_footer(private_home,
                                                                        tmp_path):
    out = tmp_path / "f.csv"
    written = _ok(run_cli("forecast", "--model", MODEL, "--format", "csv", "--output", out,
                          home=private_home))
    frame = pd.read_csv(out)
    assert written.strip() == f"wrote {len(frame)} rows x {frame.shape[1]} columns to {out}"
    text = _ok(run_cli("forecast", "--model", MODEL, home=private_home, COLUMNS="80"))
    lines = text.splitlines()
    table = [line for line in lines if line.startswith("│")]
    assert len(table) == 30 and all(len(line) <= 80 for line in table)
    for name in frame["country"].head(30):  # "Central African Republic" on one line
        assert any(f" {name} " in line for line in table), name
    header = next(line for line in lines if line.startswith("┃"))
    assert "P(attempt)" in header and "change (pt)" in header and "rank" in header
    assert "p_attempt" not in text and "%" not in "".join(  # change is in points
        line.split("│")[4] for line in table)
    burkina = next(line for line in table if "Burkina Faso" in line)
    change = frame.loc[frame["country"] == "Burkina Faso", "change"].iloc[0]
    assert f"{change * 100:+.1f}" in burkina
    # the footer wraps at the terminal's width, like every other line
    assert all(len(line) <= 80 for line in lines)
    start = next(i for i, line in enumerate(lines) if line.startswith("P(attempt): "))
    footer = " ".join(line.strip() for line in itertools.takewhile(
        lambda line: line.strip() and not line.startswith("("), lines[start:]))
    assert "probability of at least one coup attempt" in footer and "in 2023" in footer
    assert f"model {MODEL}, run " in footer and "Powell & Thyne V2022.11.29" in footer
    wide = _ok(run_cli("forecast", "--model", MODEL, home=private_home))  # COLUMNS=250
    assert "year before" in wide and "region" in wide and "ISO3" in wide


def test_first_forecast_without_network_says_what_to_do_and_leaves_nothing(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    closed = f"http://127.0.0.1:{_free_port()}"  # every download goes to a closed port
    offline = run_cli("forecast", "--model", "history", home=home, HTTP_PROXY=closed,
                      HTTPS_PROXY=closed, ALL_PROXY=closed)
    assert offline.returncode == 1
    message = offline.stderr.strip()
    assert message.count("\n") == 0 and message.startswith("error: ")
    assert "--mirror DIR" in message and "COUPWATCH_MIRROR" in message
    assert "network" in message
    assert not (home / "warehouse.duckdb").exists()
    assert not [p for p in home.iterdir() if p.name.startswith("warehouse")]
    # then with the mirror, in a terminal: progress per source and per fit
    run = run_cli("forecast", "--model", "history", "--mirror", MIRROR, "--top", "3",
                  home=home, COLUMNS="100", TTY_COMPATIBLE="1", TTY_INTERACTIVE="1")
    assert run.returncode == 0, run.stderr
    screen = ANSI.sub("\n", run.stdout)
    totals = {int(t) for t in re.findall(r"source \d+ of (\d+): reading", screen)}
    assert len(totals) == 1
    total = totals.pop()
    for name in ("gw", "powell_thyne", "vdem", "wdi"):
        assert re.search(rf"source \d+ of {total}: reading {name}\b", screen), name
    fits = re.search(r"fitting models \((\d+) to fit\)", screen)
    assert fits and int(fits.group(1)) > 0
    assert re.search(rf"0/{fits.group(1)}\b", screen)  # a known total before the first fit
    assert re.search(r"fitted history 20\d\d", screen)
    assert (home / "warehouse.duckdb").is_file() and "coup risk 2023" in screen


def test_calibration_in_percent_and_backtest_output_line(private_home, tmp_path):
    out = tmp_path / "bt.csv"
    text = _ok(run_cli("backtest", "--model", MODEL, "--from", "2019", "--to", "2022",
                       "--output", out, home=private_home))
    assert f"wrote {len(pd.read_csv(out))} rows x 8 columns to {out}" in text
    calibration = text[text.index("calibration (deciles"):]
    assert not re.search(r"\de-\d", calibration)
    assert "mean forecast" in calibration and "observed" in calibration
    rows = [line for line in calibration.splitlines() if line.startswith("│")]
    assert len(rows) == 10 and all(" %" in row for row in rows)


def test_sql_caps_the_terminal_table_but_not_csv(private_home, tmp_path):
    text = _ok(run_cli("sql", "SELECT * FROM indicators", home=private_home))
    assert len([line for line in text.splitlines() if line.startswith("│")]) == 50
    assert "showing 50 of 10,000 rows (the query has more: raise --limit)" in text
    assert "--format csv --output FILE" in text
    csv_text = _ok(run_cli("sql", "SELECT * FROM indicators", "--format", "csv",
                           home=private_home))
    assert len(csv_text.splitlines()) == 10_001
    out = tmp_path / "i.csv"
    small = _ok(run_cli("sql", "SELECT * FROM indicators LIMIT 120", "--format", "csv",
                        "--output", out, home=private_home))
    assert small.strip() == f"wrote 120 rows x {len(pd.read_csv(out).columns)} columns to {out}"
    assert len(pd.read_csv(out)) == 120


def test_score_places_blank_iso3_by_other_columns_and_reports_the_rest(forecast_home,
                                                                      private_home,
                                                                      tmp_path):
    rows = query(forecast_home / "warehouse.duckdb", """SELECT DISTINCT gwcode, iso3,
        country, year, 0.02 AS p FROM backtests WHERE year = 2016 ORDER BY gwcode""")
    rows["gwcode"] = pd.NA  # only iso3, else the name, places a row
    rows.loc[0, "iso3"] = ""  # as our panel export writes Abkhazia's
    rows.loc[1, ["iso3", "country"]] = ""  # nothing to place it by: reported
    path = tmp_path / "mine.csv"
    rows.to_csv(path, index=False)
    forecasts = read_forecasts(path, country_column="iso3")
    expected = query(forecast_home / "warehouse.duckdb", """SELECT DISTINCT gwcode FROM
        backtests WHERE year = 2016 ORDER BY gwcode""")["gwcode"].tolist()
    assert forecasts.frame["gwcode"].tolist() == [expected[0], *expected[2:]]
    assert forecasts.unplaced == [3]  # line 3 of the file: the second record
    text = _ok(run_cli("score", path, "--country-column", "iso3", "--model", MODEL,
                       home=private_home))
    assert "1 row not scored: no country in any country column (lines 3)" in text
    assert f"{len(expected) - 1:,} common country-years 2016-2016" in text


def test_help_lists_commands_in_the_flow_without_bool_labels(tmp_path):
    text = _ok(run_cli("--help", home=tmp_path))
    assert "<bool>" not in text
    listed = [m.group(1) for m in re.finditer(r"^│ ([a-z][a-z-]*) {2,}", text, re.MULTILINE)]
    assert listed == list(ORDER)
    for command in ("explain", "brief", "data update"):
        assert "<bool>" not in _ok(run_cli(*command.split(), "--help", home=tmp_path))


def test_readme_command_table_has_every_command():
    from typer.main import get_command

    from coupwatch.cli import app

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| command | what it does |"):].split("\n\n")[0]
    documented = set(re.findall(r"^\| `coupwatch ([a-z-]+)", table, re.MULTILINE))
    commands = set(get_command(app).commands)
    assert commands == set(ORDER) and commands <= documented


def test_case_names_the_analysis_it_checks(forecast_home):
    text = _ok(run_cli("case", "mali", home=forecast_home))
    assert "USIP analysis of Mali's 2020 and 2021 coups" in text.replace("\n", " ")
    assert "The analysis: After Two Coups, Mali Needs Regional Support to Bolster " \
        "Democracy (Ena Dion and Joseph Sany, United States Institute of Peace, 9 December " \
        "2021), https://www.usip.org/publications/2021/12/" in text


def test_unmapped_counts_are_explained_alike(tmp_path: Path):
    # in process: the outcome of an update and the status count the same two things
    from coupwatch import operations

    path = tmp_path / "warehouse.duckdb"
    outcomes = {o.source: o for o in operations.update_data(["wdi", "gw"], mirror=MIRROR,
                                                            path=path)}
    summary = operations.data_status(path)["sources"].set_index("source")
    wdi = outcomes["wdi"]
    assert wdi.unmapped_codes > 0 and wdi.unmapped_rows > wdi.unmapped_codes
    assert (summary.loc["wdi", "unmapped_codes"], summary.loc["wdi", "unmapped_rows"]) == (
        wdi.unmapped_codes, wdi.unmapped_rows)
