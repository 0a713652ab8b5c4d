"""A read-only SQL console over the warehouse, for analysts, researchers and journalists.

One query per call, on a private in-memory DuckDB that attaches the warehouse READ_ONLY and
offers documented views over it (``VIEWS``). Defence in depth, because the SQL comes from
whoever types it:

1. only a single SELECT-type statement is accepted (no INSERT, ATTACH, COPY, SET, PRAGMA,
   INSTALL, LOAD, EXPORT, CALL, a second statement after ``;``...), checked by DuckDB's own
   parser before the warehouse is even opened;
2. the warehouse is attached read-only, so a write fails in the engine as well;
3. ``enable_external_access`` is off (no file, directory, URL, extension or other database)
   and ``lock_configuration`` is on, so no statement can turn it back on;
4. a time limit (the connection is interrupted), a memory limit without spilling to disk, and
   a cap on the rows returned.

DuckDB's own advice for untrusted SQL is to sandbox the process too: this console is meant for
a server on a trusted network or a local user, not the open internet.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from coupwatch import config, regions
from coupwatch.errors import BadInput
from coupwatch.panel import store as panel_store

DEFAULT_LIMIT = 10_000
DEFAULT_TIMEOUT = 5.0  # seconds
MEMORY_LIMIT = "1GB"

# Documented views: name -> one line for `coupwatch sql --views`, the API and the web page.
VIEWS: dict[str, str] = {
    "coups": "coup attempts of the newest Powell & Thyne release, one row per event (date, "
             "year, month, day, gwcode, iso3, country, kind, successful)",
    "panel": "the country-year panel: every G&W state-year since 1950, that year's outcomes "
             "(n_attempts, attempt, coup, failed, ...) and features known at its end",
    "forecasts": "the latest forecast run: one row per country with p_attempt, p_coup, "
                 "p_failed, rank and change, plus the run's id, date and model",
    "forecast_history": "every stored forecast run, same columns as forecasts",
    "backtests": "out-of-sample forecasts for past years (the latest run's data, model and "
                 "seed) beside what happened (observed_attempt, ...)",
    "indicators": "every indicator value in long form: source, variable, gwcode, iso3, "
                  "country, year, value, text",
    "countries": "G&W states: gwcode, iso3, name, years in the system, UN subregion, "
                 "continent, AU region and membership groups as of the latest year "
                 "(memberships, a list)",
}

# What to run when a view cannot be offered yet.
NEEDS = {"panel": "run `coupwatch data update`",
         "forecasts": "run `coupwatch forecast`",
         "forecast_history": "run `coupwatch forecast`",
         "backtests": "run `coupwatch forecast`"}

EXAMPLES: list[tuple[str, str]] = [
    ("Coup attempts per year since 2000",
     "SELECT year, count(*) AS attempts, count(*) FILTER (WHERE successful) AS successful\n"
     "FROM coups WHERE year >= 2000\nGROUP BY year ORDER BY year"),
    ("Sahel states with a coup attempt since 2020",
     "SELECT c.name, list(k.date ORDER BY k.date) AS attempts\n"
     "FROM coups k JOIN countries c USING (gwcode)\n"
     "WHERE list_contains(c.memberships, 'Sahel') AND k.year >= 2020\n"
     "GROUP BY c.name ORDER BY c.name"),
    ("Mali: military spending, % of GDP (WDI/SIPRI)",
     "SELECT year, round(value, 2) AS milex_gdp FROM indicators\n"
     "WHERE iso3 = 'MLI' AND variable = 'MS.MIL.XPND.GD.ZS' AND year >= 2008\nORDER BY year"),
    ("Attempts per decade and continent (panel)",
     "SELECT c.continent, p.year // 10 * 10 AS decade, sum(p.n_attempts) AS attempts\n"
     "FROM panel p JOIN countries c USING (gwcode)\n"
     "WHERE p.year < 2020 GROUP BY ALL ORDER BY decade, continent"),
    ("Ten highest risks in the latest forecast",
     "SELECT rank, country, region, round(100 * p_attempt, 1) AS pct_attempt\n"
     "FROM forecasts ORDER BY rank LIMIT 10"),
]


class Busy(Exception):
    """Another process is writing the warehouse (DuckDB allows one writer, then no readers)."""

    exit_code = 1


@dataclass
class Result:
    columns: list[str]
    types: list[str]  # DuckDB type of each column, e.g. INTEGER, VARCHAR, DOUBLE[]
    rows: list[tuple]
    truncated: bool  # the query had more rows than the limit
    elapsed_ms: float
    limit: int = DEFAULT_LIMIT

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(self.rows, columns=self.columns)

    def payload(self) -> dict:
        """The JSON body shared by the API and ``coupwatch sql --format json``."""
        return {"columns": self.columns, "types": self.types,
                "rows": [[jsonable(v) for v in row] for row in self.rows],
                "truncated": self.truncated, "elapsed_ms": round(self.elapsed_ms, 1)}


@dataclass
class View:
    name: str
    description: str
    available: bool
    columns: list[tuple[str, str]] = field(default_factory=list)  # (name, type)
    needs: str | None = None  # what to run when it is not available

    def payload(self) -> dict:
        return {"name": self.name, "description": self.description,
                "available": self.available, "needs": self.needs,
                "columns": [{"name": c, "type": t} for c, t in self.columns]}


def query(sql: str, *, path: Path | None = None, limit: int = DEFAULT_LIMIT,
          timeout: float = DEFAULT_TIMEOUT) -> Result:
    """Run one SELECT over the warehouse views; at most ``limit`` rows, ``timeout`` seconds."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise BadInput(f"limit must be a positive whole number, not {limit!r}",
                       parameter="limit")
    if not (isinstance(timeout, int | float) and math.isfinite(timeout) and timeout > 0):
        raise BadInput(f"timeout must be a positive number of seconds, not {timeout!r}",
                       parameter="timeout")
    con = _engine()
    try:
        text = _single_select(con, sql)
        _open(con, path)
        return _run(con, text, limit, float(timeout))
    finally:
        con.close()


@contextmanager
def session(path: Path | None = None, *, limit: int = DEFAULT_LIMIT,
            timeout: float = DEFAULT_TIMEOUT) -> Iterator[Callable[[str], Result]]:
    """Several queries on one locked-down connection (one attach instead of one per query)."""
    con = _engine()
    try:
        _open(con, path)
        yield lambda sql: _run(con, _single_select(con, sql), limit, float(timeout))
    finally:
        con.close()


def describe(path: Path | None = None) -> list[View]:
    """The documented views, their columns, and which ones this warehouse can offer now."""
    con = _engine()
    try:
        available = _open(con, path)
        out = []
        for name, about in VIEWS.items():
            columns = [(str(r[0]), str(r[1])) for r in con.execute(
                f"DESCRIBE {name}").fetchall()] if name in available else []
            out.append(View(name, about, name in available, columns,
                            None if name in available else NEEDS.get(name)))
        return out
    finally:
        con.close()


def catalog(views: list[View]) -> dict:
    """What there is to query, as JSON: ``GET /api/sql/views``, ``sql --views --format json``."""
    return {"views": [v.payload() for v in views],
            "examples": [{"title": t, "sql": q} for t, q in EXAMPLES],
            "limit": DEFAULT_LIMIT, "timeout": DEFAULT_TIMEOUT}


# --- the connection -----------------------------------------------------------------------

def _engine() -> duckdb.DuckDBPyConnection:
    # A private in-memory instance: ``duckdb.connect(path, read_only=True, config=...)`` would
    # share the process-wide instance of that file with other readers (the API's snapshot
    # loader), refuse to open beside them with a different config, and lock *their*
    # configuration too.
    return duckdb.connect(":memory:", config={
        "autoload_known_extensions": False, "autoinstall_known_extensions": False,
        "allow_community_extensions": False, "allow_unsigned_extensions": False,
        "memory_limit": MEMORY_LIMIT,
        "temp_directory": "",  # never spill to disk: a huge query fails instead of writing
    })


def _single_select(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    if not isinstance(sql, str) or not sql.strip():
        raise BadInput("the query is empty: give one SELECT statement", parameter="sql")
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as err:
        raise BadInput(_first_line(err), parameter="sql") from None
    if not statements:
        raise BadInput("the query is empty: give one SELECT statement", parameter="sql")
    if len(statements) > 1:
        raise BadInput(f"one statement at a time: found {len(statements)} separated by ';'",
                       parameter="sql")
    kind = statements[0].type
    if kind == duckdb.StatementType.MULTI:
        # PIVOT without an IN list creates a type first, so DuckDB splits it in two
        raise BadInput("this statement runs several statements; for PIVOT, list the values: "
                       "PIVOT t ON col IN ('a', 'b') USING count(*)", parameter="sql")
    if kind != duckdb.StatementType.SELECT:
        raise BadInput(f"only SELECT queries are allowed here, not {kind.name}: the console "
                       "is read-only", parameter="sql")
    return sql


def _open(con: duckdb.DuckDBPyConnection, path: Path | None) -> set[str]:
    """Attach the warehouse read-only, create the views, lock down; the views on offer."""
    target = Path(path) if path is not None else config.warehouse_path()
    if not target.is_file():
        raise BadInput("the warehouse is empty: run `coupwatch data update` first")
    escaped = str(target).replace("'", "''")
    try:
        con.execute(f"ATTACH '{escaped}' AS warehouse (READ_ONLY)")
    except duckdb.IOException as err:
        if "lock" in str(err).lower():
            raise Busy("the warehouse is being written by another process (e.g. `coupwatch "
                       "data update` or `coupwatch forecast`); try again when it is done") \
                from None
        raise
    con.execute("USE warehouse")
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'warehouse' "
        "AND schema_name = 'main'").fetchall()}
    if "provenance" not in tables or not _scalar(con, "SELECT count(*) FROM provenance"):
        raise BadInput("the warehouse is empty: run `coupwatch data update` first")
    available = _views(con, tables)
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return available


def _views(con: duckdb.DuckDBPyConnection, tables: set[str]) -> set[str]:
    """TEMP views over the attached warehouse (they shadow its tables of the same name)."""
    con.execute(r"""
        CREATE TEMP VIEW coups AS
        WITH newest AS (
            SELECT release FROM warehouse.main.events WHERE source = 'powell_thyne'
            GROUP BY release
            ORDER BY try_strptime(regexp_extract(release, '(\d{4}\.\d{2}\.\d{2})', 1),
                                  '%Y.%m.%d') DESC NULLS LAST, release DESC
            LIMIT 1)
        SELECT make_date(e.year, e.month, coalesce(e.day, 1)) AS date, e.year, e.month,
               e.day, e.gwcode, c.iso3, coalesce(c.name, e.country) AS country, e.kind,
               e.kind = 'successful' AS successful, e.release, e.file, e.line
        FROM warehouse.main.events e LEFT JOIN warehouse.main.countries c USING (gwcode)
        WHERE e.source = 'powell_thyne' AND e.release = (SELECT release FROM newest)
        ORDER BY e.year, e.month, e.day, e.gwcode""")
    con.execute("""
        CREATE TEMP VIEW indicators AS
        SELECT i.source, i.variable, i.gwcode, c.iso3, c.name AS country, i.year, i.value,
               i.text, i.file
        FROM warehouse.main.indicators i LEFT JOIN warehouse.main.countries c
          USING (gwcode)""")
    latest = _scalar(con, "SELECT max(coalesce(last_year, first_year)) FROM "
                          "warehouse.main.countries")
    con.register("geography_frame", _geography(int(latest) if latest is not None else None))
    con.execute("CREATE TEMP TABLE country_geography AS SELECT * FROM geography_frame")
    con.unregister("geography_frame")
    con.execute("""
        CREATE TEMP VIEW countries AS
        SELECT c.gwcode, c.iso3, c.name, c.first_year, c.last_year,
               coalesce(g.au_region, g.un_subregion) AS region, g.un_subregion,
               g.continent, g.au_region, coalesce(g.memberships, []) AS memberships
        FROM warehouse.main.countries c LEFT JOIN country_geography g USING (gwcode)
        ORDER BY c.gwcode""")
    available = {"coups", "indicators", "countries"}

    stored = panel_store.state(con)
    if stored != "missing":
        # a stale copy keeps its columns (so queries bind) but refuses to give rows
        guard = "" if stored == "current" else (
            " WHERE error('the stored panel is out of date (the data or the panel code "
            "changed since it was built): run `coupwatch data update`') IS NULL")
        con.execute(f"CREATE TEMP VIEW panel AS SELECT * FROM warehouse.main.panel{guard}")
        available.add("panel")

    if {"forecast_runs", "forecasts", "backtests"} <= tables and _scalar(
            con, "SELECT count(*) FROM warehouse.main.forecast_runs"):
        runs = """SELECT f.run_id, r.created_at AS run_created_at, r.model,
                         r.model_version, f.year, f.gwcode, f.iso3, f.country, f.region,
                         f.p_attempt, f.p_coup, f.p_failed, f.rank, f.p_attempt_last_year,
                         f.change
                  FROM warehouse.main.forecasts f
                  JOIN warehouse.main.forecast_runs r USING (run_id)"""
        newest = """(SELECT run_id, data_key, model, seed FROM warehouse.main.forecast_runs
                     ORDER BY created_at DESC, run_id LIMIT 1)"""
        con.execute(f"CREATE TEMP VIEW forecast_history AS {runs} "
                    "ORDER BY r.created_at, f.run_id, f.rank")
        con.execute(f"CREATE TEMP VIEW forecasts AS {runs} "
                    f"WHERE f.run_id = (SELECT run_id FROM {newest}) ORDER BY f.rank")
        con.execute(f"""
            CREATE TEMP VIEW backtests AS
            SELECT b.year, b.gwcode, b.iso3, b.country, b.model, b.p_attempt, b.p_coup,
                   b.p_failed, b.observed_attempt, b.observed_coup, b.observed_failed
            FROM warehouse.main.backtests b JOIN {newest} n
              ON b.data_key = n.data_key AND b.model = n.model AND b.seed = n.seed
            ORDER BY b.year, b.gwcode""")
        available |= {"forecasts", "forecast_history", "backtests"}
    return available


@lru_cache(maxsize=4)
def _geography(year: int | None) -> pd.DataFrame:
    """Regions of every G&W state, memberships at the end of ``year`` (computed once)."""
    geo = regions.geography()[["gwcode", "un_subregion", "continent", "au_region"]]
    geo = geo.reset_index(drop=True).copy()
    rows = regions.in_force(year)
    rows = rows[rows["gwcode"].notna()]
    groups = rows.groupby(rows["gwcode"].astype(int))["region"].agg(lambda s: sorted(set(s)))
    geo["memberships"] = [groups.get(int(g), []) for g in geo["gwcode"]]
    return geo


def _scalar(con: duckdb.DuckDBPyConnection, sql: str):
    # fetchall, not fetchone: DuckDB 2 refuses other work while a result is unfinished
    return con.execute(sql).fetchall()[0][0]


# --- running one query ---------------------------------------------------------------------

def _run(con: duckdb.DuckDBPyConnection, sql: str, limit: int, timeout: float) -> Result:
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        con.interrupt()

    timer = threading.Timer(timeout, stop)
    timer.daemon = True
    started = time.perf_counter()
    timer.start()
    try:
        cursor = con.execute(sql)
        columns = [str(d[0]) for d in cursor.description or []]
        types = [str(d[1]) for d in cursor.description or []]
        # results stream: fetching one row past the cap tells whether there were more
        rows = cursor.fetchmany(limit + 1)
    except duckdb.Error as err:
        if stopped.is_set():
            raise BadInput(f"query ran longer than {timeout:g} s and was stopped: narrow it "
                           "down (WHERE, LIMIT) or aggregate", parameter="sql") from None
        raise BadInput(_explain(err), parameter="sql") from None
    finally:
        timer.cancel()
    elapsed = (time.perf_counter() - started) * 1000
    return Result(columns, types, rows[:limit], len(rows) > limit, elapsed, limit)


def _first_line(err: Exception) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[0] if lines else type(err).__name__


def _explain(err: duckdb.Error) -> str:
    """DuckDB's first line, plus what to do when a view is not there (yet)."""
    line = _first_line(err)
    if isinstance(err, duckdb.CatalogException) and "does not exist" in line:
        for name, needs in NEEDS.items():
            if f"with name {name} does not exist" in line:
                return f"the {name} view is not available yet: {needs}"
        return (f"{line} (views: {', '.join(VIEWS)}; `coupwatch sql --views` lists their "
                "columns)")
    return line


# --- values for JSON and CSV -----------------------------------------------------------------

def jsonable(value):
    """A DuckDB value as JSON: NaN/inf -> null, decimals -> float, dates -> ISO text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, decimal.Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)
