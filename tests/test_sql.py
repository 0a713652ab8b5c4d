"""The read-only SQL console: views with facts that could be wrong, every way to write, read
files or escape refused (and nothing changed), the time limit, the row cap, the stored panel,
the CLI (exit codes 0/1/2) and the API (200/422/503)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import checksum, edit_cell, query, run_cli, side_by_side, writer
from forecast_fixtures import BACKTEST_YEARS

from coupwatch import operations, panel, warehouse
from coupwatch.errors import BadInput, Busy
from coupwatch.panel import store as panel_store
from coupwatch.read import console as sql
from coupwatch.read import views
from coupwatch.sources.fetch import sha256

SLOW = "SELECT sum(a.range * b.range) FROM range(100000) a, range(100000) b"  # 10^10 rows
VDEM = "vdem/vdem_spaces_1968_2023.csv"  # line 2: United States (gwcode 2), 1968


def state(path: Path) -> tuple:
    """Everything a write could change: data tables, the stored panel, the list of tables."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
        stored = con.execute("SELECT count(*), sum(hash(p)) FROM panel p").fetchall()
        meta = con.execute("SELECT * FROM panel_meta").fetchall()
    finally:
        con.close()
    return checksum(path), tables, stored, meta


def rows(text: str, path: Path, **options) -> list[tuple]:
    return sql.query(text, path=path, **options).rows



@pytest.fixture(scope="module")
def sandbox(tmp_path_factory, warehouse_path: Path) -> Path:
    """A private copy of the session warehouse, next to files an escape would touch."""
    base = tmp_path_factory.mktemp("sql-sandbox")
    shutil.copyfile(warehouse_path, base / "warehouse.duckdb")
    pd.DataFrame({"secret": [42]}).to_parquet(base / "secret.parquet")
    (base / "secret.csv").write_text("secret\n42\n")
    return base


# --- the views ---------------------------------------------------------------------------------

def test_coups_view(warehouse_path):
    assert rows("SELECT count(*) FROM coups WHERE year = 2021", warehouse_path) == [(7,)]
    per_year = dict(rows("SELECT year, count(*) FROM coups GROUP BY year", warehouse_path))
    assert per_year[2000] == 8 and max(per_year.get(y, 0) for y in range(2001, 2021)) <= 6
    mali = rows("""SELECT year, successful, kind, date FROM coups WHERE iso3 = 'MLI'
                   ORDER BY date""", warehouse_path)
    assert [y for y, ok, *_ in mali if ok] == [1968, 1991, 2012, 2020, 2021]
    assert [y for y, ok, *_ in mali if not ok] == [1978, 1991, 2012]
    assert {k for _, _, k, _ in mali} == {"successful", "failed"}
    assert str(mali[-2][3]) == "2020-08-18"
    # one release only (the newest), one row per event
    assert rows("SELECT DISTINCT release FROM coups", warehouse_path) == [("V2022.11.29",)]


def test_panel_view(warehouse_path):
    mali = rows("""SELECT year, n_attempts FROM panel WHERE iso3 = 'MLI' AND n_attempts > 0
                   ORDER BY year""", warehouse_path)
    assert mali == [(1968, 1), (1978, 1), (1991, 2), (2012, 2), (2020, 1), (2021, 1)]
    per_year = dict(rows("SELECT year, sum(n_attempts) FROM panel GROUP BY year",
                         warehouse_path))
    assert per_year[2021] == 7 and per_year[2022] == 4
    # the panel and the events agree, state-year by state-year
    assert rows("""SELECT count(*) FROM panel p FULL JOIN (
                       SELECT gwcode, year, count(*) AS n FROM coups GROUP BY ALL) c
                   USING (gwcode, year)
                   WHERE p.year <= 2022 AND coalesce(p.n_attempts, 0) != coalesce(c.n, 0)""",
                warehouse_path) == [(0,)]


def test_countries_and_indicators_views(warehouse_path):
    mali = rows("""SELECT name, region, continent, memberships FROM countries
                   WHERE iso3 = 'MLI'""", warehouse_path)
    assert mali[0][:3] == ("Mali", "AU-West", "Africa") and "Sahel" in mali[0][3]
    sahel = {name for (name,) in rows("""
        SELECT DISTINCT c.name FROM coups k JOIN countries c USING (gwcode)
        WHERE list_contains(c.memberships, 'Sahel') AND k.year >= 2020""", warehouse_path)}
    assert {"Mali", "Niger", "Burkina Faso"} <= sahel
    milex = dict(rows("""SELECT year, value FROM indicators WHERE iso3 = 'MLI'
                         AND variable = 'MS.MIL.XPND.GD.ZS' AND year IN (2012, 2016)""",
                      warehouse_path))
    assert milex[2016] > 2 * milex[2012]  # more than doubled after 2012
    # the joins behind the views add no rows and lose none
    (view, raw, states, raw_states), = rows("""
        SELECT (SELECT count(*) FROM indicators), (SELECT count(*) FROM warehouse.main.indicators),
               (SELECT count(*) FROM countries), (SELECT count(*) FROM warehouse.main.countries)
        """, warehouse_path)
    assert view == raw > 500_000 and states == raw_states > 200


def test_every_example_runs(warehouse_path):
    for title, text in sql.EXAMPLES:
        if "forecasts" in text:
            continue  # no forecast in this warehouse: see test_api_views_on_forecasts
        assert sql.query(text, path=warehouse_path).rows, title


def test_views_listed_with_columns(warehouse_path):
    views = {v.name: v for v in sql.describe(warehouse_path)}
    assert set(views) == set(sql.VIEWS)
    assert {"coups", "panel", "indicators", "countries"} <= {n for n, v in views.items()
                                                             if v.available}
    assert ("n_attempts", "DOUBLE") in views["panel"].columns
    assert ("successful", "BOOLEAN") in views["coups"].columns
    assert not views["forecasts"].available and "coupwatch forecast" in views["forecasts"].needs
    with pytest.raises(BadInput, match="forecasts view is not available yet: run "
                                       "`coupwatch forecast`"):
        sql.query("SELECT * FROM forecasts", path=warehouse_path)


# --- nothing can be changed, read from outside, or loosened --------------------------------------

FORBIDDEN = {
    "insert": "INSERT INTO events (source, file, year, kind) VALUES ('x', 'y', 2000, 'failed')",
    "update": "UPDATE events SET year = 1900",
    "delete": "DELETE FROM events",
    "drop": "DROP TABLE events",
    "create": "CREATE TABLE copy AS SELECT * FROM events",
    "create-temp": "CREATE TEMP TABLE copy AS SELECT 1",
    "create-view": "CREATE VIEW v AS SELECT 1",
    "alter": "ALTER TABLE events ADD COLUMN extra INTEGER",
    "attach": "ATTACH '{base}/other.duckdb' AS other",
    "detach": "DETACH warehouse",
    "use": "USE memory",
    "read-csv": "SELECT * FROM read_csv('/etc/passwd')",
    "read-csv-here": "SELECT * FROM read_csv('{base}/secret.csv')",
    "file-as-table": "SELECT * FROM '{base}/secret.csv'",
    "read-text": "SELECT * FROM read_text('/etc/passwd')",
    "read-parquet": "SELECT * FROM read_parquet('{base}/secret.parquet')",
    "read-parquet-url": "SELECT * FROM read_parquet('https://example.com/data.parquet')",
    "glob": "SELECT * FROM glob('*')",
    "copy-to": "COPY events TO '{base}/out.csv'",
    "copy-query-to": "COPY (SELECT * FROM events) TO '{base}/out.parquet' (FORMAT parquet)",
    "copy-from": "COPY events FROM '{base}/secret.csv'",
    "export": "EXPORT DATABASE '{base}/export'",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "set-access": "SET enable_external_access = true",
    "set-threads": "SET threads = 1",
    "reset-lock": "RESET lock_configuration",
    "set-variable": "SET VARIABLE x = 1",
    "pragma": "PRAGMA enable_profiling",
    "call": "CALL pragma_version()",
    "checkpoint": "CHECKPOINT",
    "vacuum": "VACUUM",
    "begin": "BEGIN TRANSACTION",
    "secret": "CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
    "two-statements": "SELECT 1; DROP TABLE events",
    "two-selects": "SELECT 1; SELECT 2",
    "pivot-creates-type": "PIVOT events ON kind USING count(*)",
}


@pytest.mark.parametrize("text", list(FORBIDDEN.values()), ids=list(FORBIDDEN))
def test_forbidden_is_refused_and_nothing_changes(sandbox, text):
    db = sandbox / "warehouse.duckdb"
    files = sorted(p.name for p in sandbox.iterdir())
    before = state(db)
    with pytest.raises(BadInput) as err:
        sql.query(text.format(base=sandbox), path=db)
    assert err.value.parameter == "sql"
    assert "\n" not in str(err.value) and str(err.value).startswith("parameter 'sql': ")
    assert "42" not in str(err.value)  # nothing of the files leaks into the message
    assert state(db) == before
    assert sorted(p.name for p in sandbox.iterdir()) == files


def test_the_connection_refuses_too(sandbox):
    """Second layer: even past the statement check, the engine refuses writes and files."""
    con = views.engine()
    try:
        sql._open(con, sandbox / "warehouse.duckdb")
        for text in ("INSERT INTO warehouse.main.events (source, file, year, kind) "
                     "VALUES ('x', 'y', 2000, 'failed')",
                     f"COPY warehouse.main.events TO '{sandbox}/out.csv'",
                     f"ATTACH '{sandbox}/other.duckdb' AS other",
                     f"SELECT * FROM read_csv('{sandbox}/secret.csv')",
                     "SET enable_external_access = true", "LOAD httpfs"):
            with pytest.raises(duckdb.Error):
                con.execute(text).fetchall()
    finally:
        con.close()
    assert not (sandbox / "out.csv").exists() and not (sandbox / "other.duckdb").exists()


@pytest.mark.parametrize("text,words", [
    ("SELEC 1", 'Parser Error: syntax error at or near "SELEC"'),
    ("SELECT * FROM nope", "Table with name nope does not exist"),
    ("SELECT nope FROM coups", 'Referenced column "nope" not found'),
    ("", "the query is empty"),
    ("  -- only a comment", "the query is empty"),
])
def test_malformed_sql_is_one_line(warehouse_path, text, words):
    with pytest.raises(BadInput) as err:
        sql.query(text, path=warehouse_path)
    assert words in str(err.value) and "\n" not in str(err.value)
    assert err.value.parameter == "sql"


def test_time_limit(sandbox):
    db = sandbox / "warehouse.duckdb"
    before = state(db)
    started = time.monotonic()
    with pytest.raises(BadInput, match=r"query ran longer than 0\.5 s"):
        sql.query(SLOW, path=db, timeout=0.5)
    assert time.monotonic() - started < 5
    assert state(db) == before
    assert rows("SELECT count(*) FROM coups WHERE year = 2021", db) == [(7,)]  # still fine


def test_row_cap(warehouse_path):
    capped = sql.query("SELECT * FROM range(25)", path=warehouse_path, limit=10)
    assert [r[0] for r in capped.rows] == list(range(10)) and capped.truncated
    assert capped.frame()["range"].tolist() == list(range(10))
    exact = sql.query("SELECT * FROM range(10)", path=warehouse_path, limit=10)
    assert len(exact.rows) == 10 and not exact.truncated
    default = sql.query("SELECT * FROM indicators", path=warehouse_path)
    assert len(default.rows) == sql.DEFAULT_LIMIT and default.truncated
    for bad in (0, -1):
        with pytest.raises(BadInput) as err:
            sql.query("SELECT 1", path=warehouse_path, limit=bad)
        assert err.value.parameter == "limit"
    with pytest.raises(BadInput) as err:
        sql.query("SELECT 1", path=warehouse_path, timeout=0)
    assert err.value.parameter == "timeout"


def test_json_values(warehouse_path):
    result = sql.query("""SELECT 'NaN'::DOUBLE AS nan, 1.5::DECIMAL(3, 1) AS d,
                          DATE '2020-08-18' AS day, ['AES', 'Sahel'] AS groups,
                          NULL AS nothing""", path=warehouse_path)
    payload = result.payload()
    assert payload["rows"] == [[None, 1.5, "2020-08-18", ["AES", "Sahel"], None]]
    assert payload["types"][:3] == ["DOUBLE", "DECIMAL(3,1)", "DATE"]
    json.dumps(payload, allow_nan=False)


def test_missing_or_busy_warehouse(tmp_path, sandbox):
    with pytest.raises(BadInput, match="run `coupwatch data update`"):
        sql.query("SELECT 1", path=tmp_path / "none.duckdb")
    with writer(sandbox / "warehouse.duckdb"):
        with pytest.raises(Busy, match="being updated by another process"):
            sql.query("SELECT 1", path=sandbox / "warehouse.duckdb")


# --- the panel stored in the warehouse ------------------------------------------------------------

def meta(path: Path) -> tuple:
    return tuple(query(path, "SELECT data_key, code_key, built_at FROM panel_meta").iloc[0])


def test_stored_panel_is_the_built_panel(warehouse_path):
    stored = operations.load_panel(warehouse_path)
    with warehouse.read_only(warehouse_path) as con:
        assert panel_store.state(con) == "current"
        built = panel.build(con)
    pd.testing.assert_frame_equal(stored, built)  # same columns, order and dtypes


def test_panel_rebuilt_only_when_data_changed(home, mirror_copy):
    db = home / "warehouse.duckdb"
    first = meta(db)
    assert {o.status for o in operations.update_data(["vdem"], mirror=mirror_copy, path=db)} \
        == {"unchanged"}
    assert meta(db) == first
    edit_cell(mirror_copy / VDEM, 2, "v2xcl_rol", "0.5")
    operations.update_data(["vdem"], mirror=mirror_copy, path=db)
    second = meta(db)
    assert second[0] != first[0] and second[2] > first[2]
    assert rows("SELECT v2xcl_rol FROM panel WHERE gwcode = 2 AND year = 1968", db) == [(0.5,)]
    # a refused file anywhere: no source is written and the panel is not rebuilt
    edit_cell(mirror_copy / VDEM, 2, "v2xcl_rol", "0.25")
    oil = mirror_copy / "oil/oil_prices.csv"
    oil.write_bytes(oil.read_bytes() + b"2021,abc\n")
    before = state(db)
    with pytest.raises(BadInput):
        operations.update_data(["vdem", "oil"], mirror=mirror_copy, path=db)
    assert state(db) == before and meta(db) == second


def test_stale_or_missing_panel(home, mirror_copy):
    db = home / "warehouse.duckdb"
    mirror = mirror_copy
    edit_cell(mirror / VDEM, 2, "v2xcl_rol", "0.5")
    # the data change without the panel (as an update killed in between left it under
    # earlier versions; an update is now one transaction)
    con = warehouse.connect(db)
    try:
        con.execute("""UPDATE indicators SET value = 0.5 WHERE source = 'vdem' AND gwcode = 2
                       AND year = 1968 AND variable = 'v2xcl_rol'""")
        con.execute("UPDATE provenance SET sha256 = ? WHERE file = ?",
                    [sha256(mirror / VDEM), VDEM])
        assert panel_store.state(con) == "stale"
    finally:
        con.close()
    with pytest.raises(BadInput, match="stored panel is out of date.*coupwatch data update"):
        sql.query("SELECT v2xcl_rol FROM panel WHERE gwcode = 2", path=db)
    assert rows("SELECT count(*) FROM coups WHERE year = 2021", db) == [(7,)]
    exported = operations.load_panel(db, start=1968, end=1968)  # rebuilt on the fly
    assert exported.loc[exported["gwcode"] == 2, "v2xcl_rol"].tolist() == [0.5]
    # the next update stores it again, though no source changed
    assert {o.status for o in operations.update_data(["vdem"], mirror=mirror, path=db)} \
        == {"unchanged"}
    assert rows("SELECT v2xcl_rol FROM panel WHERE gwcode = 2 AND year = 1968", db) == [(0.5,)]
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE panel")
    con.close()
    with pytest.raises(BadInput, match="panel view is not available yet: run `coupwatch data "
                                       "update`"):
        sql.query("SELECT count(*) FROM panel", path=db)


# --- the CLI ----------------------------------------------------------------------------------

COUNT_2021 = "SELECT year, count(*) AS attempts FROM coups WHERE year = 2021 GROUP BY year"


@pytest.fixture(scope="module")
def cli_runs(sandbox) -> dict:
    home = sandbox
    return side_by_side({
        "table": (home, ["sql", COUNT_2021]),
        "csv": (home, ["sql", COUNT_2021, "--format", "csv"]),
        "json": (home, ["sql", COUNT_2021, "--format", "json"]),
        "capped": (home, ["sql", "SELECT * FROM range(5)", "--limit", "3", "--format", "csv"]),
        "views": (home, ["sql", "--views"]),
        "bad-format": (home, ["sql", COUNT_2021, "--format", "xml"]),
        "forbidden": (home, ["sql", "DROP TABLE events"]),
        "file": (home, ["sql", "SELECT * FROM read_csv('/etc/passwd')"]),
        "malformed": (home, ["sql", "SELEC 1"]),
        "slow": (home, ["sql", SLOW, "--timeout", "0.5"]),
        "nothing": (home, ["sql"]),
    })


def _ok(result) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_cli_formats(cli_runs):
    table = _ok(cli_runs["table"])
    assert "attempts" in table and "2021" in table and " 7 " in table
    assert cli_runs["table"].stderr == ""
    assert list(csv.reader(io.StringIO(_ok(cli_runs["csv"])))) == [["year", "attempts"],
                                                                   ["2021", "7"]]
    body = json.loads(_ok(cli_runs["json"]))
    assert body["columns"] == ["year", "attempts"] and body["rows"] == [[2021, 7]]
    assert body["truncated"] is False and body["elapsed_ms"] >= 0
    assert _ok(cli_runs["capped"]).split() == ["range", "0", "1", "2"]
    assert cli_runs["capped"].stderr.startswith("note: only the first 3 rows")
    listing = _ok(cli_runs["views"])
    for name in sql.VIEWS:
        assert f"{name}:" in listing
    assert "n_attempts" in listing and "memberships" in listing


@pytest.mark.parametrize("key,parameter,words", [
    ("bad-format", "format", "'xml' is not one of"),
    ("forbidden", "sql", "only SELECT queries are allowed here, not DROP"),
    ("file", "sql", "read_csv is not available in the console"),
    ("malformed", "sql", "Parser Error"),
    ("slow", "sql", "query ran longer than 0.5 s"),
    ("nothing", "sql", "give one SELECT query"),
])
def test_cli_bad_input_exit_2_one_line(cli_runs, key, parameter, words):
    result = cli_runs[key]
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith(f"error: parameter '{parameter}': ")
    assert words in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_cli_busy_warehouse_exit_1(sandbox):
    with writer(sandbox / "warehouse.duckdb"):
        result = run_cli("sql", "SELECT 1", home=sandbox)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith("error: the warehouse is being updated by another process")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


# --- the API ----------------------------------------------------------------------------------

def _post(client, body: dict):
    return client.post("/api/sql", json=body)


def test_api_query(client, forecast_warehouse):
    before = checksum(forecast_warehouse)
    body = _post(client, {"sql": COUNT_2021}).json()
    assert body == {"columns": ["year", "attempts"], "types": ["INTEGER", "BIGINT"],
                    "rows": [[2021, 7]], "truncated": False, "elapsed_ms": body["elapsed_ms"]}
    capped = _post(client, {"sql": "SELECT * FROM range(20)", "limit": 5}).json()
    assert len(capped["rows"]) == 5 and capped["truncated"] is True
    assert checksum(forecast_warehouse) == before


def test_api_views_on_forecasts(client, forecast_warehouse):
    listed = client.get("/api/forecasts").json()
    top = _post(client, {"sql": "SELECT count(*), arg_min(iso3, rank), min(rank), max(rank) "
                                "FROM forecasts"}).json()["rows"][0]
    assert top[0] == listed["count"] and top[1] == listed["items"][0]["iso3"]
    assert (top[2], top[3]) == (1, listed["count"])
    # the same past years as the API serves (backtests of the run's data, model and seed),
    # from a snapshot of the file as it is now: other test modules (score) add backtest years
    # to the shared warehouse after the session's server loaded its snapshot
    from coupwatch.read.snapshot import load

    served = load(forecast_warehouse)
    years = _post(client, {"sql": "SELECT DISTINCT year FROM backtests ORDER BY 1"}).json()
    assert sorted({r[0] for r in years["rows"]} | {served.target_year}) == served.years()
    assert set(BACKTEST_YEARS) <= {r[0] for r in years["rows"]}
    catalog = client.get("/api/sql/views").json()
    assert [v["name"] for v in catalog["views"]] == list(sql.VIEWS)
    assert all(v["available"] for v in catalog["views"])
    panel_columns = next(v for v in catalog["views"] if v["name"] == "panel")["columns"]
    assert {"name": "n_attempts", "type": "DOUBLE"} in panel_columns
    for example in catalog["examples"]:
        assert _post(client, {"sql": example["sql"]}).status_code == 200, example["title"]


@pytest.mark.parametrize("body,parameter,words", [
    ({"sql": "DROP TABLE events"}, "sql", "only SELECT"),
    ({"sql": "SELECT * FROM read_csv('/etc/passwd')"}, "sql", "read_csv is not available"),
    ({"sql": "ATTACH '/tmp/x.duckdb' AS x"}, "sql", "not ATTACH"),
    ({"sql": "SELECT 1; SELECT 2"}, "sql", "one statement at a time"),
    ({"sql": "SELEC 1"}, "sql", "Parser Error"),
    ({"sql": ""}, "sql", "at least 1 character"),
    ({}, "sql", "Field required"),
    ({"sql": "SELECT 1", "limit": 0}, "limit", "greater than or equal to 1"),
    ({"sql": "SELECT 1", "limit": sql.DEFAULT_LIMIT + 1}, "limit", "less than or equal"),
    ({"sql": "SELECT 1", "timeout": 60}, "timeout", "Extra inputs are not permitted"),
])
def test_api_bad_input(client, forecast_warehouse, body, parameter, words):
    before = checksum(forecast_warehouse)
    response = _post(client, body)
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["parameter"] == parameter and words in error["detail"]
    assert "Traceback" not in response.text
    assert checksum(forecast_warehouse) == before


def test_api_time_limit(client, monkeypatch):
    monkeypatch.setattr(sql, "DEFAULT_TIMEOUT", 0.5)
    started = time.monotonic()
    response = _post(client, {"sql": SLOW})
    assert response.status_code == 422
    assert "query ran longer than 0.5 s" in response.json()["detail"]
    assert time.monotonic() - started < 5


def test_api_too_many_queries_at_once_is_503(client, monkeypatch):
    from coupwatch.api.routes import sql as route

    monkeypatch.setattr(sql, "DEFAULT_TIMEOUT", 0.2)
    held = 0
    while route.SLOTS.acquire(blocking=False):  # as if other requests were running
        held += 1
    try:
        response = _post(client, {"sql": "SELECT 1"})
    finally:
        for _ in range(held):
            route.SLOTS.release()
    assert held == 2 and response.status_code == 503
    assert "busy with other queries" in response.json()["detail"]
    assert _post(client, {"sql": "SELECT 1 AS one"}).json()["rows"] == [[1]]


def test_api_busy_warehouse_is_503(sandbox):
    from fastapi.testclient import TestClient

    from coupwatch.api import create_app

    app = create_app(warehouse=sandbox / "warehouse.duckdb")
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            with writer(sandbox / "warehouse.duckdb"):
                response = _post(client, {"sql": "SELECT 1"})
            assert response.status_code == 503
            assert "being updated by another process" in response.json()["detail"]
            assert _post(client, {"sql": "SELECT 1 AS one"}).json()["rows"] == [[1]]
    finally:
        app.state.explainer.shutdown()

