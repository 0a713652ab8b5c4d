"""The published schema: documented views over the warehouse, defined once.

Every reader is built on these views: the SQL console offers them to whoever types SQL, and
the API's snapshot, the region report and the case study query them. "The newest Powell &
Thyne release", "the latest forecast run", "its backtests" and "a country's region" therefore
mean the same thing everywhere.

``connect`` opens a private in-memory DuckDB, attaches the warehouse READ_ONLY as
``warehouse`` and creates the views as TEMP views (they shadow its tables of the same name).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from coupwatch import catalog, config, regions
from coupwatch.errors import EmptyWarehouse
from coupwatch.forecasts.store import latest_run_sql
from coupwatch.panel import store as panel_store
from coupwatch.warehouse.releases import newest_sql
from coupwatch.warehouse.store import cannot_open

MEMORY_LIMIT = "1GB"
W = "warehouse.main"

# name -> one line for `coupwatch sql --views`, the API and the web page
VIEWS: dict[str, str] = {
    "coups": "coup attempts of the newest Powell & Thyne release, one row per event (date, "
             "year, month, day, gwcode, iso3, country, kind, successful)",
    "panel": "the country-year panel: every G&W state-year since 1950, that year's outcomes "
             "(n_attempts, attempt, coup, failed, ...) and features known at its end",
    "forecasts": "the latest forecast run: one row per country with p_attempt, p_coup, "
                 "p_failed, rank and change, plus the run's id, date and model",
    "forecast_history": "every stored forecast run, same columns as forecasts",
    "runs": "every stored forecast run: id, time, target year, model, versions, data key, "
            "the inputs it left out (JSON); `latest` marks the newest",
    "backtests": "out-of-sample forecasts for past years (the latest run's data, model and "
                 "seed) beside what happened (observed_attempt, ...)",
    "indicators": "every indicator value in long form: source, variable, gwcode, iso3, "
                  "country, year, value, text",
    "countries": "G&W states: gwcode, iso3, name, years in the system, region, UN subregion, "
                 "continent, AU region and membership groups at the end of the newest forecast's "
                 "data (memberships, a list; suspended: those of them the state is suspended "
                 "from)",
    "sources": "the files each source was loaded from: source, title, publisher, licence, "
               "file, release, sha256, rows, years covered, time of ingest",
    "variables": "what each variable is: column (panel/model name), label, unit, source, "
                 "variable (its name in indicators), attribution",
    "monthly_runs": "every stored monthly forecast run: id, time, origin month, model, "
                    "versions, data key, the inputs it left out (JSON); `latest` marks the "
                    "newest",
    "monthly_forecasts": "the newest monthly run: one row per country, P(attempt) and "
                         "P(successful coup) within 1, 3, 6 and 12 months of the origin "
                         "month, rank by the 3-month risk, change_3m since the month before",
    "monthly_backtests": "out-of-sample monthly risks (the newest monthly run's data, model "
                         "and seed): one row per country and origin month, P(attempt) and "
                         "P(coup) within 1, 3, 6 and 12 months",
}

# What to run when a view cannot be offered yet.
NEEDS = {"panel": "run `coupwatch data update`",
         "forecasts": "run `coupwatch forecast`",
         "forecast_history": "run `coupwatch forecast`",
         "runs": "run `coupwatch forecast`",
         "backtests": "run `coupwatch forecast`",
         "monthly_runs": "run `coupwatch forecast --unit month`",
         "monthly_forecasts": "run `coupwatch forecast --unit month`",
         "monthly_backtests": "run `coupwatch forecast --unit month` and `coupwatch backtest "
                              "--unit month`"}


def engine() -> duckdb.DuckDBPyConnection:
    # A private in-memory instance: ``duckdb.connect(path, read_only=True, config=...)`` would
    # share the process-wide instance of that file with other readers, refuse to open beside
    # them with a different config, and lock *their* configuration too.
    return duckdb.connect(":memory:", config={
        "autoload_known_extensions": False, "autoinstall_known_extensions": False,
        "allow_community_extensions": False, "allow_unsigned_extensions": False,
        "memory_limit": MEMORY_LIMIT,
        "temp_directory": "",  # never spill to disk: a huge query fails instead of writing
    })


def attach(con: duckdb.DuckDBPyConnection, path: Path | None = None) -> set[str]:
    """Attach the warehouse read-only and create the views; the names of those on offer."""
    tables = attach_tables(con, path)
    if "provenance" not in tables or not scalar(con, "SELECT count(*) FROM provenance"):
        raise EmptyWarehouse()
    return create(con, tables)


def attach_tables(con: duckdb.DuckDBPyConnection, path: Path | None = None) -> set[str]:
    """Attach the warehouse read-only, without views (its tables under their own names, for
    the stores' own readers); the names of its tables."""
    target = Path(path) if path is not None else config.warehouse_path()
    if not target.is_file():
        raise EmptyWarehouse()
    escaped = str(target).replace("'", "''")
    try:
        con.execute(f"ATTACH '{escaped}' AS warehouse (READ_ONLY)")
    except duckdb.IOException as err:
        cannot_open(err, target)
        raise
    con.execute("USE warehouse")
    return {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'warehouse' "
        "AND schema_name = 'main'").fetchall()}


@contextmanager
def tables(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private read-only connection to the warehouse's tables (no views)."""
    con = engine()
    try:
        attach_tables(con, path)
        yield con
    finally:
        con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str):
    # fetchall, not fetchone: DuckDB 2 refuses other work while a result is unfinished
    return con.execute(sql).fetchall()[0][0]


def create(con: duckdb.DuckDBPyConnection, tables: set[str]) -> set[str]:
    con.execute(f"""
        CREATE TEMP VIEW coups AS
        SELECT make_date(e.year, e.month, coalesce(e.day, 1)) AS date, e.year, e.month,
               e.day, e.gwcode, c.iso3, coalesce(c.name, e.country) AS country, e.kind,
               e.kind = 'successful' AS successful, e.release, e.file, e.line
        FROM {W}.events e LEFT JOIN {W}.countries c USING (gwcode)
        WHERE e.source = 'powell_thyne'
          AND e.release = ({newest_sql(f"{W}.events", "powell_thyne")})
        ORDER BY e.year, e.month, e.day, e.gwcode""")
    con.execute(f"""
        CREATE TEMP VIEW indicators AS
        SELECT i.source, i.variable, i.gwcode, c.iso3, c.name AS country, i.year, i.value,
               i.text, i.file
        FROM {W}.indicators i LEFT JOIN {W}.countries c USING (gwcode)""")
    con.register("geography_frame", _geography(_as_of(con, tables)))
    con.execute("CREATE TEMP TABLE country_geography AS SELECT * FROM geography_frame")
    con.unregister("geography_frame")
    con.execute(f"""
        CREATE TEMP VIEW countries AS
        SELECT c.gwcode, c.iso3, c.name, c.first_year, c.last_year,
               coalesce(g.region, '') AS region, g.un_subregion, g.continent, g.au_region,
               coalesce(g.memberships, []) AS memberships,
               coalesce(g.suspended, []) AS suspended
        FROM {W}.countries c LEFT JOIN country_geography g USING (gwcode)
        ORDER BY c.gwcode""")
    con.register("source_frame", catalog.sources_frame())
    con.execute("CREATE TEMP TABLE source_catalog AS SELECT * FROM source_frame")
    con.unregister("source_frame")
    con.execute(f"""
        CREATE TEMP VIEW sources AS
        SELECT p.source, s.title, s.publisher, s.licence, p.file, p.release, p.sha256,
               p.rows, p.year_min, p.year_max, p.origin, p.ingested_at
        FROM {W}.provenance p LEFT JOIN source_catalog s USING (source)
        ORDER BY p.source, p.file""")
    con.register("variable_frame", _variables())
    con.execute("CREATE TEMP TABLE variables AS SELECT * FROM variable_frame")
    con.unregister("variable_frame")
    available = {"coups", "indicators", "countries", "sources", "variables"}

    stored = panel_store.state(con)
    if stored != "missing":
        # a stale copy keeps its columns (so queries bind) but refuses to give rows
        guard = "" if stored == "current" else (
            " WHERE error('the stored panel is out of date (the data or the panel code "
            "changed since it was built): run `coupwatch data update`') IS NULL")
        con.execute(f"CREATE TEMP VIEW panel AS SELECT * FROM {W}.panel{guard}")
        available.add("panel")

    if {"forecast_runs", "forecasts", "backtests"} <= tables and scalar(
            con, f"SELECT count(*) FROM {W}.forecast_runs"):
        available |= _forecast_views(con)
    if {"monthly_runs", "monthly_forecasts"} <= tables and scalar(
            con, f"SELECT count(*) FROM {W}.monthly_runs"):
        available |= _monthly_views(con, tables)
    return available


def _forecast_views(con: duckdb.DuckDBPyConnection) -> set[str]:
    newest = f"({latest_run_sql(f'{W}.forecast_runs')})"
    left_out = _left_out(con, "forecast_runs")
    con.execute(f"""
        CREATE TEMP VIEW runs AS
        SELECT r.run_id, r.created_at, r.target_year, r.model, r.model_version,
               r.code_version, r.seed, r.data_key, r.data_versions,
               {left_out} AS left_out,
               r.run_id = (SELECT run_id FROM {newest}) AS latest
        FROM {W}.forecast_runs r ORDER BY r.created_at, r.run_id""")
    history = f"""SELECT f.run_id, r.created_at AS run_created_at, r.model,
                         r.model_version, f.year, f.gwcode, f.iso3, f.country, f.region,
                         f.p_attempt, f.p_coup, f.p_failed, f.rank, f.p_attempt_last_year,
                         f.change
                  FROM {W}.forecasts f JOIN {W}.forecast_runs r USING (run_id)"""
    con.execute(f"CREATE TEMP VIEW forecast_history AS {history} "
                "ORDER BY r.created_at, f.run_id, f.rank")
    con.execute(f"CREATE TEMP VIEW forecasts AS {history} "
                "WHERE f.run_id = (SELECT run_id FROM runs WHERE latest) ORDER BY f.rank")
    con.execute(f"""
        CREATE TEMP VIEW backtests AS
        SELECT b.year, b.gwcode, b.iso3, b.country, b.model, b.p_attempt, b.p_coup,
               b.p_failed, b.observed_attempt, b.observed_coup, b.observed_failed
        FROM {W}.backtests b JOIN runs n
          ON n.latest AND b.data_key = n.data_key AND b.model = n.model AND b.seed = n.seed
        ORDER BY b.year, b.gwcode""")
    return {"runs", "forecasts", "forecast_history", "backtests"}


HORIZONS = (1, 3, 6, 12)


def _within(months: int, success: bool = False) -> str:
    """P(at least one event within ``months``) from the stored monthly hazards h1..h12 (and
    q = P(success | attempt)): 1 - prod(1 - h_k), as ``forecasts.hazard.cumulative``."""
    factor = " * b.q" if success else ""
    return "1 - " + " * ".join(f"(1 - b.h{k}{factor})" for k in range(1, months + 1))


def _left_out(con: duckdb.DuckDBPyConnection, runs: str) -> str:
    """What a run left out (JSON); '[]' for a table written before runs recorded it."""
    has = scalar(con, "SELECT count(*) FROM duckdb_columns() WHERE database_name = "
                      f"'warehouse' AND table_name = '{runs}' AND column_name = 'left_out'")
    return "coalesce(r.left_out, '[]')" if has else "'[]'"


def _monthly_views(con: duckdb.DuckDBPyConnection, tables: set[str]) -> set[str]:
    newest = f"({latest_run_sql(f'{W}.monthly_runs', 'created_at DESC')})"
    con.execute(f"""
        CREATE TEMP VIEW monthly_runs AS
        SELECT r.run_id, r.created_at, r.origin_year, r.origin_month, r.model,
               r.model_version, r.code_version, r.seed, r.data_key, r.data_versions,
               {_left_out(con, "monthly_runs")} AS left_out,
               r.run_id = (SELECT run_id FROM {newest}) AS latest
        FROM {W}.monthly_runs r ORDER BY r.created_at, r.run_id""")
    con.execute(f"""
        CREATE TEMP VIEW monthly_forecasts AS
        SELECT f.run_id, r.created_at AS run_created_at, r.model, f.year, f.month, f.rank,
               f.gwcode, f.iso3, f.country, f.region,
               {", ".join(f"f.p_attempt_{h}m" for h in HORIZONS)},
               {", ".join(f"f.p_coup_{h}m" for h in HORIZONS)},
               f.p_attempt_3m_previous, f.change_3m
        FROM {W}.monthly_forecasts f JOIN monthly_runs r USING (run_id)
        WHERE r.latest ORDER BY f.rank""")
    if "monthly_backtests" not in tables:
        return {"monthly_runs", "monthly_forecasts"}
    con.execute(f"""
        CREATE TEMP VIEW monthly_backtests AS
        SELECT b.origin // 12 AS year, b.origin % 12 + 1 AS month, b.gwcode, c.iso3,
               c.name AS country, b.model,
               {", ".join(f"{_within(h)} AS p_attempt_{h}m" for h in HORIZONS)},
               {", ".join(f"{_within(h, True)} AS p_coup_{h}m" for h in HORIZONS)}
        FROM {W}.monthly_backtests b JOIN monthly_runs n
          ON n.latest AND b.data_key = n.data_key AND b.model = n.model AND b.seed = n.seed
        LEFT JOIN {W}.countries c USING (gwcode)
        ORDER BY b.origin, b.gwcode""")
    return {"monthly_runs", "monthly_forecasts", "monthly_backtests"}


@lru_cache(maxsize=1)
def _variables() -> pd.DataFrame:
    return pd.DataFrame([{"column": v.column, "label": v.label, "unit": v.unit,
                          "source": v.source, "variable": v.variable,
                          "attribution": v.attribution} for v in catalog.variables().values()])


def _as_of(con: duckdb.DuckDBPyConnection, tables: set[str]) -> int | None:
    """The year memberships are shown for: the end of the newest forecast's last data year
    (what was known when it was made: a 2023 forecast does not show the AES, founded in
    September 2023), else the latest year of the state system."""
    year = None
    if "forecast_runs" in tables:
        rows = con.execute(f"SELECT target_year FROM ({latest_run_sql(f'{W}.forecast_runs')})"
                           ).fetchall()
        year = rows[0][0] - 1 if rows else None
    if year is None:
        year = scalar(con, f"SELECT max(coalesce(last_year, first_year)) FROM {W}.countries")
    return int(year) if year is not None else None


@lru_cache(maxsize=4)
def _geography(year: int | None) -> pd.DataFrame:
    """Regions of every G&W state, memberships at the end of ``year`` (computed once)."""
    geo = regions.geography()[["gwcode", "region", "un_subregion", "continent", "au_region"]]
    geo = geo.reset_index(drop=True).copy()
    groups = regions.memberships_as_of(year)
    geo["memberships"] = [groups.get(int(g), ([], []))[0] for g in geo["gwcode"]]
    geo["suspended"] = [groups.get(int(g), ([], []))[1] for g in geo["gwcode"]]
    return geo
